"""`piste public` on real parts: a site broker bridged to a central Mosquitto by the config
`piste bridge-config` writes, the site's retained public messages reaching relays that
subscribe on the central broker; two relays as processes behind a balancer, one killed,
a Chromium page reconnecting to the other and showing the next change."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firmware.broker import LocalBroker, free_port
from firmware.central.bridge import BridgeSettings, bridge_conf
from firmware.central.public_relay import PublicRelay, RelayError, RelaySettings
from firmware.cli.main import main
from mqtt_bridge.blocking import BlockingClient
from testkit.balancer import Balancer
from testkit.console_site import browser, have_browser
from testkit.public_messages import (
    alive_message,
    alive_topic,
    encoded,
    ticket_message,
    ticket_topic,
)
from tests.conftest import ROOT
from tests.helpers import wait_for
from tests.test_systemd import needs_analyze, verify_in_root

NOW = datetime.now(ZoneInfo("Europe/Helsinki"))
UNIT = ROOT / "systemd" / "piste-public.service"


@dataclass
class Bridged:
    central: LocalBroker
    site_broker: LocalBroker
    site: str

    def publish(self, topic: str, message: dict[str, object] | None) -> None:
        """As the site's controller: retained, QoS 1, on the site broker."""
        with BlockingClient(self.site_broker.host, self.site_broker.port, self.site) as client:
            client.publish_raw(topic, b"" if message is None else encoded(message), retain=True)

    def ticket(self, token: str, **fields: object) -> None:
        self.publish(ticket_topic(self.site, token), ticket_message(self.site, NOW, **fields))


@pytest.fixture
def bridged(tmp_path: Path) -> Iterator[Bridged]:
    """A central broker and one site broker bridged to it, as `piste bridge-config` says."""
    site = f"relay-{uuid.uuid4().hex[:6]}"
    with ExitStack() as stack:
        central = stack.enter_context(LocalBroker(tmp_path / "central",
                                                  extra_conf=["allow_anonymous true"]))
        conf = bridge_conf(BridgeSettings(site, central.host, central.port))
        site_broker = stack.enter_context(LocalBroker(
            tmp_path / site, extra_conf=["allow_anonymous true", *conf.splitlines()]))
        yield Bridged(central, site_broker, site)


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:  # not listening (yet, or any more)
        return 0, b""


@contextmanager
def relay_in_process(central: LocalBroker) -> Iterator[PublicRelay]:
    relay = PublicRelay(RelaySettings(central.host, central.port, bind="127.0.0.1",
                                      http_port=0))
    relay.connect()
    relay.start()
    try:
        wait_for(lambda: relay.server.started, what="the relay to listen")
        yield relay
    finally:
        relay.stop()


def relay_process(central: LocalBroker, port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "firmware.cli", "public", "--broker",
         f"mqtt://{central.host}:{central.port}", "--port", str(port), "--bind", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    wait_for(lambda: process.poll() is not None or get(f"http://127.0.0.1:{port}/")[0] == 200,
             what=f"piste public on port {port}")
    assert process.poll() is None, process.communicate()[0]
    return process


def test_a_site_ticket_reaches_the_central_relay_through_the_bridge(bridged: Bridged) -> None:
    token = "tok-" + uuid.uuid4().hex
    bridged.publish(alive_topic(bridged.site), alive_message(NOW))
    bridged.ticket(token, number="K012", ahead=4)
    with relay_in_process(bridged.central) as relay:
        # Published before the relay was there: the broker's retained copy brings it.
        wait_for(lambda: get(f"http://127.0.0.1:{relay.port}/t/{token}")[0] == 200,
                 what="the ticket's page at the relay")
        _, body = get(f"http://127.0.0.1:{relay.port}/t/{token}")
        assert b"K012" in body
        wrong_status, wrong = get(f"http://127.0.0.1:{relay.port}/t/{token}x")
        other_status, other = get(f"http://127.0.0.1:{relay.port}/t/nothing-here")
        assert (wrong_status, wrong) == (other_status, other) and wrong_status == 404
        # Removed at the site (an empty retained message): gone at the centre too.
        bridged.publish(ticket_topic(bridged.site, token), None)
        wait_for(lambda: get(f"http://127.0.0.1:{relay.port}/t/{token}")[0] == 404,
                 what="the removed ticket's page to go")


def test_a_relay_without_its_broker_keeps_serving_what_it_has(
        bridged: Bridged, caplog: pytest.LogCaptureFixture) -> None:
    token = "tok-" + uuid.uuid4().hex
    bridged.ticket(token, number="K044")
    with relay_in_process(bridged.central) as relay:
        wait_for(lambda: get(f"http://127.0.0.1:{relay.port}/t/{token}")[0] == 200,
                 what="the ticket at the relay")
        bridged.central.stop()
        wait_for(lambda: not relay.link.connected, what="the relay to lose its broker")
        status, body = get(f"http://127.0.0.1:{relay.port}/t/{token}")
        assert status == 200 and b"K044" in body
        assert "the pages go on showing the data they have" in caplog.text


def test_the_relay_says_plainly_when_its_broker_cannot_be_reached(
        capsys: pytest.CaptureFixture[str]) -> None:
    closed = free_port()
    code = main(["public", "--broker", f"mqtt://127.0.0.1:{closed}", "--port",
                 str(free_port()), "--bind", "127.0.0.1"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"cannot reach the central broker at 127.0.0.1:{closed}" in err
    assert "connection refused" in err and "Traceback" not in err


def test_a_refused_login_is_said_in_plain_words(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    passwd, wrong = tmp_path / "passwd", tmp_path / "public-password"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "public", "right one"],
                   check=True, capture_output=True)
    wrong.write_text("not the right one\n")
    with LocalBroker(tmp_path / "central", extra_conf=[
            "allow_anonymous false", f"password_file {passwd}"]) as central:
        code = main(["public", "--broker", f"mqtt://{central.host}:{central.port}",
                     "--login", "public", "--password-file", str(wrong),
                     "--port", str(free_port()), "--bind", "127.0.0.1"])
    err = capsys.readouterr().err
    assert code == 2 and "the broker refused the connection" in err
    assert "not the right one" not in err and "Traceback" not in err


@pytest.mark.parametrize("flags, words", [
    (["--broker", "ftp://central"], "ftp"),
    (["--broker", "mqtt://central", "--port", "http"], "'http' is not a port"),
    (["--broker", "mqtt://central", "--requests-per-minute", "0"], "'0' is not a number"),
])
def test_a_wrong_flag_is_said_in_plain_words(flags: list[str], words: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(["public", *flags])
    except SystemExit as exc:  # argparse's own exit for a value it cannot take
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err


def test_a_port_in_use_is_said_in_plain_words(bridged: Bridged) -> None:
    with relay_in_process(bridged.central) as relay, \
            pytest.raises(RelayError, match=r"cannot listen on 127\.0\.0\.1:\d+: Address already"):
        PublicRelay(RelaySettings(bridged.central.host, bridged.central.port,
                                  bind="127.0.0.1", http_port=relay.port))


@needs_analyze
def test_the_relay_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    result = verify_in_root(tmp_path, UNIT.read_text())
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_the_balancer_skips_a_dead_backend(bridged: Bridged) -> None:
    dead = ("127.0.0.1", free_port())
    with relay_in_process(bridged.central) as relay:
        alive = ("127.0.0.1", relay.port)
        with Balancer([dead, alive]) as balancer:
            for _ in range(3):
                assert get(balancer.url + "/")[0] == 200
            assert balancer.connections == [alive] * 3


@pytest.mark.skipif(not have_browser(), reason="chromium and chromedriver: make test installs")
def test_two_relays_one_killed_the_page_reconnects_to_the_other(bridged: Bridged) -> None:
    from selenium.webdriver.common.by import By

    token = "tok-" + uuid.uuid4().hex
    bridged.publish(alive_topic(bridged.site), alive_message(NOW))
    bridged.ticket(token, number="K012", ahead=2)
    ports = [free_port(), free_port()]
    relays = {port: relay_process(bridged.central, port) for port in ports}
    streaming = 0
    try:
        with Balancer([("127.0.0.1", p) for p in ports]) as balancer, \
                browser(360, 740) as page:
            page.get(f"{balancer.url}/t/{token}")
            body = page.find_element(By.TAG_NAME, "body")
            assert "K012" in body.text
            # Kill the relay that serves the page's live stream.
            wait_for(lambda: balancer.backends_of("/live"), what="the page's live stream")
            _, streaming = balancer.backends_of("/live")[-1]
            relays[streaming].send_signal(signal.SIGKILL)
            relays[streaming].wait(10)
            bridged.ticket(token, number="K012", status="called", room="5", calls=1)
            wait_for(lambda: "Huone 5" in page.find_element(By.ID, "say").text,
                     timeout=20, what="the call on the page, through the other relay")
            assert balancer.backends_of("/live")[-1][1] != streaming
    finally:
        for port, process in relays.items():
            killed = port == streaming
            if not killed:
                process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=10)  # and its pipe closed
            assert killed or process.returncode == 0, output


def test_the_relay_stops_quietly_on_sigterm(bridged: Bridged) -> None:
    process = relay_process(bridged.central, free_port())
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=10)
    assert process.returncode == 0, output
    assert "Traceback" not in output and "phone pages stopped" in output
