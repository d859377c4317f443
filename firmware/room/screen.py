"""The small screen beside a service-room door: the number called in, or a calm "please wait".

View -> layout -> pixels, like the lobby. The customer standing at the door compares the
number on their slip with the number here, so in the "called" state the number takes most
of the screen, on the same warm accent the lobby uses for the newest call. Fixed texts are
shown in all three languages, the view's language first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pygame

from display_driver import theme
from display_driver.layout import Box, Plan, TextItem, draw_plan, place
from firmware.display.lobby_screen import clock_text

STATES = ("called", "free", "closed", "unknown")

# fi, sv, en: shown together, the view's language first.
NUMBER_LABEL = {"fi": "Vuoronumero", "sv": "Könummer", "en": "Queue number"}
COME_IN = {"fi": "Tervetuloa sisään", "sv": "Välkommen in", "en": "Please come in"}
PLEASE_WAIT = {
    "fi": "Odota, kunnes numerosi kutsutaan.",
    "sv": "Vänta tills ditt nummer ropas upp.",
    "en": "Please wait until your number is called.",
}
CLOSED = {"fi": "Huone on suljettu", "sv": "Rummet är stängt", "en": "The room is closed"}
UNKNOWN = {
    "fi": "Tietoja päivitetään – odota hetki.",
    "sv": "Uppgifterna uppdateras – vänta en stund.",
    "en": "Updating – please wait a moment.",
}


@dataclass(frozen=True)
class RoomView:
    room_name: str
    number: str | None
    state: str  # one of STATES; anything else is drawn as "unknown"
    message: str = ""  # an extra line from the room role (e.g. a notice), shown small
    lang: str = "fi"
    now: datetime | None = None


def in_order(texts: dict[str, str], lang: str) -> list[str]:
    """The three texts with `lang` first, then the others in fi, sv, en order."""
    first = lang if lang in texts else "fi"
    return [texts[first], *(texts[k] for k in ("fi", "sv", "en") if k != first)]


def plan_room(view: RoomView, size: tuple[int, int]) -> Plan:
    w, h = size
    u = min(w, h) / 480  # one unit: a pixel on the 800x480 room screen, either orientation
    margin = round(24 * u)
    state = view.state if view.state in STATES else "unknown"
    called = state == "called" and bool(view.number)
    plan = Plan(theme.BACKGROUND)
    bg = theme.BACKGROUND

    header = pygame.Rect(margin, margin // 2, w - 2 * margin, round(64 * u))
    clock_w = round(header.width * 0.25) if view.now is not None else 0
    if view.now is not None:
        slot = pygame.Rect(header.right - clock_w, header.y, clock_w, header.height)
        plan.texts.append(place(clock_text(view.now), slot, round(40 * u), fg=theme.MUTED, bg=bg,
                                align="right", role="time"))
    name_slot = pygame.Rect(header.x, header.y, header.width - clock_w, header.height)
    plan.texts.append(place(view.room_name, name_slot, round(48 * u), bold=True, fg=theme.TEXT,
                            bg=bg, role="room"))

    body = pygame.Rect(margin, header.bottom + margin // 2, w - 2 * margin,
                       h - header.bottom - margin // 2 - margin)
    if view.message:
        foot = pygame.Rect(body.x, body.bottom - round(40 * u), body.width, round(40 * u))
        body.height -= foot.height + margin // 2
        plan.texts.append(place(view.message, foot, round(28 * u), fg=theme.TEXT, bg=bg,
                                align="center", role="message"))

    if called:
        _plan_called(plan, view, body, u)
    else:
        # "called" without a number cannot guide anyone: it says "updating" instead.
        kind = state if state in ("free", "closed") else "unknown"
        lines = {"free": PLEASE_WAIT, "closed": CLOSED}.get(kind, UNKNOWN)
        _plan_lines(plan, in_order(lines, view.lang), body, u, role=kind)
    return plan


def _plan_called(plan: Plan, view: RoomView, body: pygame.Rect, u: float) -> None:
    assert view.number
    band = body
    plan.boxes.append(Box(band, theme.ACCENT, radius=round(16 * u)))
    inner = band.inflate(-round(32 * u), -round(16 * u))
    label_h = round(inner.height * 0.16)
    label = pygame.Rect(inner.x, inner.y, inner.width, label_h)
    plan.texts.append(place(" · ".join(in_order(NUMBER_LABEL, view.lang)), label, round(30 * u),
                            fg=theme.ON_ACCENT, bg=theme.ACCENT, align="center", role="label"))
    come_h = round(inner.height * 0.16)
    come = pygame.Rect(inner.x, inner.bottom - come_h, inner.width, come_h)
    plan.texts.append(place(" · ".join(in_order(COME_IN, view.lang)), come, round(30 * u),
                            bold=True, fg=theme.ON_ACCENT, bg=theme.ACCENT, align="center",
                            role="come-in"))
    number = pygame.Rect(inner.x, label.bottom, inner.width, come.top - label.bottom)
    # As big as the slot allows: the number is what the customer checks from the corridor.
    plan.texts.append(place(view.number, number, number.height * 2, bold=True,
                            fg=theme.ON_ACCENT, bg=theme.ACCENT, align="center", role="number"))


def _plan_lines(plan: Plan, lines: list[str], body: pygame.Rect, u: float, role: str) -> None:
    line_h = min(round(72 * u), body.height // len(lines))
    top = body.centery - line_h * len(lines) // 2
    for i, text in enumerate(lines):
        slot = pygame.Rect(body.x, top + i * line_h, body.width, line_h)
        # The view's language first and brighter; the other two follow, calmer.
        first = i == 0
        plan.texts.append(place(text, slot, round((40 if first else 34) * u),
                                fg=theme.TEXT if first else theme.MUTED, bg=theme.BACKGROUND,
                                align="center", role=role))


def layout_room(view: RoomView, size: tuple[int, int]) -> list[TextItem]:
    """Every text of the room screen at `size`, where it goes and how big (tests read this)."""
    return plan_room(view, size).texts


def render_room(surface: pygame.Surface, view: RoomView) -> None:
    draw_plan(surface, plan_room(view, surface.get_size()))
