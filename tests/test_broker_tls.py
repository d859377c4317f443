"""A device reaches a TLS-only broker with the site CA, and a client without it cannot."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from firmware.broker import LocalBroker
from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.runtime import Runtime
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient, BrokerUnreachable
from testkit.site_factory import MONDAY, at, small_site
from tests.conftest import wire_seen
from tests.helpers import RunningDevice, wait_for

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def ca_and_server(certs: Path, server: str = "broker") -> Path:
    """A CA (ca.crt) and a server certificate for 127.0.0.1 signed by it ({server}.crt,
    {server}.key) in `certs`, made with openssl as a technician would."""
    certs.mkdir()
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=piste test CA", "-keyout", "ca.key", "-out", "ca.crt", cwd=certs)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", f"{server}.key", "-out", f"{server}.csr", cwd=certs)
    (certs / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", f"{server}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", f"{server}.crt",
            cwd=certs)
    return certs


@pytest.fixture
def tls_broker(tmp_path: Path):
    certs = ca_and_server(tmp_path / "certs")
    broker = LocalBroker(tmp_path / "broker", extra_conf=[
        "allow_anonymous true", f"cafile {certs / 'ca.crt'}",
        f"certfile {certs / 'broker.crt'}", f"keyfile {certs / 'broker.key'}"])
    with broker:
        yield broker, certs


def test_a_device_connects_over_tls_with_the_site_ca(tls_broker, tmp_path) -> None:
    broker, certs = tls_broker
    config = small_site()
    config = dataclasses.replace(config, broker=dataclasses.replace(
        config.broker, ca_file=str(certs / "ca.crt")))
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    runtime = Runtime(config, device, ManualClock(at(MONDAY, 9, 0)), tmp_path,
                      [ControllerRole()], broker_host=broker.host, broker_port=broker.port)
    with RunningDevice(runtime):
        assert wait_for(lambda: runtime.link.connected, what="a TLS connection")
        # What it says over TLS is checked against the contract too: the spy is on it.
        status = topics.device_status(config.site.id, "lobby-1")
        assert wait_for(lambda: status in wire_seen(broker), what="its status at the spy")


def test_plain_mqtt_to_a_tls_listener_fails_clearly(tls_broker) -> None:
    broker, _ = tls_broker
    with pytest.raises(BrokerUnreachable):
        BlockingClient(broker.host, broker.port, "test-site").connect(timeout=2)
