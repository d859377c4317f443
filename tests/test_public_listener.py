"""The web role's second, public listener on real parts: a real Mosquitto carrying the
site's retained public messages, the web role serving the phone pages over TLS with the
console's certificate on a port of their own, and none of the console's routes there."""

from __future__ import annotations

import dataclasses
import logging
import re
import socket
import ssl
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from firmware.broker import LocalBroker, free_port
from firmware.clock import SystemClock
from firmware.site_model import SiteConfig
from mqtt_bridge.blocking import BlockingClient
from testkit.console_site import (
    answers,
    device_runtime,
    http_get,
    insecure_context,
    site_config,
    write_users,
)
from testkit.devices import DeviceThread
from testkit.public_messages import encoded, ticket_message, ticket_topic
from tests.helpers import wait_for

NOW = datetime.now(ZoneInfo("Europe/Helsinki"))


@dataclasses.dataclass
class PublicSite:
    config: SiteConfig
    console_url: str
    public_url: str
    web: DeviceThread
    broker: LocalBroker

    @property
    def site(self) -> str:
        return self.config.site.id

    def role(self) -> Any:  # the WebRole
        return self.web.role("web")

    def ticket(self, token: str, **fields: object) -> None:
        """As the controller publishes it: retained, QoS 1, on the site broker."""
        with BlockingClient(self.broker.host, self.broker.port, self.site) as client:
            client.publish_raw(ticket_topic(self.site, token),
                               encoded(ticket_message(self.site, NOW, **fields)), retain=True)


@contextmanager
def public_site(broker: LocalBroker, tmp_path: Path, public_port: int | None = None
                ) -> Iterator[PublicSite]:
    data = tmp_path / "console"
    data.mkdir(parents=True, exist_ok=True)
    port, public = free_port(), public_port or free_port()
    config = site_config(data, port)
    config = dataclasses.replace(config, broker=dataclasses.replace(
        config.broker, host=broker.host, port=broker.port), phone=dataclasses.replace(
        config.phone, enabled=True, base_url=f"https://127.0.0.1:{public}/t/",
        public_port=public, public_bind="127.0.0.1"))
    write_users(data / "web-users.toml")
    clock = SystemClock(ZoneInfo(config.site.timezone))
    with DeviceThread(device_runtime(config, "console", data, clock, broker)) as web:
        site = PublicSite(config, f"https://127.0.0.1:{port}", f"https://127.0.0.1:{public}",
                          web, broker)
        wait_for(lambda: web.role("web").server is not None and answers(site.console_url),
                 what="the console to listen")
        yield site


@pytest.fixture
def site(broker: LocalBroker, tmp_path: Path) -> Iterator[PublicSite]:
    with public_site(broker, tmp_path) as running:
        wait_for(lambda: running.role().public is not None and running.role().public.started,
                 what="the phone pages to listen")
        yield running


def test_the_page_is_served_over_tls_from_the_site_broker(site: PublicSite) -> None:
    token = "tok-" + uuid.uuid4().hex
    site.ticket(token, number="K031", ahead=2)
    wait_for(lambda: http_get(f"{site.public_url}/t/{token}")[0] == 200,
             what="the ticket's page on the public listener")
    _, _, body = http_get(f"{site.public_url}/t/{token}")
    assert b"K031" in body
    # The console's own certificate: one for the device, whichever port a phone uses.
    console_cert = _peer_certificate(site.console_url)
    assert _peer_certificate(site.public_url) == console_cert


def _staff_paths(site: PublicSite) -> list[str]:
    """Every route of the console's app, with its parameters filled in."""
    paths = []
    for route in site.role().server.app.routes:
        path = re.sub(r"\{[^}]+\}", "x", route.path)
        paths.append(path + ("/x" if not hasattr(route, "endpoint") else ""))
    return sorted(set(paths))


def test_none_of_the_staff_routes_is_reachable_on_the_public_listener(site: PublicSite) -> None:
    paths = _staff_paths(site)
    assert "/login" in paths and len(paths) > 10
    # The console's "/" is the phone pages' "type your code" form: the same path, but the
    # public app's page (no login, no redirect to it).
    status, _, home = http_get(site.public_url + "/")
    assert status == 200 and b"login" not in home.lower()
    _, _, not_found = http_get(site.public_url + "/t/no-such-ticket")
    for path in (p for p in paths if p != "/"):
        status, _, body = http_get(site.public_url + path)
        assert (status, body) == (404, not_found), path
    # Posting a staff form there is no different.
    status, _, body = _post(site.public_url + "/login", b"name=clerk1&password=x")
    assert status in (404, 405) and b"clerk" not in body


def _post(url: str, data: bytes) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10, context=insecure_context()) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_tokens_never_reach_the_logs(site: PublicSite, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = "tok-" + uuid.uuid4().hex
    site.ticket(token, number="K032")
    wait_for(lambda: http_get(f"{site.public_url}/t/{token}")[0] == 200,
             what="the ticket's page")
    http_get(f"{site.public_url}/t/{token}x")
    assert token not in caplog.text


def test_a_port_in_use_stops_the_phone_pages_only(broker: LocalBroker, tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with public_site(broker, tmp_path, public_port=port) as running:
            health = running.role().health()["web"]
            assert health["state"] == "error"
            assert health["problem"].startswith(
                f"cannot serve the phone pages on 127.0.0.1:{port}: ")
            assert "in use" in health["problem"]
            assert running.role().public is None
            assert answers(running.console_url)  # the staff console carries on


def _peer_certificate(url: str) -> bytes:
    host, port = url.removeprefix("https://").split(":")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, int(port)), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=host) as tls:
        certificate = tls.getpeercert(binary_form=True)
    assert certificate is not None
    return certificate
