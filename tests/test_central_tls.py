"""The bridge as in production: the central broker TLS-only with a login per site and the
ACL `piste central-acl` writes; a site's bridge with the central CA and its own password.
Its events arrive; a bridge that logs in as another site cannot put events under ours."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from firmware.broker import LocalBroker
from firmware.central.bridge import BridgeSettings, bridge_conf, central_acl
from firmware.central.collector import Collector
from firmware.central.store import CentralStore
from mqtt_bridge import topics
from mqtt_bridge.acl import ACCESS_CONTROL_LINES
from mqtt_bridge.link import Tls
from tests.conftest import wire_seen
from tests.helpers import wait_for
from tests.test_broker_tls import ca_and_server
from tests.test_central import Site, site_controller

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def logins(where: Path, users: list[str]) -> Path:
    passwd = where / "passwd"
    for user in users:
        subprocess.run(["mosquitto_passwd", "-b", *(["-c"] if not passwd.exists() else []),
                        str(passwd), user, f"pw-{user}"], check=True, capture_output=True)
    return passwd


def test_a_site_bridges_over_tls_with_its_own_login_and_only_under_its_own_prefix(
        tmp_path: Path) -> None:
    certs = ca_and_server(tmp_path / "certs", "central")
    north_id, south_id = f"north-{uuid.uuid4().hex[:6]}", f"south-{uuid.uuid4().hex[:6]}"
    (tmp_path / "acl").write_text(central_acl())
    passwd = logins(tmp_path, [north_id, south_id, "collector"])
    central = LocalBroker(tmp_path / "central", extra_conf=[
        f"cafile {certs / 'ca.crt'}", f"certfile {certs / 'central.crt'}",
        f"keyfile {certs / 'central.key'}", *ACCESS_CONTROL_LINES,
        f"password_file {passwd}", f"acl_file {tmp_path / 'acl'}"])

    def bridged(site_id: str, login: str, name: str) -> Site:
        conf = bridge_conf(dataclasses.replace(
            BridgeSettings(site_id, central.host, central.port, ca_file=str(certs / "ca.crt")),
            password=f"pw-{login}"))
        # A bridge with another site's password logs in under that site's name.
        conf = conf.replace(f"remote_username {site_id}", f"remote_username {login}")
        conf = conf.replace(f"remote_clientid {site_id}", f"remote_clientid {login}")
        broker = LocalBroker(tmp_path / name, extra_conf=["allow_anonymous true",
                                                          *conf.splitlines()])
        return Site(site_id, broker, tmp_path / f"{name}-data")

    # The rogue: a broker of its own claiming north's site id, with south's login.
    north, rogue = bridged(north_id, north_id, "north"), bridged(north_id, south_id, "rogue")
    store = CentralStore.open(f"sqlite:///{tmp_path / 'central.sqlite'}")
    collector = Collector(store, central.host, central.port, username="collector",
                          password="pw-collector", tls=Tls(str(certs / "ca.crt")),
                          recheck_s=1.0)
    thread = threading.Thread(target=collector.run, daemon=True)
    with central, north.broker, rogue.broker, site_controller(north), \
            site_controller(rogue):
        thread.start()
        try:
            wait_for(lambda: collector.link.connected, what="the collector over TLS")
            north.issue(3)
            rogue.issue(2)  # south's login may write only below south's prefix: refused
            wanted = north.ledger_ids()
            wait_for(lambda: {e["id"] for _, e in store.events(site=north_id)} >= wanted,
                     what="north's events over the TLS bridge")
            time.sleep(1.0)  # time enough for the rogue's events, were they let through
            assert {e["id"] for _, e in store.events(site=north_id)} == wanted
            assert not wanted & rogue.ledger_ids()
            # What the bridge carried in is checked against the contract on the central
            # broker too (TLS only, with logins): its spy saw north's events arrive.
            assert topics.queue_events(north_id) in wire_seen(central)
        finally:
            collector.stop()
            thread.join(10)
            store.close()
