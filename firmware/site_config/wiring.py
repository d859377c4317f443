"""The reference wiring of each kind of device: one place for the pins, from which the
wiring tables of README.md and docs/deploy.md are written, and against which their config
examples and the demo config are checked (tests/test_wiring_docs.py).

Every pin is still the config's to choose (nothing here is a default: a key that is not
configured is no key); these are the pins the docs recommend, so that every Pi of every site
is wired alike. `python -m firmware.site_config.wiring --write README.md docs/deploy.md`
rewrites the tables between their markers after a change here.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# The 40-pin header: BCM GPIO number -> physical pin.
HEADER_PIN = {2: 3, 3: 5, 4: 7, 17: 11, 27: 13, 22: 15, 10: 19, 9: 21, 11: 23, 0: 27, 5: 29,
              6: 31, 13: 33, 19: 35, 26: 37, 14: 8, 15: 10, 18: 12, 23: 16, 24: 18, 25: 22,
              8: 24, 7: 26, 1: 28, 12: 32, 16: 36, 20: 38, 21: 40}
GROUND_PINS = (6, 9, 14, 20, 25, 30, 34, 39)


@dataclass(frozen=True)
class Wire:
    part: str
    gpio: tuple[int, ...]  # BCM numbers; () for a part on USB, HDMI or audio
    wiring: str
    config: str  # what the site config says, as shown in the table
    key: str = ""  # the config field it checks against: "room_unit.staff.pin", "kiosk.key_up"


def _key(part: str, gpio: int, key: str, note: str = "") -> Wire:
    field = key.partition(".")[2]
    extra = f"; {note}" if note else ""
    return Wire(part, (gpio,), f"key → GND (pin {nearest_ground(gpio)}){extra}",
                f"`{field} = {gpio}`", key)


def _led(part: str, gpio: int, key: str, note: str) -> Wire:
    field = key.partition(".")[2]
    return Wire(part, (gpio,), f"→ 330 Ω → LED → GND; {note}", f"`{field} = {gpio}`", key)


def nearest_ground(gpio: int) -> int:
    pin = HEADER_PIN[gpio]
    return min(GROUND_PINS, key=lambda ground: (abs(ground - pin), ground))


KIOSK = (
    _key("key *up*", 5, "kiosk.key_up", "internal pull-up, 30 ms debounce"),
    _key("key *down*", 6, "kiosk.key_down"),
    _key("key *select*", 13, "kiosk.key_select"),
    _key("key *help*", 19, "kiosk.key_help", "press: read aloud; hold 1 s: one volume step; "
         "hold 2 s: ask the service advisor to come"),
    _led("status LED", 26, "kiosk.led_pin", "steady: fault; blinking: paper low"),
    Wire("thermal printer", (), "USB (`usb_vendor`/`usb_product` as `lsusb` shows them; Epson "
         "is `0x04b8`), serial, or network port 9100; status read with DLE EOT before and "
         "after each slip", "`[devices.printer]`"),
    Wire("barcode/QR reader", (), "USB-serial (CDC-ACM)", "`scanner_port`"),
    Wire("speaker", (), "3.5 mm / HDMI audio; espeak-ng (installed by `make` and the "
         "installer)", "–"),
)

ROOM_UNIT = (
    Wire("staff-side PIR (e.g. HC-SR501, 3.3 V output)", (17,),
         "OUT → GPIO; VCC 5 V (pin 2), GND (pin 9)",
         '`[devices.room_unit.staff]` `kind = "pir"`, `pin = 17`', "room_unit.staff.pin"),
    Wire("customer-side HLK-LD2410 radar", (15, 14),
         "TX → GPIO15/RXD, RX ← GPIO14/TXD, VCC 5 V (pin 4), GND (pin 6); UART 256000 baud "
         "8N1; enable the UART, disable the serial console",
         '`[devices.room_unit.customer]` `kind = "ld2410"`, `serial_port = "/dev/ttyAMA0"`'),
    Wire("any other presence contact (mat, switch)", (),
         "between a free GPIO and GND (or 3.3 V with `active_high = true`)",
         '`kind = "gpio"`, `pin`, `active_high`'),
    _key("key *call next*", 5, "room_unit.key_call_next", "internal pull-up; press: call "
         "next (on release); hold `long_press_s` (2 s): break on / off"),
    _key("key *recall*", 6, "room_unit.key_recall"),
    _key("key *no-show*", 13, "room_unit.key_no_show"),
    _key("key *complete*", 19, "room_unit.key_complete"),
    _led("confirmation LED", 26, "room_unit.led_pin",
         "one blink: done, three: refused"),
    _key("silent alarm key (out of the customer's sight)", 16, "room_unit.alarm_key",
         "internal pull-up; hold `[alarm] hold_s` (2 s): the guard is called; a shorter "
         "press does nothing"),
    _led("alarm LED (facing the clerk)", 20, "room_unit.alarm_led",
         "steady: the alarm is sent; a short blip every 2 s: seen (acknowledged); dark: "
         "none, or cleared"),
)

FEEDBACK = (
    Wire("face keys, worst face first", (5, 6, 13, 19),
         "each key → GND (internal pull-up); their number is the scale",
         "`keys = [5, 6, 13, 19]`", "feedback.keys"),
    Wire("an LED in each key, same order", (12, 16, 20, 21), "each → 330 Ω → LED → GND",
         "`leds = [12, 16, 20, 21]`", "feedback.leds"),
    _key("key *up*", 22, "feedback.key_up", "moves the focus ring, as on the kiosk"),
    _key("key *down*", 23, "feedback.key_down"),
    _key("key *select*", 24, "feedback.key_select"),
    _key("key *help*", 25, "feedback.key_help", "reads the screen aloud"),
)

DEVICES = {"kiosk": KIOSK, "room_unit": ROOM_UNIT, "feedback": FEEDBACK}


def reference_pins() -> dict[str, int | tuple[int, ...]]:
    """{"room_unit.key_call_next": 5, "feedback.keys": (5, 6, 13, 19), ...}."""
    pins: dict[str, int | tuple[int, ...]] = {}
    for wires in DEVICES.values():
        for wire in wires:
            if wire.key:
                pins[wire.key] = wire.gpio if wire.key.endswith("s") else wire.gpio[0]
    return pins


def _where(gpio: tuple[int, ...]) -> str:
    return ", ".join(f"GPIO{g} (pin {HEADER_PIN[g]})" for g in gpio) or "–"


def table(device: str) -> str:
    lines = ["| part | GPIO (header pin) | wiring | config |", "|---|---|---|---|"]
    lines += [f"| {w.part} | {_where(w.gpio)} | {w.wiring} | {w.config} |"
              for w in DEVICES[device]]
    return "\n".join(lines)


_BLOCK = re.compile(r"(<!-- wiring: (\w+) [^\n]*-->\n).*?(<!-- end wiring -->)", re.S)


def rewrite(text: str) -> str:
    """The doc with every marked wiring table written afresh from the tables above."""
    return _BLOCK.sub(lambda m: f"{m.group(1)}{table(m.group(2))}\n{m.group(3)}", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write the wiring tables into the docs")
    parser.add_argument("--write", nargs="+", type=Path, metavar="DOC", required=True)
    args = parser.parse_args(argv)
    for doc in args.write:
        text = doc.read_text(encoding="utf-8")
        doc.write_text(rewrite(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
