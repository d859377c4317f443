"""The self-test: every part a device has, each pass / fail / skipped with the fix.

Each check is a small function that takes its hardware as an argument (a printer transport,
a gpiozero pin factory, a way to ask the technician), so the tests run the same checks on
the libraries' own fakes: python-escpos's Dummy, gpiozero's MockFactory pins.
"""

from __future__ import annotations

import enum
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from firmware.roles import declared
from firmware.site_model import Device, SiteConfig


class Outcome(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Result:
    check: str
    outcome: Outcome
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return {**asdict(self), "outcome": self.outcome.value}


def passed(check: str, detail: str) -> Result:
    return Result(check, Outcome.PASS, detail)


def failed(check: str, detail: str, fix: str) -> Result:
    return Result(check, Outcome.FAIL, detail, fix)


def skipped(check: str, detail: str) -> Result:
    return Result(check, Outcome.SKIPPED, detail)


# -- config, broker, clock, disk -----------------------------------------------------------

def check_broker(config: SiteConfig, timeout: float = 5.0) -> Result:
    from firmware.admin.broker_client import AdminClient, BrokerError

    where = f"{config.broker.host}:{config.broker.port}"
    login = f" as {config.broker.username}" if config.broker.username else ""
    try:
        with AdminClient(config.broker, name="selftest").connect(timeout):
            pass
    except BrokerError as exc:
        return failed("broker", str(exc).split(";")[0],
                      ";".join(str(exc).split(";")[1:]).strip() or "check the broker")
    return passed("broker", f"connected to {where}{login}"
                  + (" over TLS" if config.broker.tls else ""))


def check_clock(config: SiteConfig, synchronised: bool | None, system_zone: str | None,
                now: datetime | None = None) -> list[Result]:
    results = []
    if synchronised:
        results.append(passed("clock", "synchronised by NTP"))
    elif synchronised is None:
        results.append(skipped("clock", "cannot tell whether the clock is synchronised"))
    else:
        shown = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
        results.append(failed(
            "clock", f"not synchronised (it says {shown}); tickets made now are marked "
            "'clock unsure'", "connect the network and allow NTP (UDP 123) to the time "
            "server; check with: timedatectl"))
    try:
        ZoneInfo(config.site.timezone)
    except ZoneInfoNotFoundError:
        results.append(failed("timezone", f"{config.site.timezone} is unknown",
                              "fix [site] timezone, e.g. Europe/Helsinki"))
        return results
    if system_zone == config.site.timezone:
        results.append(passed("timezone", system_zone))
    else:
        results.append(failed(
            "timezone", f"the system is on {system_zone or 'an unknown zone'}, the site on "
            f"{config.site.timezone} (logs would show other times than the screens)",
            f"sudo timedatectl set-timezone {config.site.timezone}"))
    return results


def system_timezone(localtime: Path = Path("/etc/localtime")) -> str | None:
    try:
        target = str(localtime.resolve())
    except OSError:
        return None
    marker = "/zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else None


def check_disk(path: Path, min_free_mb: int = 200) -> Result:
    try:
        usage = shutil.disk_usage(path)
    except OSError as exc:
        return failed("disk", f"{path}: {exc.strerror or exc}",
                      "mount the data partition at /var/lib/piste")
    free_mb = usage.free // (1 << 20)
    if free_mb < min_free_mb:
        return failed("disk", f"only {free_mb} MB free on {path}",
                      "free space: sudo journalctl --vacuum-size=50M; remove old releases "
                      "in /opt/piste/releases")
    return passed("disk", f"{free_mb} MB free on {path}")


# -- printer --------------------------------------------------------------------------------

PRINTER_FIXES = {
    "paper_out": "load a new paper roll (thermal side out) and close the cover",
    "cover_open": "close the printer cover until it clicks",
    "offline": "check the printer's power and cable; press FEED once",
    "unknown": "the printer did not answer: check power and cable, and that it is an "
               "ESC/POS printer set to the configured profile",
}


def check_printer(device: Device, printer: Any | None, test_ticket: bool,
                  site_name: str = "piste", tz: str = "Europe/Helsinki") -> Result:
    """`printer` is a ticket_printer TicketPrinter (None: the device has none)."""
    from ticket_printer.file_printer import FilePrinter
    from ticket_printer.slip import TicketSlip
    from ticket_printer.status import PrinterState, read_status

    if printer is None or device.printer.kind == "none":
        return skipped("printer", "this device has no printer")
    if test_ticket:
        slip = TicketSlip(site_name=site_name, number="T000", service_name="Testi / Test",
                          issued_at=datetime.now(ZoneInfo(tz)), ahead=0, eta_minutes=None,
                          lang="fi", note="piste selftest")
        result = printer.print_ticket(slip)
        state = result.state.value
        if not result.ok:
            return failed("printer", f"{printer.description}: {result.message}",
                          PRINTER_FIXES.get(state, PRINTER_FIXES["offline"]))
        return passed("printer", f"{printer.description}: test ticket {result.message}")
    if isinstance(printer.transport, FilePrinter):
        return passed("printer", f"{printer.description} (writes files)")
    try:
        state = read_status(printer.transport)
    except Exception as exc:  # a broken connection: a USB device gone, a refused socket
        return failed("printer", f"{printer.description}: {exc}", PRINTER_FIXES["offline"])
    finally:
        printer.close()
    if state in (PrinterState.OK, PrinterState.PAPER_LOW):
        note = "; paper is running low" if state is PrinterState.PAPER_LOW else ""
        return passed("printer", f"{printer.description}: ready{note}")
    return failed("printer", f"{printer.description}: {state.value.replace('_', ' ')}",
                  PRINTER_FIXES[state.value])


# -- screen and chime -------------------------------------------------------------------------

def check_screen(device: Device, show_s: float = 3.0) -> Result:
    if not declared().owns_screen(device):
        return skipped("screen", "this device has no screen role")
    import pygame

    from firmware.screen import Screen

    size = (device.screen.width, device.screen.height)
    screen = Screen("piste selftest", size, fullscreen=device.screen.fullscreen)
    try:
        if screen.problem:
            return failed("screen", screen.problem,
                          "check the HDMI cable (the port next to the power on a Pi 4/5), "
                          "that the piste user is in the video and render groups, and "
                          "that nothing else holds the screen (a desktop)")
        bars = [(255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0), (255, 0, 255),
                (255, 0, 0), (0, 0, 255), (0, 0, 0)]
        width = size[0] // len(bars) + 1
        for i, colour in enumerate(bars):
            pygame.draw.rect(screen.surface, colour, (i * width, 0, width, size[1]))
        screen.present()
        time.sleep(show_s)
        return passed("screen", f"{size[0]}x{size[1]} test pattern shown: eight colour bars")
    finally:
        screen.close()


def check_chime(device: Device) -> Result:
    if "display" not in device.roles or not device.chime:
        return skipped("chime", "this device plays no chime")
    from firmware.display.chime import Chime

    chime = Chime.open()
    if not chime.available:
        return failed("chime", chime.problem, "check the speaker or HDMI audio, and that the "
                      "piste user is in the audio group; try: speaker-test -c 2 -t sine")
    if not chime.play("selftest"):
        return failed("chime", "the sound could not be played", "check the volume: alsamixer")
    return passed("chime", "played (listen for it)")


# -- GPIO keys and sensors ------------------------------------------------------------------

Ask = Callable[[str], None]


def check_keys(keys: Sequence[tuple[str, Any]], pin_factory: Any, ask: Ask | None,
               timeout_s: float = 15.0) -> list[Result]:
    """Each key in turn: ask the technician to press it and wait for the edge."""
    if not keys:
        return [skipped("keys", "no GPIO keys in this device's config")]
    if ask is None:
        return [skipped(f"key {name}", "not asked (--no-prompt)") for name, _ in keys]
    from gpiozero import Button

    results = []
    for name, pin in keys:
        try:
            button = Button(pin, pin_factory=pin_factory)
        except Exception as exc:  # pin in use, no such pin, no GPIO access
            results.append(failed(f"key {name}", f"GPIO {pin}: {exc}",
                                  "check the pin number in the config and that the piste "
                                  "user is in the gpio group"))
            continue
        try:
            ask(f"press the key '{name}' (GPIO {pin}) within {timeout_s:g} s")
            if button.wait_for_press(timeout_s):
                results.append(passed(f"key {name}", f"GPIO {pin} pressed"))
            else:
                results.append(failed(f"key {name}", f"no press on GPIO {pin}",
                                      "check the wiring: the key connects the pin to GND"))
        finally:
            button.close()
    return results


def check_sensors(sensors: Sequence[tuple[str, int, bool]], pin_factory: Any
                  ) -> list[Result]:
    """Each digital sensor (PIR, radar OUT pin): (name, pin, active_high) gives a reading."""
    if not sensors:
        return [skipped("sensors", "no sensors in this device's config")]
    from gpiozero import DigitalInputDevice

    results = []
    for name, pin, active_high in sensors:
        try:
            # PIR and radar outputs drive the line both ways: no pull resistor.
            sensor = DigitalInputDevice(pin, pull_up=None, active_state=active_high,
                                        pin_factory=pin_factory)
        except Exception as exc:
            results.append(failed(f"sensor {name}", f"GPIO {pin}: {exc}",
                                  "check the pin number and the gpio group"))
            continue
        try:
            reading = "presence" if sensor.value else "nobody"
            results.append(passed(f"sensor {name}", f"GPIO {pin} reads {reading}"))
        finally:
            sensor.close()
    return results


KEY_FIELDS = {
    "kiosk": ("key_up", "key_down", "key_select", "key_help"),
    # The silent alarm key too: pressed briefly (as asked here) it sends nothing.
    "room_unit": ("key_call_next", "key_recall", "key_no_show", "key_complete", "alarm_key"),
    "feedback": ("key_up", "key_down", "key_select", "key_help"),
}


def keys_of(device: Device) -> list[tuple[str, int]]:
    """The GPIO keys the device config names (`[devices.kiosk]`, `[devices.room_unit]`,
    `[devices.feedback]` with its face keys, worst first)."""
    found = []
    for part, fields in KEY_FIELDS.items():
        section = getattr(device, part, None)
        for name in fields:
            pin = getattr(section, name, None)
            if pin is not None:
                found.append((name.removeprefix("key_").replace("_", " "), pin))
    faces = getattr(getattr(device, "feedback", None), "keys", ())
    found += [(f"face {i}" + (" (worst)" if i == 1 else " (best)" if i == len(faces) else ""),
               pin) for i, pin in enumerate(faces, start=1)]
    return found


def sensors_of(device: Device) -> list[tuple[str, Any]]:
    """(side, sensor config) of the room unit's GPIO sensors; serial radars are read by
    the room role itself and show in its health (`piste status`)."""
    unit = getattr(device, "room_unit", None)
    found = []
    for side in ("staff", "customer"):
        sensor = getattr(unit, side, None)
        if sensor is not None and getattr(sensor, "kind", "none") in ("pir", "gpio") \
                and sensor.pin is not None:
            found.append((side, sensor.pin, getattr(sensor, "active_high", True)))
    return found


def report(results: Sequence[Result]) -> str:
    marks = {Outcome.PASS: "PASS", Outcome.FAIL: "FAIL", Outcome.SKIPPED: "skip"}
    lines = []
    for r in results:
        lines.append(f"{marks[r.outcome]}  {r.check:<12} {r.detail}")
        if r.fix:
            lines.append(f"      {'':<12} fix: {r.fix}")
    failures = sum(r.outcome is Outcome.FAIL for r in results)
    lines.append(f"{failures} failed, {sum(r.outcome is Outcome.PASS for r in results)} "
                 f"passed, {sum(r.outcome is Outcome.SKIPPED for r in results)} skipped")
    return "\n".join(lines)
