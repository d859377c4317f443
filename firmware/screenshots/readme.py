"""The README's pictures, drawn by the project itself from a real queue.

`python -m firmware.screenshots.readme docs/images` (or `make screenshots`) runs the controller
core on the demo site for a Tuesday morning, renders the lobby display and the kiosk from
its snapshot, prints a ticket to python-escpos's Dummy printer and draws a preview of the
bytes, once as a site without phone links prints it and once with the QR code of the
ticket's page. Headless: it uses the SDL dummy driver.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from escpos.printer import Dummy

from display_driver.png import offscreen_surface, save_png
from firmware.controller.local_queue import LocalQueue
from firmware.display.lobby_screen import lobby_view_from_snapshot, render_lobby
from firmware.kiosk.role import kiosk_services
from firmware.kiosk.screen import KioskTicket, KioskView, render_kiosk
from firmware.site_config import load_site_config
from mqtt_bridge import topics
from ticket_printer.escpos_render import print_slip
from ticket_printer.preview import render_preview_png
from ticket_printer.slip import PhoneLink, TicketSlip

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo-site.toml"
MORNING = datetime(2026, 12, 1, 9, 40, tzinfo=ZoneInfo("Europe/Helsinki"))  # a Tuesday
# A made-up link and code (a real ticket's are random, one pair per ticket): the picture
# stays the same from run to run.
SAMPLE_PHONE = PhoneLink("https://jono.example.fi/t/Qx7_k2Lm9PzR-4vTa8Yc0w", "7KQ2-M9XD-PW4R-H8TZ")


def busy_morning() -> tuple[LocalQueue, dict]:
    queue = LocalQueue(load_site_config(DEMO), MORNING)
    for service in ("kela", "kela", "vero", "dvv", "kela", "mml", "kela", "vero", "kela",
                    "dvv", "kela", "ulosotto", "kela"):
        queue.clock.advance(minutes=2)
        queue.send(topics.ISSUE, service=service)
    for room in ("3", "2", "5", "1"):
        queue.clock.advance(minutes=1)
        queue.send(topics.CALL, room=room)
    queue.clock.advance(minutes=1)
    last = queue.send(topics.ISSUE, service="kela")
    return queue, last["ticket"]


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/images")
    out.mkdir(parents=True, exist_ok=True)
    queue, ticket = busy_morning()
    config, clock = queue.config, queue.clock
    snapshot = queue.snapshot_message()

    lobby = offscreen_surface(1920, 1080)
    render_lobby(lobby, lobby_view_from_snapshot(snapshot, config, clock.now()))
    save_png(lobby, out / "lobby-display.png")

    services = kiosk_services(snapshot, config, "fi")
    site_name = config.site.name.fi
    kiosk = offscreen_surface(1920, 1080)
    render_kiosk(kiosk, KioskView(site_name, services, "start", None, "", "fi", clock.now()))
    save_png(kiosk, out / "kiosk-start.png")
    service = config.service(ticket["service"])
    assert service is not None
    shown = KioskTicket(ticket["number"], service.name.fi, ticket["ahead"],
                        ticket["eta_minutes"])
    render_kiosk(kiosk, KioskView(site_name, services, "ticket", shown, "", "fi", clock.now()))
    save_png(kiosk, out / "kiosk-ticket.png")

    printer = Dummy(profile=config.device("lobby-1").printer.profile)  # type: ignore[union-attr]
    slip = TicketSlip(site_name, ticket["number"], service.name.fi,
                      datetime.fromisoformat(ticket["issued_at"]), ticket["ahead"],
                      ticket["eta_minutes"], "fi")
    for name, printed in (("ticket", slip), ("ticket-phone", replace(slip, phone=SAMPLE_PHONE))):
        printer.clear()
        print_slip(printer, printed)
        (out / f"{name}.escpos").write_bytes(printer.output)
        render_preview_png(printer.output, out / f"{name}.png")
    print(f"wrote the README's pictures to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
