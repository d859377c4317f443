"""A site broker as production locks it, for tests and benchmarks on a real Mosquitto: the
ACL `piste broker-acl` writes and a password file with `pw-{user}` for every login."""

from __future__ import annotations

import subprocess
from pathlib import Path

from firmware.site_model import SiteConfig
from mqtt_bridge.acl import ACCESS_CONTROL_LINES, acl_text, users


def write_access_files(config: SiteConfig, where: Path) -> list[str]:
    """The ACL and a password file with `pw-{user}` for each user; the broker's config lines."""
    (where / "acl").write_text(acl_text(config))
    passwd = where / "passwd"
    for user in users(config):
        subprocess.run(["mosquitto_passwd", "-b", *(["-c"] if not passwd.exists() else []),
                        str(passwd), user, f"pw-{user}"], check=True, capture_output=True)
    return [*ACCESS_CONTROL_LINES, f"password_file {passwd}", f"acl_file {where / 'acl'}"]
