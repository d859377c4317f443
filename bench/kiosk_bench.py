"""Kiosk figures: touch -> first ESC/POS byte, frame render time, idle CPU, and a slip's
ESC/POS bytes and render time without and with the phone's QR code.

Touch to first byte is measured from posting the finger's release to SDL's event queue to
the moment the first byte of that ticket reaches the printer transport (python-escpos's
Dummy, failing on no cue), through a real local Mosquitto and the controller's ledger
commit (WAL, synchronous=FULL). Twice: with the controller on the kiosk's own runtime, and
with the controller on a runtime of its own (its own MQTT client, as on another Pi).
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")

import pygame

from bench.common import report
from display_driver.png import offscreen_surface
from firmware.broker import LocalBroker
from firmware.clock import ShiftedClock
from firmware.controller.role import ControllerRole
from firmware.kiosk.role import KioskRole, kiosk_services
from firmware.kiosk.screen import KioskTicket, KioskView, render_kiosk
from firmware.runtime import Runtime
from firmware.site_model import SiteConfig
from mqtt_bridge.messages import ServiceState, Snapshot
from ticket_printer.connection import TicketPrinter
from ticket_printer.escpos_render import print_slip
from ticket_printer.fault_printer import FaultPrinter
from ticket_printer.slip import PhoneLink, TicketSlip

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


def _prepared(config: SiteConfig) -> SiteConfig:
    # Hundreds of tickets a minute: the cap and the closing cut-off would refuse them.
    lobby = config.device("lobby-1")
    assert lobby is not None
    device = dataclasses.replace(
        lobby, roles=("controller", "kiosk"),
        screen=dataclasses.replace(lobby.screen, fullscreen=False),
        kiosk=dataclasses.replace(lobby.kiosk, tickets_per_minute=100_000))
    return dataclasses.replace(
        config, rules=dataclasses.replace(config.rules, stop_issuing_before_closing=False),
        devices=tuple(device if d.id == device.id else d for d in config.devices))


def _on_loop(runtime: Runtime, fn: Any) -> Any:
    done, box = threading.Event(), {}

    def call() -> None:
        box["v"] = fn()
        done.set()

    runtime.post(call)
    done.wait(5)
    return box.get("v")


def _touch_to_first_byte(config: SiteConfig, separate: bool, n: int) -> list[float]:
    config = _prepared(config)
    device = config.device("lobby-1")
    assert device is not None
    fake = FaultPrinter("ok")
    kiosk = KioskRole(printer=TicketPrinter(fake, description="bench"))
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(Path(tmp) / "broker") as broker:
        runtimes = []
        kiosk_roles: list[Any] = [kiosk] if separate else [ControllerRole(), kiosk]
        runtimes.append(Runtime(config, dataclasses.replace(device, roles=("kiosk",))
                                if separate else device, ShiftedClock(TUESDAY_10), Path(tmp),
                                kiosk_roles, broker_host=broker.host, broker_port=broker.port,
                                uses_screen=True))
        if separate:
            runtimes.append(Runtime(config, dataclasses.replace(device, roles=("controller",)),
                                    ShiftedClock(TUESDAY_10), Path(tmp), [ControllerRole()],
                                    broker_host=broker.host, broker_port=broker.port,
                                    client_suffix="-controller"))
        threads = [threading.Thread(target=r.run, daemon=True) for r in runtimes]
        for t in threads:
            t.start()
        samples: list[float] = []
        try:
            kiosk_rt = runtimes[0]
            deadline = time.monotonic() + 15
            while kiosk.phase != "start" and time.monotonic() < deadline:
                time.sleep(0.02)
            for i in range(n + 5):
                pos = None
                while pos is None:
                    pos = _on_loop(kiosk_rt, lambda: kiosk.button_center("kela"))
                before = len(fake.first_byte_at)
                t0 = time.perf_counter()
                pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1,
                                                     window=kiosk.screen.window))
                while len(fake.first_byte_at) == before:
                    time.sleep(0.0002)
                if i >= 5:  # the first few warm up caches and connections
                    samples.append(fake.first_byte_at[-1] - t0)
                while _on_loop(kiosk_rt, lambda: kiosk.ticket and kiosk.ticket.printing):
                    time.sleep(0.001)
                _on_loop(kiosk_rt, kiosk.back_to_start)
        finally:
            for r in runtimes:
                r.request_stop("bench over")
            for t in threads:
                t.join(10)
    return samples


def _render_times(config: SiteConfig, n: int = 60) -> list[float]:
    surface = offscreen_surface(1920, 1080)
    rows = tuple(ServiceState(s.id, open=i % 3 != 1) for i, s in enumerate(config.services))
    services = kiosk_services(Snapshot(seq=None, day=None, services=rows), config, "fi")
    views = [KioskView(config.site.name.fi, services, "start", None, "", "fi", TUESDAY_10),
             KioskView(config.site.name.fi, services, "ticket",
                       KioskTicket("K042", "Kela", 4, 18), "", "fi", TUESDAY_10),
             KioskView(config.site.name.fi, services, "code", None, "", "fi", TUESDAY_10,
                       code="AB12")]
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        render_kiosk(surface, views[i % len(views)])
        times.append(time.perf_counter() - t0)
    return times


def _slip_renders(phone: PhoneLink | None, n: int = 2000) -> tuple[int, list[float]]:
    """One slip's ESC/POS bytes, and the time to make them (layout + python-escpos encoding,
    onto python-escpos's Dummy): what the kiosk adds before the printer's own speed."""
    from escpos.printer import Dummy

    slip = TicketSlip("Suomi-piste Lappeenranta", "K042", "Kela", TUESDAY_10, 4, 18, "fi",
                      phone=phone)
    printer = Dummy(profile="TM-T20II")
    times = []
    for _ in range(n):
        printer.clear()
        t0 = time.perf_counter()
        print_slip(printer, slip)
        times.append(time.perf_counter() - t0)
    return len(printer.output), times


def _idle_cpu(config: SiteConfig, seconds: float = 5.0) -> tuple[float, int]:
    config = _prepared(config)
    device = config.device("lobby-1")
    assert device is not None
    kiosk = KioskRole(printer=TicketPrinter(FaultPrinter("ok"), description="bench"))
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(Path(tmp) / "broker") as broker:
        runtime = Runtime(config, device, ShiftedClock(TUESDAY_10), Path(tmp),
                          [ControllerRole(), kiosk], broker_host=broker.host,
                          broker_port=broker.port, uses_screen=True)
        thread = threading.Thread(target=runtime.run, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 15
            while kiosk.phase != "start" and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(1.0)
            frames = kiosk.frames
            cpu0, wall0 = time.process_time(), time.perf_counter()
            time.sleep(seconds)
            cpu = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
            drawn = kiosk.frames - frames
        finally:
            runtime.request_stop("bench over")
            thread.join(10)
    return cpu * 100, drawn


def run(config: SiteConfig, n: int = 200) -> list[str]:
    same = _touch_to_first_byte(config, separate=False, n=n)
    apart = _touch_to_first_byte(config, separate=True, n=n)
    renders = _render_times(config)
    cpu, drawn = _idle_cpu(config)
    plain_bytes, plain = _slip_renders(None)
    phone = PhoneLink("https://jono.example.fi/t/Qx7_k2Lm9PzR-4vTa8Yc0w", "7KQ2-M9XD-PW4R-H8TZ")
    qr_bytes, with_qr = _slip_renders(phone)
    return [
        report(f"slip -> ESC/POS, no phone link ({plain_bytes} bytes)", plain),
        report(f"slip -> ESC/POS, QR code + code ({qr_bytes} bytes)", with_qr),
        report("kiosk touch -> first ESC/POS byte (controller in-process)", same),
        report("kiosk touch -> first ESC/POS byte (controller own client)", apart),
        report("kiosk frame render 1920x1080 (start/ticket/keypad)", renders),
        f"{'kiosk idle (controller + kiosk, 5 s)':<48} CPU {cpu:5.1f} %   frames drawn {drawn}"
        f"   (median render {statistics.median(renders) * 1000:.1f} ms)",
    ]
