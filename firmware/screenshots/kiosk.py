"""`piste screenshot kiosk --config FILE --out DIR`: a PNG of every kiosk screen in each
language (`start-fi.png`, `ticket-sv.png`, ...), the large-text mode, portrait, and a
preview of the printed ticket per language.

Drawn headless from a real controller morning on the site's own config: the authorities,
their opening times and the numbers are what the controller says, not made-up samples.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from escpos.printer import Dummy

from display_driver.png import offscreen_surface, save_png
from firmware.controller.local_queue import LocalQueue
from firmware.core.plural import counted
from firmware.core.survey import shipped_survey
from firmware.kiosk.lockdown import LOCKOUT_S
from firmware.kiosk.role import kiosk_services, min_target_px
from firmware.kiosk.screen import KioskTicket, KioskView, kiosk_text_px, render_kiosk
from firmware.kiosk.texts import text, wait_words
from firmware.site_model import LANGS, KioskConfig, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.messages import Snapshot
from ticket_printer.escpos_render import print_slip
from ticket_printer.preview import render_preview_png
from ticket_printer.slip import TicketSlip


def _next_tuesday_morning(config: SiteConfig) -> datetime:
    zone = ZoneInfo(config.site.timezone)
    day = datetime(2026, 12, 1, 10, 5, tzinfo=zone)  # a Tuesday most services are open
    return day if day.weekday() == 1 else day + timedelta(days=(1 - day.weekday()) % 7)


def _morning(config: SiteConfig) -> tuple[Snapshot, dict, datetime]:
    """A controller's snapshot after a few tickets, and the last ticket it issued."""
    now = _next_tuesday_morning(config)
    queue = LocalQueue(config, now - timedelta(minutes=30))
    open_now = [s.id for s in config.services][:3]
    last: dict = {}
    for i in range(7):
        queue.clock.advance(minutes=4)
        answer = queue.send(topics.ISSUE, service=open_now[i % len(open_now)])
        if answer.get("ok"):
            last = answer["ticket"]
    queue.clock.advance(minutes=2)
    return queue.snapshot_message(), last, queue.clock.now()


def main(config: SiteConfig, out: Path) -> int:
    device = next((d for d in config.devices if "kiosk" in d.roles), None)
    size = (device.screen.width, device.screen.height) if device else (1920, 1080)
    diagonal = device.kiosk.screen_diagonal_in if device else 15.6
    target = max(min_target_px(diagonal, size), 48)
    snapshot, ticket, now = _morning(config)
    written: list[Path] = []

    kiosk = device.kiosk if device else KioskConfig()

    def shoot(name: str, view: KioskView, shape: tuple[int, int] = size) -> None:
        surface = offscreen_surface(*shape)
        # Drawn as the device draws it: text at least the readable size at its distance.
        render_kiosk(surface, dataclasses.replace(view, text_px=kiosk_text_px(kiosk, shape)))
        path = out / f"{name}.png"
        save_png(surface, path)
        written.append(path)

    for lang in LANGS:
        services = kiosk_services(snapshot, config, lang)
        service = config.service(ticket.get("service", "")) if ticket else None
        name = service.name.get(lang) if service else "Kela"
        shown = KioskTicket(ticket.get("number", "K001"), name, int(ticket.get("ahead", 2)),
                            ticket.get("eta_minutes"))
        base = KioskView(config.site.name.get(lang), services, "start", None, "", lang, now,
                         min_target_px=target,
                         checkin_minutes=(config.rules.appointment_early_minutes,
                                          config.rules.appointment_late_minutes))
        views = _views(base, shown)
        for key, view in views.items():
            shoot(f"{key}-{lang}", view)
        portrait = (min(size), max(size))
        shoot(f"start-portrait-{lang}", dataclasses.replace(
            base, min_target_px=max(min_target_px(diagonal, portrait), 48)), portrait)
        shoot(f"ticket-portrait-{lang}", dataclasses.replace(views["ticket"],
                                                             min_target_px=target), portrait)
        written.append(_ticket_preview(config, ticket, lang, out, device))
    print(f"wrote {counted(len(written), 'picture', 'pictures')} to {out}")
    return 0


def _views(base: KioskView, shown: KioskTicket) -> dict[str, KioskView]:
    """Every kiosk screen by its file name, from the start screen of one language."""
    refused = dataclasses.replace(base, phase="refused")
    locked = text(base.lang, "pin_locked", wait=wait_words(base.lang, LOCKOUT_S))
    return {
        "start": base,
        # The authorities' second page (when they do not all fit at the readable size).
        "start-page-2": dataclasses.replace(base, page=1),
        "appointment": dataclasses.replace(base, phase="code", code="AB12"),
        "issuing": dataclasses.replace(base, phase="issuing"),
        "ticket": dataclasses.replace(base, phase="ticket", ticket=shown),
        "ticket-appointment": dataclasses.replace(
            base, phase="ticket", ticket=dataclasses.replace(shown, appointment_at="10.30")),
        "not-printed": dataclasses.replace(
            base, phase="ticket", ticket=dataclasses.replace(shown, printed=False)),
        # One refusal for unknown, not yet open and closed codes alike.
        "refused-unknown": dataclasses.replace(refused, notice="unknown"),
        "refused-busy": dataclasses.replace(refused, notice="busy", retry_after_s=40),
        "refused-attempts": dataclasses.replace(refused, notice="attempts",
                                                retry_after_s=45),
        "refused-forbidden": dataclasses.replace(refused, notice="forbidden"),
        "limit": dataclasses.replace(base, phase="limit"),
        # In the survey month, with the site's [survey] kiosk = true.
        "start-survey": dataclasses.replace(
            base, survey_label=shipped_survey().feedback["survey_invite"][base.lang]),
        "more-time": dataclasses.replace(base, phase="ticket", ticket=shown,
                                         seconds_left=12),
        "out-of-order": dataclasses.replace(base, phase="error"),
        "starting": dataclasses.replace(base, phase="starting"),
        "large-text": dataclasses.replace(base, large=True, speech=True, focus=3),
        "keys-focus": dataclasses.replace(base, focus=3, speech=True),
        "technician-pin": dataclasses.replace(base, phase="pin", code="12"),
        "technician-pin-locked": dataclasses.replace(base, phase="pin", message=locked),
        # The help key held or the start screen's "Ask staff for help" touched.
        "help": dataclasses.replace(base, phase="help", help="told"),
        "help-desk": dataclasses.replace(base, phase="help", help="desk"),
    }


def _ticket_preview(config: SiteConfig, ticket: dict, lang: str, out: Path,
                    device: object) -> Path:
    profile = getattr(getattr(device, "printer", None), "profile", None) or "TM-T20II"
    service = config.service(ticket.get("service", "")) if ticket else None
    printer = Dummy(profile=profile)
    issued = ticket.get("issued_at")
    print_slip(printer, TicketSlip(
        config.site.name.get(lang), ticket.get("number", "K001"),
        service.name.get(lang) if service else "Kela",
        datetime.fromisoformat(issued) if issued else datetime.now().astimezone(),
        int(ticket.get("ahead", 0)),
        ticket.get("eta_minutes") if isinstance(ticket.get("eta_minutes"), int) else None,
        lang, note=service.note.get(lang) if service and service.note else ""))
    return render_preview_png(printer.output, out / f"printed-ticket-{lang}.png")
