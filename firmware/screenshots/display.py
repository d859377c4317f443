"""`piste screenshot display`: the lobby screen in each orientation, drawn from a real queue.

The controller core runs the site's own config through a Tuesday morning (tickets in the
three languages for every open authority, a call in every room, two served and the next
called, one recall), and the pictures are drawn from its snapshots as a display follows
them (its history of calls): busy, quiet (nobody called yet), stale (no word from the
controller) and with an info slide.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from display_driver.png import offscreen_surface, save_png
from firmware.controller.local_queue import LocalQueue
from firmware.display.history import CallHistory, LobbyCall
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
from mqtt_bridge.messages import Snapshot

LANGS = ("fi", "sv", "fi", "en")  # the morning's customers, in turn

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
# Shown when the config has no slides of its own: the handbook's drop-box notice.
SAMPLE_SLIDE = Slide(
    ("Asiakirjojen palautus", "Inlämning av dokument", "Document drop-off"),
    ("Palautuslaatikko tyhjennetään arkisin klo 16.15.",
     "Inlämningslådan töms vardagar kl. 16.15.",
     "The drop box is emptied every weekday at 16:15."),
)


@dataclass(frozen=True)
class Morning:
    quiet: dict  # the snapshot before the first call
    busy: dict  # the snapshot at the end
    calls: tuple[LobbyCall, ...]  # the calls as a display that watched it all keeps them
    now: datetime


def morning(config: SiteConfig) -> Morning:
    """A Tuesday morning on this site, as the lobby display sees it."""
    tz = ZoneInfo(config.site.timezone)
    start = datetime(2026, 12, 1, 9, 30, tzinfo=tz)  # a Tuesday, no holiday
    queue = LocalQueue(config, start)
    clock, controller = queue.clock, queue.controller
    history = CallHistory()

    def send(name: str, **body: object) -> None:
        clock.advance(minutes=1)
        queue.send(name, **body)
        history.follow(Snapshot.from_wire(controller.snapshot()))

    open_ids = [s["id"] for s in controller.snapshot()["services"] if s["open"]]
    for round_ in range(3):
        for i, service_id in enumerate(open_ids[: 6 - round_ * 2 or 1]):
            send(topics.ISSUE, service=service_id, lang=LANGS[(i + round_) % len(LANGS)])
    quiet = controller.snapshot()
    for room in config.rooms:
        send(topics.CALL, room=room.id)
    for room in config.rooms[:2]:  # served: the room calls its next customer
        send(topics.COMPLETE, room=room.id)
        send(topics.CALL, room=room.id)
    send(topics.RECALL, room=config.rooms[2].id)  # not come in yet: called again, on top
    for service_id in open_ids[:3]:
        send(topics.ISSUE, service=service_id)
    return Morning(quiet, controller.snapshot(), history.calls, clock.now())


def display_config(config: SiteConfig) -> DisplayConfig:
    device = next((d for d in config.devices if "display" in d.roles), None)
    return device.display if device is not None else DisplayConfig()


def views(config: SiteConfig, size: tuple[int, int]) -> dict[str, LobbyView]:
    day = morning(config)
    now = day.now
    display = display_config(config)
    measures = {"ticket_px": ticket_px_needed(display, size),
                "text_px": text_px_needed(display, size)}
    slide = one_language_each(slides_on(display, now.date()) or [SAMPLE_SLIDE])[0]
    busy_view = dataclasses.replace(
        lobby_view_from_snapshot(day.busy, config, now, calls=day.calls,
                                 history=display.history), **measures)
    quiet_view = dataclasses.replace(
        lobby_view_from_snapshot(day.quiet, config, now, history=display.history), **measures)
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
