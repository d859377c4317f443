"""What piste puts into /etc/mosquitto/conf.d/ starts Debian's own Mosquitto with Debian's
own main config (which already sets pid_file, persistence and the log): the site broker of
`piste broker-acl --out`, the central broker of `piste central-acl --out`, the site's bridge
of `piste bridge-config --out`, and config/mosquitto/piste-local.conf. TLS on, devices log in
with their passwords, the ACL holds, and a message crosses the bridge."""

from __future__ import annotations

import json
import queue
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware.admin.broker_client import AdminClient, BrokerError
from firmware.site_config import load_site_config
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient, BrokerUnreachable
from tests.conftest import DEMO_SITE, ROOT, wire_seen
from tests.debian_broker import (
    DebianBroker,
    debian_folder,
    free_port,
    logins,
    moved,
    piste,
    server_certs,
    tls_login,
)
from tests.secured_site import running_controller

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture
def debian_dir() -> Iterator[Path]:
    with debian_folder() as root:
        yield root


def site_file(where: Path, site: str) -> Path:
    path = where / "site.toml"
    text = DEMO_SITE.read_text(encoding="utf-8")
    assert 'id = "lappeenranta"' in text
    path.write_text(text.replace('id = "lappeenranta"', f'id = "{site}"', 1), encoding="utf-8")
    return path


def site_broker(root: Path, site: Path, port: int,
                bridge_args: tuple[str, ...] = ()) -> tuple[DebianBroker, Path]:
    """The site broker as the README sets it up: broker-acl, passwords, certificates, and
    with `bridge_args` the bridge of bridge-config beside it; its CA file."""
    acl_dir = root / "piste"
    piste("broker-acl", "--config", str(site), "--out", str(acl_dir))
    users = (acl_dir / "users.txt").read_text().split()
    conf_d = {}
    if bridge_args:
        piste("bridge-config", "--config", str(site), *bridge_args, "--out", str(acl_dir))
        users.append("bridge")
        conf_d["piste-bridge.conf"] = (acl_dir / "piste-bridge.conf").read_text()
    logins(acl_dir, users)
    certs = server_certs(root / "certs", "broker", "site-ca")
    conf_d["piste.conf"] = moved((acl_dir / "piste.conf").read_text(), {
        "listener 8883\n": f"listener {port}\n", "/etc/mosquitto/certs/": f"{certs}/"})
    return DebianBroker(root / "mosquitto", conf_d, port), certs / "site-ca.crt"


def status_of(inbox: queue.Queue, topic: str) -> dict:
    while True:
        got_topic, payload, _ = inbox.get(timeout=20)
        if got_topic == topic:
            return json.loads(payload)


def test_the_site_broker_of_broker_acl_runs_on_debians_config(debian_dir: Path) -> None:
    site = f"d-{uuid.uuid4().hex[:8]}"
    config_file = site_file(debian_dir, site)
    port = free_port()
    broker, ca = site_broker(debian_dir, config_file, port)
    (debian_dir / "data").mkdir()
    status = topics.device_status(site, "lobby-1")
    with broker:
        # Only the TLS listener: no plain default listener on 1883 opened on the side.
        assert broker.listening_ports() == {port}
        with pytest.raises(BrokerUnreachable):
            BlockingClient(broker.host, broker.port, site).connect(timeout=2)
        with pytest.raises(BrokerError, match="refused the login"):
            AdminClient(tls_login(broker, "waiting-1", ca, password="guess")).connect()
        config = load_site_config(config_file)
        # The controller logs in as lobby-1 over TLS and says it is online (retained).
        with running_controller(config, broker, debian_dir / "data", ca_file=str(ca)), \
                AdminClient(tls_login(broker, "waiting-1", ca)) as display:
            display.subscribe(f"piste/v1/{site}/device/+/status")  # a display may read it
            online = status_of(display.messages, status)
            assert online["state"] == "online"
            # A display may not speak for the controller: its "offline" is refused.
            display.publish(status, json.dumps({**online, "state": "offline"}).encode(),
                            retain=True)
            with AdminClient(tls_login(broker, "technician", ca)) as technician:
                technician.subscribe(status)
                assert status_of(technician.messages, status)["state"] == "online"


def test_a_site_bridges_to_the_centre_both_on_debians_config(debian_dir: Path) -> None:
    site = f"d-{uuid.uuid4().hex[:8]}"
    centre_root, site_root = debian_dir / "centre", debian_dir / "site"
    centre_root.mkdir()
    site_root.mkdir()
    centre_port, site_port = free_port(), free_port()

    acl_dir = centre_root / "piste-central"
    piste("central-acl", "--out", str(acl_dir))
    logins(acl_dir, [site, "collector", "public"])
    centre_certs = server_certs(centre_root / "certs", "central", "central-ca")
    centre_ca = centre_certs / "central-ca.crt"
    centre = DebianBroker(centre_root / "mosquitto", {
        "piste-central.conf": moved((acl_dir / "piste-central.conf").read_text(), {
            "listener 8883\n": f"listener {centre_port}\n",
            "/etc/mosquitto/certs/": f"{centre_certs}/"})}, centre_port)

    secrets = debian_dir / "secrets"
    secrets.mkdir()
    (secrets / "central").write_text(f"pw-{site}\n")
    (secrets / "local").write_text("pw-bridge\n")
    config_file = site_file(site_root, site)
    broker, site_ca = site_broker(site_root, config_file, site_port, (
        "--central", f"127.0.0.1:{centre_port}", "--ca-file", str(centre_ca),
        "--password-file", str(secrets / "central"),
        "--local-password-file", str(secrets / "local")))
    (site_root / "data").mkdir()
    status = topics.device_status(site, "lobby-1")
    with centre, broker:
        assert centre.listening_ports() == {centre_port}
        assert broker.listening_ports() == {site_port}
        with AdminClient(tls_login(centre, "collector", centre_ca)) as collector, \
                AdminClient(tls_login(centre, "public", centre_ca)) as public:
            collector.subscribe(f"piste/v1/{site}/device/+/status")
            public.subscribe("piste/v1/#")  # the relay's login asks for everything ...
            with running_controller(load_site_config(config_file), broker,
                                    site_root / "data", ca_file=str(site_ca)):
                # lobby-1's status, published at the site, arrives at the centre.
                assert status_of(collector.messages, status)["state"] == "online"
                # ... and gets the site's public heartbeat (the demo has phones on), which
                # the controller sends after its status: nothing but public/# came first.
                alive = topics.public_alive(site)
                while (got := public.messages.get(timeout=20))[0] != alive:
                    assert got[0].startswith(f"piste/v1/{site}/public/"), got[0]
                # Asked for the retained status and then the heartbeat, one after the other
                # on one connection: the status would come first, were it readable.
                public.subscribe(status)
                public.subscribe(alive)
                assert public.messages.get(timeout=20)[0] == alive
                # Both ends are checked against the contract: the spies (with logins of
                # their own in the test's copies of the ACLs) saw it on both brokers.
                assert status in wire_seen(broker) and status in wire_seen(centre)


def test_piste_local_conf_runs_on_debians_config(debian_dir: Path) -> None:
    port = free_port()
    conf = moved((ROOT / "config" / "mosquitto" / "piste-local.conf").read_text(),
                 {"listener 1883\n": f"listener {port}\n"})
    site = f"d-{uuid.uuid4().hex[:8]}"
    config = load_site_config(site_file(debian_dir, site))
    (debian_dir / "data").mkdir()
    status = topics.device_status(site, "lobby-1")
    with DebianBroker(debian_dir / "mosquitto", {"piste.conf": conf}, port) as broker:
        assert broker.listening_ports() == {port}
        with running_controller(config, broker, debian_dir / "data"), \
                BlockingClient(broker.host, broker.port, site) as display:
            assert status_of(display.watch(status), status)["state"] == "online"


def test_the_broker_install_sh_sets_up_runs_on_debians_config(debian_dir: Path) -> None:
    from tests.test_install import install

    # A TLS site whose controller hosts the broker: install.sh makes it the production one.
    site = site_file(debian_dir, f"d-{uuid.uuid4().hex[:8]}")
    text = site.read_text(encoding="utf-8")
    assert 'host = "localhost"\nport = 1883' in text
    site.write_text(text.replace('host = "localhost"\nport = 1883', 'host = "lobby-1.local"\n'
                                 'port = 8883\nca_file = "/etc/piste/site-ca.crt"', 1))
    root, password = debian_dir / "root", debian_dir / "password"
    root.mkdir()
    password.write_text("pw-lobby-1\n")
    done = install(root, site, password)
    assert done.returncode == 0, done.stderr
    acl_dir = root / "etc/mosquitto/piste"
    logins(acl_dir, (acl_dir / "users.txt").read_text().split())
    certs = server_certs(debian_dir / "certs", "broker", "site-ca")
    port = free_port()
    conf = moved((root / "etc/mosquitto/conf.d/piste.conf").read_text(), {
        "listener 8883\n": f"listener {port}\n", "/etc/mosquitto/certs/": f"{certs}/"})
    with DebianBroker(debian_dir / "mosquitto", {"piste.conf": conf}, port) as broker:
        assert broker.listening_ports() == {port}
        with AdminClient(tls_login(broker, "lobby-1", certs / "site-ca.crt")):
            pass  # logged in over TLS with the password the technician gave it
