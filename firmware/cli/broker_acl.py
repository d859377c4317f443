"""`piste broker-acl`: the broker's ACL, user list and production config for a site."""

from __future__ import annotations

from pathlib import Path

from firmware.cli.common import load_config_or_exit
from mqtt_bridge.acl import acl_text, broker_conf, users


def broker_acl_main(config_path: Path, out: Path | None) -> int:
    config = load_config_or_exit(config_path)
    if out is None:
        print(acl_text(config))
        print("# users: " + " ".join(users(config)))
        return 0
    out.mkdir(parents=True, exist_ok=True)
    (out / "acl").write_text(acl_text(config))
    (out / "users.txt").write_text("\n".join(users(config)) + "\n")
    # The config that binds client ids to logins belongs with the ACL: without it any
    # login could connect under the controller's client id and knock it off the broker.
    (out / "piste.conf").write_text(broker_conf(acl_dir=str(out.resolve())))
    print(f"wrote {out / 'acl'}, {out / 'users.txt'} and {out / 'piste.conf'};\n"
          f"give each user a password with\n"
          f"  mosquitto_passwd {out / 'passwd'} USER   (-c for the first one)\n"
          f"then copy {out / 'piste.conf'} to /etc/mosquitto/conf.d/ and restart mosquitto")
    return 0
