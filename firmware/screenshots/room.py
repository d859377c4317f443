"""`piste screenshot room`: the room-door screen of the site's first room, in each state."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from display_driver.png import offscreen_surface, save_png
from firmware.room.screen import RoomView, render_room, room_text_px
from firmware.site_model import RoomUnitConfig, SiteConfig


def views(name: str, prefix: str, now: datetime, text_px: int) -> dict[str, RoomView]:
    """The door screen's states, as the screenshots and the legibility test draw them."""
    return {
        "called": RoomView(name, f"{prefix}042", "called", now=now, text_px=text_px),
        "free": RoomView(name, None, "free", now=now, text_px=text_px),
        "closed": RoomView(name, None, "closed", now=now, text_px=text_px),
        # On a break (the call-next key held), with the room's last call under it.
        "paused": RoomView(name, f"{prefix}041", "paused", now=now, text_px=text_px),
        # The clerk's key confirmed for a moment, under the number (firmware/room/role.py).
        "called-message": RoomView(name, f"{prefix}042", "called", now=now, text_px=text_px,
                                   message=f"Kutsuttu uudelleen {prefix}042"),
    }


def main(config: SiteConfig, out: Path) -> int:
    now = datetime(2026, 12, 1, 10, 5, tzinfo=ZoneInfo(config.site.timezone))
    room = config.rooms[0] if config.rooms else None
    name = room.name.fi if room else "Huone 1"
    prefix = config.services[0].prefix if config.services and not \
        config.site.anonymous_numbering else ""
    device = next((d for d in config.devices if "room" in d.roles), None)
    w, h = (device.screen.width, device.screen.height) if device else (800, 480)
    sizes = {"landscape": (max(w, h), min(w, h)), "portrait": (min(w, h), max(w, h))}
    unit = device.room_unit if device else RoomUnitConfig()
    for label, size in sizes.items():
        for state, view in views(name, prefix, now, room_text_px(unit, size)).items():
            surface = offscreen_surface(*size)
            render_room(surface, view)
            save_png(surface, out / f"room-{state}-{label}.png")
    return 0
