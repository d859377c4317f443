"""The kiosk as a customer meets it, on real parts: a real Mosquitto and controller, pygame
with the SDL dummy driver (touches injected as events), gpiozero MockFactory pins for the
keys and the LED, a python-escpos Dummy that fails on cue, pyserial's loop:// scanner, and
espeak-ng through the project's Speaker."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pygame
import pytest
import serial
from gpiozero.pins.mock import MockFactory

from display_driver.kiosk_screen import focusable
from firmware.appointment_store import AppointmentStore, parse_csv
from firmware.clock import ShiftedClock
from firmware.kiosk_lockdown import hash_pin
from firmware.kiosk_texts import TEXTS
from firmware.ledger import Ledger
from firmware.roles.controller_role import ControllerRole
from firmware.roles.kiosk_role import KioskRole
from firmware.runtime import Runtime
from firmware.site_model import LANGS, KioskConfig
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from tests.helpers import RunningDevice, demo_config, wait_for
from ticket_printer.connection import TicketPrinter
from ticket_printer.decode import decode_ticket
from ticket_printer.fault_printer import FaultPrinter

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
KEYS = KioskConfig(key_up=5, key_down=6, key_select=13, key_help=19, led_pin=26)


class Kiosk:
    """A lobby device (controller + kiosk) and the handles a test needs."""

    def __init__(self, broker: Any, tmp_path: Path, *, cue: str = "ok",
                 kiosk: KioskConfig = KEYS, controller: bool = True, fullscreen: bool = False,
                 serial_for_url: Any = None) -> None:
        config = demo_config(broker)
        device = dataclasses.replace(
            config.device("lobby-1"), roles=("controller", "kiosk") if controller else ("kiosk",),
            kiosk=kiosk, screen=dataclasses.replace(config.device("lobby-1").screen,
                                                    fullscreen=fullscreen))
        self.config = dataclasses.replace(
            config, devices=tuple(device if d.id == device.id else d for d in config.devices))
        self.factory = MockFactory()
        self.printer = FaultPrinter(cue)
        self.role = KioskRole(printer=TicketPrinter(self.printer, description="fault printer"),
                              pin_factory=self.factory, serial_for_url=serial_for_url)
        roles = [ControllerRole(), self.role] if controller else [self.role]
        self.runtime = Runtime(self.config, device, ShiftedClock(TUESDAY_10), tmp_path, roles,
                               broker_host=broker.host, broker_port=broker.port,
                               uses_screen=True)
        self.device = RunningDevice(self.runtime)
        self.broker = broker

    def __enter__(self) -> Kiosk:
        self.device.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.device.__exit__(*exc)

    def loop(self, fn: Any) -> Any:
        return self.device.on_loop(fn)

    def phase(self) -> str:
        return self.loop(lambda: self.role.phase)

    def texts(self) -> list[str]:
        from display_driver.kiosk_screen import layout_kiosk_texts

        return self.loop(lambda: [t.text for t in layout_kiosk_texts(self.role.view(),
                                                                     self.role.screen.size)])

    def touch(self, action: str, arg: str | None = None, taps: int = 1) -> None:
        pos = wait_for(lambda: self.loop(lambda: self.role.button_at(action, arg)),
                       what=f"a button {action} {arg}")
        self.tap(pos, taps)

    def tap(self, pos: tuple[int, int], taps: int = 1) -> None:
        window = self.role.screen.window
        for _ in range(taps):
            for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
                pygame.event.post(pygame.event.Event(kind, pos=pos, button=1, window=window))

    def press(self, key: str, held: bool = False) -> None:
        pin = self.factory.pin(getattr(KEYS, f"key_{key}"))
        pin.drive_low()
        time.sleep(1.5 if held else 0.06)
        pin.drive_high()
        time.sleep(0.06)

    def led(self) -> bool:
        return bool(self.factory.pin(26).state)

    def ready(self) -> Kiosk:
        wait_for(lambda: self.phase() == "start", what="the start screen")
        return self

    def tickets(self) -> list[str]:
        return [decode_ticket(bytes(self.printer.output)).text]


def numbers_printed(printer: FaultPrinter) -> int:
    return decode_ticket(bytes(printer.output)).cuts


def test_a_touch_gives_one_ticket_even_when_the_screen_is_flooded(broker, tmp_path) -> None:
    with Kiosk(broker, tmp_path) as k:
        k.ready()
        pos = k.loop(lambda: k.role.button_center("kela"))
        # A shaky double tap, and a flood of every other event type on top.
        k.tap(pos, taps=30)
        for i in range(300):
            pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(i, i), rel=(1, 1),
                                                 buttons=(0, 0, 0)))
        wait_for(lambda: k.loop(lambda: k.role.ticket and k.role.ticket.printed),
                 what="the printed ticket")
        time.sleep(0.3)
        assert numbers_printed(k.printer) == 1
        texts = k.texts()
        assert "K001" in texts and TEXTS["fi"]["take_ticket"] in texts
        text = decode_ticket(bytes(k.printer.output)).text
        assert "K001" in text and "Kela" in text


@pytest.mark.parametrize("cue", ["paper_out", "cover_open", "offline", "paper_out_mid_ticket",
                                 "unplugged_mid_ticket"])
def test_a_printer_fault_never_loses_the_customers_place(broker, tmp_path, cue) -> None:
    with Kiosk(broker, tmp_path, cue=cue) as k, BlockingClient(
            broker.host, broker.port, k.config.site.id) as watcher:
        alerts = watcher.watch(topics.alert(k.config.site.id, "printer"))
        k.ready()
        assert not k.led()
        k.touch("lang", "en")
        wait_for(lambda: k.loop(lambda: k.role.lang) == "en", what="English")
        k.touch("issue", "vero")
        wait_for(lambda: k.loop(lambda: k.role.ticket and not k.role.ticket.printing),
                 what="the print result")
        texts = k.texts()
        assert "V001" in texts  # the number, large, on screen
        unprinted = " ".join(texts)
        assert "could not be printed" in unprinted and "Your number is valid" in unprinted
        assert k.led()  # the advisor sees the LED from across the lobby
        alert = json.loads(alerts.get(timeout=5)[1])
        assert alert["kind"] == "printer" and alert["severity"] == "critical"
        assert set(alert["message"]) == set(LANGS)
        assert alert["unprinted_ticket"] == "V001"
        health = k.loop(lambda: k.runtime.health())
        assert health["printer"]["state"] in ("paper_out", "cover_open", "offline")
        # The ticket is in the queue: the clerk calls exactly that number.
        answer = watcher.request(topics.CALL, {"room": "3", "services": ["vero"]})
        assert answer["ticket"]["number"] == "V001"


def test_paper_low_is_reported_before_it_runs_out(broker, tmp_path) -> None:
    with Kiosk(broker, tmp_path, cue="paper_low") as k, BlockingClient(
            broker.host, broker.port, k.config.site.id) as watcher:
        alerts = watcher.watch(topics.alert(k.config.site.id, "printer"))
        k.ready().touch("issue", "kela")
        wait_for(lambda: k.loop(lambda: k.role.ticket and k.role.ticket.printed),
                 what="the ticket")
        alert = json.loads(alerts.get(timeout=5)[1])
        assert alert["severity"] == "warning" and "paper" in alert["message"]["en"]
        assert "unprinted_ticket" not in alert
        assert k.loop(lambda: k.role.led.state) == "warning"  # blinking, not steady


def test_keys_and_speech_take_a_customer_through_in_english(broker, tmp_path) -> None:
    with Kiosk(broker, tmp_path) as k:
        k.ready()
        voice = k.role.voice
        k.press("help")  # speech starts and the screen is read in the UI language
        wait_for(lambda: any("Valitse palvelu" in s for s, _ in voice.spoken),
                 what="the start screen read aloud")
        assert all(lang == "fi" for _, lang in voice.spoken)
        for _ in range(3):
            k.press("down")  # Suomi, Svenska, English
        wait_for(lambda: ("English", "fi") in voice.spoken, what="the focused button said")
        k.press("select")
        wait_for(lambda: ("English, selected", "en") in voice.spoken, what="the toggle said")
        k.press("help", held=True)  # louder, and it says so
        wait_for(lambda: any(s.startswith("Volume") for s, _ in voice.spoken), what="volume")
        louder = voice.volume
        assert louder > KEYS.speech_volume
        k.press("down")  # from English down to Kela, the first authority
        assert k.loop(lambda: focusable(k.role.buttons)[k.role.focus].service_id) == "kela"
        k.press("select")
        wait_for(lambda: any("Your queue number is K, 0, 0, 1" in s for s, _ in voice.spoken),
                 what="the number spoken")
        assert numbers_printed(k.printer) == 1
        k.press("select")  # "Done": the next customer starts afresh
        wait_for(lambda: k.phase() == "start", what="the start")
        assert k.loop(lambda: (k.role.lang, voice.enabled, voice.volume)) == (
            "fi", False, KEYS.speech_volume)
        spoken = " ".join(s for s, _ in voice.spoken)
        assert "AB" not in spoken


def test_the_ticket_cap_is_friendly(broker, tmp_path) -> None:
    with Kiosk(broker, tmp_path, kiosk=dataclasses.replace(KEYS, tickets_per_minute=2)) as k:
        k.ready()
        for n in (1, 2):
            k.touch("issue", "kela")
            wait_for(lambda n=n: k.loop(lambda: k.role.ticket and k.role.ticket.number
                                        == f"K00{n}"), what=f"ticket {n}")
            k.touch("done")
            wait_for(lambda: k.phase() == "start", what="the start")
        k.touch("issue", "kela")
        wait_for(lambda: k.phase() == "limit", what="the cap")
        assert TEXTS["fi"]["limit"] in " ".join(k.texts())
        assert numbers_printed(k.printer) == 2


def test_a_timeout_warns_first_and_can_be_extended(broker, tmp_path) -> None:
    quick = dataclasses.replace(KEYS, idle_timeout_s=1.0, warning_s=1.0)
    with Kiosk(broker, tmp_path, kiosk=quick) as k:
        k.ready().touch("appointment")
        wait_for(lambda: k.phase() == "code", what="the keypad")
        k.touch("key", "A")
        wait_for(lambda: k.loop(lambda: k.role.seconds_left) is not None, what="the warning")
        assert TEXTS["fi"]["warning"] in k.texts()
        k.touch("more")  # more time: the code typed so far is kept
        wait_for(lambda: k.loop(lambda: (k.role.phase, k.role.code, k.role.seconds_left))
                 == ("code", "A", None), what="more time")
        wait_for(lambda: k.loop(lambda: k.role.seconds_left) is not None, what="a 2nd warning")
        wait_for(lambda: k.phase() == "start", timeout=5, what="back to the start")
        assert k.loop(lambda: k.role.code) == ""  # nothing of the customer is left


def write_appointments(tmp_path: Path, config: Any) -> None:
    rows, problems = parse_csv("time,service,code\n2026-12-01 10:30,kela,AB12CD34\n", config)
    assert problems == []
    ledger = Ledger(tmp_path / "ledger.sqlite")
    AppointmentStore(ledger).replace_days(rows)
    ledger.close()


def test_appointment_by_keypad_and_by_scanner(broker, tmp_path) -> None:
    port = serial.serial_for_url("loop://", timeout=0.2)
    k = Kiosk(broker, tmp_path, kiosk=dataclasses.replace(KEYS, scanner_port="loop://"),
              serial_for_url=lambda *a, **kw: port)
    write_appointments(tmp_path, k.config)
    with k:
        k.ready().touch("appointment")
        for char in "ZZ99":
            k.touch("key", char)
        k.touch("ok")
        wait_for(lambda: k.phase() == "refused", what="the refusal")
        assert "Tarkista koodi" in " ".join(k.texts())
        assert "ZZ99" not in " ".join(k.texts())
        k.touch("back")
        wait_for(lambda: k.phase() == "start", what="the start")
        # The reader sends noise, a cut frame and then the code.
        port.write(b"\x00\xff\xfe garbage\r\nAB12-cd34\r\n")
        wait_for(lambda: k.loop(lambda: k.role.ticket and not k.role.ticket.printing),
                 what="the checked-in ticket")
        ticket = k.loop(lambda: k.role.ticket)
        assert ticket.number == "K001" and ticket.appointment_at == "10.30"
        assert "Ajanvaraus klo 10.30" in k.texts()
        port.write(b"AB12CD34\r")  # checked in again: the same number, said so
        k.touch("done")
        wait_for(lambda: k.loop(lambda: k.role.ticket and k.role.ticket.again),
                 what="the same number again")
        assert k.loop(lambda: k.role.ticket.number) == "K001"


def test_out_of_order_in_three_languages_when_the_controller_is_away(broker, tmp_path) -> None:
    with Kiosk(broker, tmp_path, controller=False) as k:
        time.sleep(0.5)
        assert k.phase() == "error"
        texts = k.texts()
        for lang in LANGS:
            assert TEXTS[lang]["error"] in texts
        assert k.led()


def test_lockdown_leaves_only_by_chord_and_pin(broker, tmp_path) -> None:
    locked = dataclasses.replace(KEYS, technician_pin_hash=hash_pin("2468", rounds=1000))
    with Kiosk(broker, tmp_path, kiosk=locked, fullscreen=True) as k:
        k.ready()
        window = k.role.screen.window
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        for key, mod in ((pygame.K_ESCAPE, 0), (pygame.K_F4, pygame.KMOD_ALT),
                         (pygame.K_q, pygame.KMOD_CTRL)):
            for kind in (pygame.KEYDOWN, pygame.KEYUP):
                pygame.event.post(pygame.event.Event(kind, key=key, mod=mod, window=window))
        time.sleep(0.3)
        assert k.device.thread.is_alive() and k.phase() == "start"
        chord = pygame.KMOD_CTRL | pygame.KMOD_ALT | pygame.KMOD_SHIFT
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_END, mod=chord,
                                             window=window))
        wait_for(lambda: k.phase() == "pin", what="the PIN screen")
        for digit in "1111":
            k.touch("key", digit)
        k.touch("ok")
        wait_for(lambda: TEXTS["fi"]["pin_wrong"] in k.texts(), what="wrong PIN")
        for digit in "2468":
            k.touch("key", digit)
        assert "2468" not in " ".join(k.texts())  # masked
        k.touch("ok")
        k.device.thread.join(10)
        assert not k.device.thread.is_alive()
