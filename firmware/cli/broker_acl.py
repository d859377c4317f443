"""`piste broker-acl`: the broker's ACL, user list and production config for a site."""

from __future__ import annotations

import sys
from pathlib import Path

from firmware.central.bridge import bridge_block, with_bridge_block
from firmware.cli.common import load_config_or_exit
from firmware.cli.output_folder import OutputError, output_folder
from mqtt_bridge.acl import acl_text, broker_conf, users


def broker_acl_main(config_path: Path, out: Path | None) -> int:
    config = load_config_or_exit(config_path)
    if out is None:
        print(acl_text(config))
        print("# users: " + " ".join(users(config)))
        return 0
    try:
        with output_folder(out) as folder:
            # A bridge's login added by `piste bridge-config` stays when the ACL is made anew.
            kept = bridge_block(folder.read("acl"))
            folder.write("acl", with_bridge_block(acl_text(config), kept))
            folder.write("users.txt", "\n".join(users(config)) + "\n")
            # The config that binds client ids to logins belongs with the ACL: without it
            # any login could connect under the controller's client id and knock it off.
            folder.write("piste.conf", broker_conf(acl_dir=str(out.resolve())))
    except OutputError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"wrote {out / 'acl'}, {out / 'users.txt'} and {out / 'piste.conf'};\n"
          f"give each user a password with\n"
          f"  mosquitto_passwd {out / 'passwd'} USER   (-c for the first one)\n"
          f"then copy {out / 'piste.conf'} to /etc/mosquitto/conf.d/ and restart mosquitto")
    return 0
