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
                 kiosk: KioskConfig = KEYS, controller: bool = True, fullscreen: bool = False,
                 serial_for_url: Any = None, monotonic: Any = time.monotonic,
                 starting_grace_s: float = 20.0) -> None:
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
                              pin_factory=self.factory, serial_for_url=serial_for_url,
                              monotonic=monotonic, starting_grace_s=starting_grace_s)
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
    rows, problems = parse_csv("time,service,code\n2026-12-01 10:30,kela,AB12CD34\n"
                               "2026-12-01 12:00,vero,LATER123\n", config)
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
        for char in "ZZ99ZZ99":
            k.touch("key", char)
        k.touch("ok")
        wait_for(lambda: k.phase() == "refused", what="the refusal")
        unknown = k.texts()
        assert "Tällä koodilla ei saa vuoronumeroa nyt." in unknown
        assert "60 minuuttia ennen" in " ".join(unknown)  # the site's rule, in words
        assert "ZZ99" not in " ".join(unknown)
        k.touch("back")
        wait_for(lambda: k.phase() == "start", what="the start")
        # A real code two hours early looks exactly like a wrong one: no time, no hint.
        port.write(b"LATER123\r\n")
        wait_for(lambda: k.phase() == "refused", what="the too-early refusal")
        assert k.texts() == unknown and "12.00" not in " ".join(k.texts())
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


def test_starting_then_out_of_order_when_the_controller_is_away(broker, tmp_path) -> None:
    with Kiosk(broker, tmp_path, controller=False, starting_grace_s=1.0) as k:
        # The first frames, before any state: "starting", in every language; never an alarm.
        assert k.phase() == "starting"
        texts = k.texts()
        for lang in LANGS:
            assert TEXTS[lang]["starting"] in texts and TEXTS[lang]["error"] not in texts
        # No controller within the grace: now the kiosk is out of order, and says so.
        wait_for(lambda: k.phase() == "error", what="out of order after the grace")
        texts = k.texts()
        for lang in LANGS:
            assert TEXTS[lang]["error"] in texts
        assert k.led()


def test_a_kiosk_with_its_controller_goes_from_starting_to_the_services(broker, tmp_path
                                                                         ) -> None:
    with Kiosk(broker, tmp_path) as k:
        wait_for(lambda: k.phase() == "start", what="the start screen")
        assert TEXTS["fi"]["starting"] not in k.texts()


def chord(k: Kiosk) -> None:
    mods = pygame.KMOD_CTRL | pygame.KMOD_ALT | pygame.KMOD_SHIFT
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_END, mod=mods,
                                         window=k.role.screen.window))
    wait_for(lambda: k.phase() == "pin", what="the PIN screen")


def type_pin(k: Kiosk, pin: str, *, opens: bool = False) -> None:
    for digit in pin:
        k.touch("key", digit)
    wait_for(lambda: k.loop(lambda: len(k.role.code)) == len(pin), what="the digits")
    k.touch("ok")
    if not opens:  # a kiosk that opens has stopped its loop: nothing to ask it then
        wait_for(lambda: k.loop(lambda: k.role.code) == "", what="the PIN taken")


def test_lockdown_leaves_only_by_chord_and_pin(broker, tmp_path) -> None:
    locked = dataclasses.replace(KEYS, technician_pin_hash=hash_pin("246813", rounds=1000))
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
        for digit in "111111":
            k.touch("key", digit)
        k.touch("ok")
        wait_for(lambda: "Väärä PIN-koodi." in " ".join(k.texts()), what="wrong PIN")
        time.sleep(1.1)  # the first wrong PIN costs a second before the next is checked
        for digit in "246813":
            k.touch("key", digit)
        assert "246813" not in " ".join(k.texts())  # masked
        k.touch("ok")
        k.device.thread.join(10)
        assert not k.device.thread.is_alive()


def test_an_old_four_digit_pin_no_longer_opens_the_kiosk(broker, tmp_path) -> None:
    old = dataclasses.replace(KEYS, technician_pin_hash=hash_pin("2468", rounds=1000))
    with Kiosk(broker, tmp_path, kiosk=old) as k:
        k.ready()
        chord(k)
        type_pin(k, "2468")
        wait_for(lambda: "PIN-koodissa on vähintään 6 numeroa." in k.texts(),
                 what="the PIN length said")
        time.sleep(0.3)
        assert k.device.thread.is_alive() and k.phase() == "pin"
        assert k.loop(lambda: k.role.pin_guard.failures) == 0  # not a wrong try: not checked


def test_wrong_pins_slow_the_next_try_and_then_lock_the_pin_screen(broker, tmp_path,
                                                                    caplog) -> None:
    clock = SteppedTime()
    pin = dataclasses.replace(KEYS, technician_pin_hash=hash_pin("246813", rounds=1000))
    with Kiosk(broker, tmp_path, kiosk=pin, monotonic=clock) as k, BlockingClient(
            broker.host, broker.port, k.config.site.id) as watcher:
        health = watcher.watch(topics.device_health(k.config.site.id, "lobby-1"))
        k.ready()
        chord(k)
        type_pin(k, "111111")
        wait_for(lambda: "Väärä PIN-koodi. Seuraavan voi antaa hetken kuluttua." in k.texts(),
                 what="the wait after a wrong PIN")
        type_pin(k, "246813")  # the right PIN, but within the second: not even checked
        time.sleep(0.3)
        assert k.device.thread.is_alive()
        for wait in (1, 2, 4, 8):  # each wrong PIN doubles the wait
            clock.now += wait
            type_pin(k, "111111")
        wait_for(lambda: "Liian monta väärää PIN-koodia. Seuraavan voi antaa 15 minuutin "
                 "kuluttua." in k.texts(), what="the lockout")
        clock.now += 14 * 60
        type_pin(k, "246813")  # locked: the right PIN does nothing either
        wait_for(lambda: "Liian monta väärää PIN-koodia. Seuraavan voi antaa 60 sekunnin "
                 "kuluttua." in k.texts(), what="the lockout counting down")
        assert k.device.thread.is_alive()
        # The service team sees the tries in the kiosk's health, as counts only.
        report = wait_for(lambda: _last_pin_health(health, 5), what="the health report")
        assert report == {"failed": 5, "lockouts": 1, "locked": True}
        # Leaving the PIN screen does not end the lockout.
        k.touch("cancel")
        wait_for(lambda: k.phase() == "start", what="the start")
        chord(k)
        assert any(t.startswith("Liian monta väärää PIN-koodia") for t in k.texts())
        clock.now += 60
        type_pin(k, "246813", opens=True)
        k.device.thread.join(10)
        assert not k.device.thread.is_alive()
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "wrong technician PIN" in logged and "no PIN is checked for 15 minutes" in logged
    assert "111111" not in logged and "246813" not in logged


def _last_pin_health(health: Any, failed: int) -> dict[str, Any] | None:
    """The newest health report whose PIN counts reached `failed`, if one has come."""
    while not health.empty():
        report = json.loads(health.get()[1]).get("technician_pin")
        if report and report["failed"] >= failed:
            return report
    return None


def test_the_controllers_new_refusals_are_told_plainly(broker, tmp_path) -> None:
    clock = SteppedTime()
    with Kiosk(broker, tmp_path, monotonic=clock) as k:
        k.ready()

        def answer(code: str, **details: Any) -> None:
            # The controller's answer as it arrives on the reply topic (the limits that
            # make it are the controller's, tested there).
            k.loop(lambda: k.role._issued({"ok": False, "error": {
                "code": code, "message": "from the controller", **details}}))
            wait_for(lambda: k.phase() == "refused", what=f"the {code} screen")

        answer("too_many_attempts", retry_after_s=40)
        assert "Tällä laitteella on annettu liian monta väärää koodia." in shown(k)
        assert "Voit yrittää uudelleen 40 sekunnin kuluttua tai kysyä palveluneuvojalta." \
            in shown(k)
        clock.now += 30  # the wait on screen counts down, so it stays true
        wait_for(lambda: "Voit yrittää uudelleen 10 sekunnin kuluttua tai kysyä "
                 "palveluneuvojalta." in shown(k), what="the wait counting down")
        assert "from the controller" not in shown(k)  # its words are for logs, not people
        k.touch("back")
        wait_for(lambda: k.phase() == "start", what="the start")
        k.touch("lang", "en")
        wait_for(lambda: k.loop(lambda: k.role.lang) == "en", what="English")
        answer("rate_limited", retry_after_s=25)
        assert "Many queue numbers were just taken here. Please wait a moment." in shown(k)
        assert "You can take a number in 25 seconds." in shown(k)
        answer("forbidden")
        assert "This kiosk cannot give a queue number." in shown(k)
        answer("too_many_attempts", retry_after_s="soon")  # not a number: no number shown
        assert "You can try again in a moment, or ask the service advisor." in shown(k)


def shown(k: Kiosk) -> str:
    """Every text on the screen as one line (long messages are wrapped on screen)."""
    return " ".join(k.texts())
