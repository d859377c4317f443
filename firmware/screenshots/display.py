"""`piste screenshot display`: the lobby screen in each orientation, drawn from a real queue.

The controller core runs the site's own config through a Tuesday morning (tickets for every
open authority, a call in every room), and the pictures are drawn from its snapshot: busy,
quiet (nobody called yet), stale (no word from the controller) and with an info slide.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from display_driver.png import offscreen_surface, save_png
from firmware.controller.local_queue import LocalQueue
from firmware.display.lobby_screen import (
    LobbyView,
    Slide,
    lobby_view_from_snapshot,
    one_language_each,
    render_lobby,
)
from firmware.display.readability import slides_on, text_px_needed, ticket_px_needed
from firmware.site_model import DisplayConfig, SiteConfig
from mqtt_bridge import topics

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
# Shown when the config has no slides of its own: the handbook's drop-box notice.
SAMPLE_SLIDE = Slide(
    ("Asiakirjojen palautus", "Inlämning av dokument", "Document drop-off"),
    ("Palautuslaatikko tyhjennetään arkisin klo 16.15.",
     "Inlämningslådan töms vardagar kl. 16.15.",
     "The drop box is emptied every weekday at 16:15."),
)


def morning(config: SiteConfig) -> tuple[dict, dict, datetime]:
    """(quiet snapshot, busy snapshot, time) of a Tuesday morning on this site."""
    tz = ZoneInfo(config.site.timezone)
    start = datetime(2026, 12, 1, 9, 30, tzinfo=tz)  # a Tuesday, no holiday
    queue = LocalQueue(config, start)
    clock, controller, send = queue.clock, queue.controller, queue.send
    open_ids = [s["id"] for s in controller.snapshot()["services"] if s["open"]]
    for round_ in range(3):
        for service_id in open_ids[: 6 - round_ * 2 or 1]:
            clock.advance(minutes=1)
            send(topics.ISSUE, service=service_id)
    quiet = controller.snapshot()
    for room in config.rooms:
        clock.advance(minutes=2)
        send(topics.CALL, room=room.id)
    for service_id in open_ids[:3]:
        clock.advance(minutes=1)
        send(topics.ISSUE, service=service_id)
    return quiet, controller.snapshot(), clock.now()


def display_config(config: SiteConfig) -> DisplayConfig:
    device = next((d for d in config.devices if "display" in d.roles), None)
    return device.display if device is not None else DisplayConfig()


def views(config: SiteConfig, size: tuple[int, int]) -> dict[str, LobbyView]:
    quiet, busy, now = morning(config)
    display = display_config(config)
    px = ticket_px_needed(display, size)
    text_px = text_px_needed(display, size)
    slide = one_language_each(slides_on(display, now.date()) or [SAMPLE_SLIDE])[0]
    busy_view = dataclasses.replace(lobby_view_from_snapshot(busy, config, now), ticket_px=px,
                                    text_px=text_px)
    quiet_view = dataclasses.replace(lobby_view_from_snapshot(quiet, config, now), ticket_px=px,
                                     text_px=text_px)
    return {
        "busy": busy_view,
        "quiet": quiet_view,
        "stale": dataclasses.replace(busy_view, now=now + timedelta(minutes=3),
                                     stale_age_s=185.0),
        "slide": dataclasses.replace(busy_view, slide=slide),
        # The survey month's announcement (the site's [survey]), first among the slides.
        "survey": dataclasses.replace(
            busy_view, slide=(one_language_each(slides_on(display, now.date(), config.survey))
                              or [slide])[0]),
    }


def main(config: SiteConfig, out: Path) -> int:
    for label, size in SIZES.items():
        for name, view in views(config, size).items():
            surface = offscreen_surface(*size)
            render_lobby(surface, view)
            save_png(surface, out / f"display-{name}-{label}.png")
    return 0
