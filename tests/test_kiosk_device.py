"""The kiosk as a customer meets it, end to end on real parts: a real Mosquitto and
controller, pygame with the SDL dummy driver (touches injected as events), gpiozero
MockFactory pins for the keys and the LED, a python-escpos Dummy that fails on cue, pyserial's
loop:// scanner, and espeak-ng through the project's Speaker.

Three walks through the whole device; what the kiosk decides (languages, the cap, refusals,
timeouts, the PIN's waits, speech) is tested on its pure flow in tests/test_kiosk_flow.py."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pygame
import serial
from gpiozero.pins.mock import MockFactory

from display_driver.layout import focusable
from firmware.clock import ShiftedClock
from firmware.controller.appointment_store import AppointmentStore, parse_csv
from firmware.controller.ledger import Ledger
from firmware.controller.role import ControllerRole
from firmware.kiosk.lockdown import hash_pin
from firmware.kiosk.role import KioskRole
from firmware.kiosk.texts import TEXTS
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
                 kiosk: KioskConfig = KEYS, fullscreen: bool = False,
                 serial_for_url: Any = None, monotonic: Any = time.monotonic) -> None:
        config = demo_config(broker)
        device = dataclasses.replace(
            config.device("lobby-1"), roles=("controller", "kiosk"),
            kiosk=kiosk, screen=dataclasses.replace(config.device("lobby-1").screen,
                                                    fullscreen=fullscreen))
        self.config = dataclasses.replace(
            config, devices=tuple(device if d.id == device.id else d for d in config.devices))
        self.factory = MockFactory()
        self.printer = FaultPrinter(cue)
        self.role = KioskRole(printer=TicketPrinter(self.printer, description="fault printer"),
                              pin_factory=self.factory, serial_for_url=serial_for_url,
                              monotonic=monotonic)
        self.runtime = Runtime(self.config, device, ShiftedClock(TUESDAY_10), tmp_path,
                               [ControllerRole(), self.role],
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
        from firmware.kiosk.screen import layout_kiosk_texts

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


class SteppedTime:
    """Monotonic seconds that move only when the test says: a 15-minute lockout in no time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def numbers_printed(printer: FaultPrinter) -> int:
    return decode_ticket(bytes(printer.output)).cuts


def test_a_locked_kiosk_gives_one_ticket_a_touch_and_opens_only_to_the_pin(broker, tmp_path
                                                                         ) -> None:
    clock = SteppedTime()
    locked = dataclasses.replace(KEYS, technician_pin_hash=hash_pin("246813", rounds=1000))
    with Kiosk(broker, tmp_path, kiosk=locked, fullscreen=True, monotonic=clock) as k:
        k.ready()
        assert TEXTS["fi"]["starting"] not in k.texts()  # the controller came: the services
        window = k.role.screen.window
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        for key, mod in ((pygame.K_ESCAPE, 0), (pygame.K_F4, pygame.KMOD_ALT),
                         (pygame.K_q, pygame.KMOD_CTRL)):
            for kind in (pygame.KEYDOWN, pygame.KEYUP):
                pygame.event.post(pygame.event.Event(kind, key=key, mod=mod, window=window))
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
        assert k.device.thread.is_alive()  # no close, Escape, Alt+F4 or Ctrl+Q left it
        k.touch("done")
        wait_for(lambda: k.phase() == "start", what="the start")
        chord(k)
        type_pin(k, "111111")  # on the screen's keypad
        wait_for(lambda: "Väärä PIN-koodi." in " ".join(k.texts()), what="wrong PIN")
        clock.now += 1.1  # the first wrong PIN costs a second before the next is checked
        for digit in "246813":  # on a keyboard
            for kind in (pygame.KEYDOWN, pygame.KEYUP):
                pygame.event.post(pygame.event.Event(kind, key=getattr(pygame, f"K_{digit}"),
                                                     mod=0, window=window))
        wait_for(lambda: k.loop(lambda: len(k.role.code)) == 6, what="the digits")
        assert "246813" not in " ".join(k.texts())  # masked
        k.touch("ok")
        k.device.thread.join(10)
        assert not k.device.thread.is_alive()


def test_a_printer_fault_never_loses_the_customers_place(broker, tmp_path) -> None:
    with Kiosk(broker, tmp_path, cue="paper_out_mid_ticket") as k, BlockingClient(
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
        assert health["printer"]["state"] == "paper_out"
        assert health["display"] == {"phase": "ticket"}
        # The ticket is in the queue: the clerk calls exactly that number.
        answer = watcher.request(topics.CALL, {"room": "3", "services": ["vero"]})
        assert answer["ticket"]["number"] == "V001"


def write_appointments(tmp_path: Path, config: Any) -> None:
    rows, problems = parse_csv("time,service,code\n2026-12-01 10:30,kela,AB12CD34\n"
                               "2026-12-01 12:00,vero,LATER123\n", config)
    assert problems == []
    ledger = Ledger(tmp_path / "ledger.sqlite")
    AppointmentStore(ledger).replace_days(rows)
    ledger.close()


def test_keys_speech_and_the_scanner_take_customers_through(broker, tmp_path) -> None:
    port = serial.serial_for_url("loop://", timeout=0.2)
    k = Kiosk(broker, tmp_path, kiosk=dataclasses.replace(KEYS, scanner_port="loop://"),
              serial_for_url=lambda *a, **kw: port)
    write_appointments(tmp_path, k.config)
    with k:
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
        # A real code two hours early looks exactly like a wrong one: no time, no hint.
        port.write(b"LATER123\r\n")
        wait_for(lambda: k.phase() == "refused", what="the too-early refusal")
        refused = " ".join(k.texts())
        assert "Tällä koodilla ei saa vuoronumeroa nyt." in refused
        assert "60 minuuttia ennen" in refused and "12.00" not in refused
        k.touch("back")
        wait_for(lambda: k.phase() == "start", what="the start")
        # The reader sends noise, a cut frame and then the code.
        port.write(b"\x00\xff\xfe garbage\r\nAB12-cd34\r\n")
        wait_for(lambda: k.loop(lambda: k.role.ticket and not k.role.ticket.printing),
                 what="the checked-in ticket")
        ticket = k.loop(lambda: k.role.ticket)
        assert ticket.number == "K002" and ticket.appointment_at == "10.30"
        assert "Ajanvaraus klo 10.30" in k.texts()
        spoken = " ".join(s for s, _ in voice.spoken)
        assert "AB12" not in spoken and "LATER" not in spoken


def chord(k: Kiosk) -> None:
    mods = pygame.KMOD_CTRL | pygame.KMOD_ALT | pygame.KMOD_SHIFT
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_END, mod=mods,
                                         window=k.role.screen.window))
    wait_for(lambda: k.phase() == "pin", what="the PIN screen")


def type_pin(k: Kiosk, pin: str) -> None:
    for digit in pin:
        k.touch("key", digit)
    wait_for(lambda: k.loop(lambda: len(k.role.code)) == len(pin), what="the digits")
    k.touch("ok")
    wait_for(lambda: k.loop(lambda: k.role.code) == "", what="the PIN taken")
