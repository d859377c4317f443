"""Issue 25 end to end, on real parts: a customer takes a number on the kiosk in their own
language, the kiosk prints it on its file printer, the QR code is read back from the ESC/POS
bytes, and the address in it opens the ticket's page in Chromium at a phone's size, on the
site's public listener and through the central relay. The place falls as clerks call; the
customer's own call says which room, in the ticket's language; a recall says it again.

Two Mosquittos (the site's, bridged to the central one by the config `piste bridge-config`
writes), the controller, the kiosk (SDL dummy) and the web role each on a device thread of
its own, `piste public`'s relay in this process: nothing here is a stand-in.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pygame
import pytest

from firmware.broker import LocalBroker, free_port
from firmware.central.bridge import BridgeSettings, bridge_conf
from firmware.central.public_relay import PublicRelay, RelaySettings
from firmware.clock import ShiftedClock
from firmware.phone.texts import TEXTS
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from testkit.console_site import device_runtime, site_config, write_users
from testkit.devices import DeviceThread
from tests.helpers import RunningDevice, wait_for
from tests.web_site import browser, shown_text
from ticket_printer.decode import decode_ticket


@dataclasses.dataclass
class Lobby:
    site: str
    site_broker: LocalBroker
    kiosk: RunningDevice
    relay: PublicRelay
    tickets: Path
    public_url: str

    def take_number(self, service: str, lang: str) -> str:
        """Touch the language and the authority on the kiosk's screen; the page address in
        the QR code of the slip it prints (read back from the ESC/POS file)."""
        before = set(self.tickets.glob("*.escpos"))
        role = self.kiosk.role("kiosk")
        if lang != "fi":
            self._tap(lambda: role.button_at("lang", lang))
        self._tap(lambda: role.button_at("issue", service))
        slip = wait_for(lambda: next(iter(set(self.tickets.glob("*.escpos")) - before), None),
                        timeout=15, what="the printed ticket")
        codes = decode_ticket(slip.read_bytes()).qr_codes
        assert len(codes) == 1, "one QR code on the slip"
        self.kiosk.on_loop(role.back_to_start)  # the customer takes the slip and goes
        return codes[0].text

    def _tap(self, where: Any) -> None:
        pos = wait_for(lambda: self.kiosk.on_loop(where), what="the button on the kiosk")
        window = self.kiosk.role("kiosk").screen.window
        for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            pygame.event.post(pygame.event.Event(kind, pos=pos, button=1, window=window))

    def clerk(self, command: str, room: str) -> dict[str, Any]:
        with BlockingClient(self.site_broker.host, self.site_broker.port, self.site,
                            client=f"clerk-{room}") as client:
            answer = client.request(command, {"request_id": str(uuid.uuid4()), "room": room,
                                              "services": []}, timeout=10)
        assert answer["ok"], answer
        return answer


@pytest.fixture
def lobby(tmp_path: Path) -> Iterator[Lobby]:
    with ExitStack() as stack:
        central = stack.enter_context(LocalBroker(tmp_path / "central",
                                                  extra_conf=["allow_anonymous true"]))
        data = tmp_path / "site"
        data.mkdir()
        public_port = free_port()
        config = site_config(data, free_port())
        site = config.site.id
        conf = bridge_conf(BridgeSettings(site, central.host, central.port))
        site_broker = stack.enter_context(LocalBroker(
            tmp_path / "site-broker", extra_conf=["allow_anonymous true", *conf.splitlines()]))
        devices = tuple(dataclasses.replace(d, roles=("controller",)) if d.id == "lobby-1"
                        else d for d in config.devices)  # the kiosk has the screen
        config = dataclasses.replace(
            config, devices=devices,
            broker=dataclasses.replace(config.broker, host=site_broker.host,
                                       port=site_broker.port),
            phone=dataclasses.replace(config.phone, enabled=True,
                                      base_url=f"https://127.0.0.1:{public_port}/t/",
                                      public_port=public_port, public_bind="127.0.0.1"))
        write_users(data / "web-users.toml")
        # Next Tuesday at ten, running in real time: the authorities are open, and the
        # ticket's day (its page's validity) is still ahead for the relay's own clock.
        clock = ShiftedClock(next_tuesday_at_ten(config.site.timezone))
        for device in ("lobby-1", "console"):
            stack.enter_context(DeviceThread(device_runtime(config, device, data / device,
                                                            clock, site_broker)))
        kiosk = stack.enter_context(RunningDevice(device_runtime(config, "kiosk-1",
                                                                 data / "kiosk-1", clock,
                                                                 site_broker)))
        wait_for(lambda: kiosk.on_loop(lambda: kiosk.role("kiosk").phase) == "start",
                 timeout=15, what="the kiosk's start screen")
        relay = PublicRelay(RelaySettings(central.host, central.port, bind="127.0.0.1",
                                          http_port=0))
        relay.connect()
        relay.start()
        stack.callback(relay.stop)
        wait_for(lambda: relay.server.started, what="the relay to listen")
        yield Lobby(site, site_broker, kiosk, relay, data / "tickets",
                    f"https://127.0.0.1:{public_port}")


def next_tuesday_at_ten(timezone: str) -> datetime:
    today = date.today()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    return datetime.combine(tuesday, time(10, 0), tzinfo=ZoneInfo(timezone))


def text(page: Any, css: str) -> str:
    return shown_text(page, css) or ""


def test_a_customer_follows_their_turn_on_a_phone_at_the_site_and_through_the_relay(
        lobby: Lobby) -> None:
    urls = {lang: lobby.take_number("kela", lang) for lang in ("fi", "sv", "en")}
    for url in urls.values():
        assert url.startswith(f"{lobby.public_url}/t/")
    relayed = {lang: f"http://127.0.0.1:{lobby.relay.port}{url[len(lobby.public_url):]}"
               for lang, url in urls.items()}
    with browser(360, 740) as site_page, browser(360, 740) as relay_page:
        # The English customer, third in line, at the site and through the relay.
        site_page.get(urls["en"])
        wait_for(lambda: lobby.relay.server.store.find(urls["en"].rsplit("/", 1)[1]),
                 timeout=15, what="the ticket at the central relay")
        relay_page.get(relayed["en"])
        two_ahead = TEXTS["en"]["ahead"].format(ahead=2)
        for page in (site_page, relay_page):
            wait_for(lambda p=page: text(p, "#ahead") == two_ahead, timeout=15,
                     what="two people ahead")
        lobby.clerk(topics.CALL, "1")  # the Finnish customer is called: the place falls
        lobby.clerk(topics.CALL, "2")  # and the Swedish one
        nobody = TEXTS["en"]["ahead"].format(ahead=0)
        for page in (site_page, relay_page):
            wait_for(lambda p=page: text(p, "#ahead") == nobody, timeout=15,
                     what="nobody ahead any more")
        called = lobby.clerk(topics.CALL, "1")["ticket"]
        number = called["number"]
        for page in (site_page, relay_page):
            wait_for(lambda p=page: number in text(p, "#say") and "Room 1" in text(p, "#say"),
                     timeout=15, what="the call on the page")
        # The Swedish and the Finnish customers' pages, in their own languages.
        site_page.get(urls["sv"])
        wait_for(lambda: "Rum 2" in text(site_page, "#say"), timeout=15,
                 what="the Swedish customer's call to room 2")
        # The Finnish customer, served (room 1 called the next one): told so, in Finnish.
        relay_page.get(relayed["fi"])
        wait_for(lambda: TEXTS["fi"]["done"] in text(relay_page, "body"), timeout=15,
                 what="the Finnish customer's visit complete")
