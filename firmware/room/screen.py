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
from display_driver.fonts import font
from display_driver.layout import (
    Box,
    Plan,
    TextItem,
    draw_plan,
    fit_size,
    language_lines,
    place,
    place_lines,
    place_wrapped,
    wrapped_height,
)
from display_driver.legibility import min_font_px
from firmware.core.legibility import px_per_mm
from firmware.core.time_words import clock_text
from firmware.site_model import RoomUnitConfig

STATES = ("called", "free", "closed", "paused", "unknown")

# fi, sv, en: shown together, the view's language first.
NUMBER_LABEL = {"fi": "Vuoronumero", "sv": "Könummer", "en": "Queue number"}
COME_IN = {"fi": "Tervetuloa sisään", "sv": "Välkommen in", "en": "Please come in"}
PLEASE_WAIT = {
    "fi": "Odota, kunnes numerosi kutsutaan.",
    "sv": "Vänta tills ditt nummer ropas upp.",
    "en": "Please wait until your number is called.",
}
CLOSED = {"fi": "Huone on suljettu", "sv": "Rummet är stängt", "en": "The room is closed"}
# A paused room (a break): the three words on one line, as the clerk and every customer
# read them alike; under it the number the room called last, so nobody thinks they missed it.
ON_A_BREAK = "Tauko · Paus · On a break"
LAST_CALLED = {"fi": "Viimeksi kutsuttu {n}", "sv": "Senast uppropad {n}",
               "en": "Last called {n}"}
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
    text_px: int = 0  # the smallest readable font where the customer reads it (0.7 degrees)


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

    def px(units: float) -> int:  # never below what the customer can read at the door
        return max(round(units * u), view.text_px)

    header = pygame.Rect(margin, margin // 2, w - 2 * margin,
                         max(round(64 * u), round(px(48) * 1.2)))
    clock_w = 0
    if view.now is not None:
        time = clock_text(view.now)
        clock_w = round(fit_width(time, px(40), False) + 16 * u)
        slot = pygame.Rect(header.right - clock_w, header.y, clock_w, header.height)
        plan.texts.append(place(time, slot, px(40), fg=theme.MUTED, bg=bg,
                                align="right", role="time"))
    name_slot = pygame.Rect(header.x, header.y, header.width - clock_w, header.height)
    name_px = max(view.text_px, fit_size(view.room_name, True, name_slot.width,
                                         name_slot.height, px(48)))
    plan.texts.extend(place_wrapped(view.room_name, name_slot, name_px, bold=True,
                                    fg=theme.TEXT, bg=bg, role="room"))

    body = pygame.Rect(margin, header.bottom + margin // 2, w - 2 * margin,
                       h - header.bottom - margin // 2 - margin)
    if view.message:
        foot_h = wrapped_height(view.message, body.width, px(28))
        foot = pygame.Rect(body.x, body.bottom - foot_h, body.width, foot_h)
        body.height -= foot.height + margin // 2
        plan.texts.extend(place_wrapped(view.message, foot, px(28), fg=theme.TEXT, bg=bg,
                                        align="center", role="message"))

    if called:
        _plan_called(plan, view, body, u, px(30))
    elif state == "paused":
        lines = [ON_A_BREAK]
        if view.number:
            lines += [t.format(n=view.number) for t in in_order(LAST_CALLED, view.lang)]
        _plan_lines(plan, lines, body, (px(48), px(34)), role="paused")
    else:
        # "called" without a number cannot guide anyone: it says "updating" instead.
        kind = state if state in ("free", "closed") else "unknown"
        lines = {"free": PLEASE_WAIT, "closed": CLOSED}.get(kind, UNKNOWN)
        _plan_lines(plan, in_order(lines, view.lang), body, (px(40), px(34)), role=kind)
    return plan


def fit_width(text: str, size: int, bold: bool) -> int:
    return font(size, bold).size(text)[0]


def _plan_called(plan: Plan, view: RoomView, body: pygame.Rect, u: float, size: int) -> None:
    assert view.number
    band = body
    plan.boxes.append(Box(band, theme.ACCENT, radius=round(16 * u)))
    inner = band.inflate(-round(32 * u), -round(16 * u))
    line_h = font(size, True).get_linesize()
    labels = language_lines(in_order(NUMBER_LABEL, view.lang), size, False, inner.width)
    welcome = language_lines(in_order(COME_IN, view.lang), size, True, inner.width)
    come_h = line_h * len(welcome)
    label_h = line_h * len(labels)
    if inner.height - come_h - label_h < 3 * size:
        # The number comes first: on a small screen the label gives way (the warm band
        # with one big number says what it is), never the number's size.
        label_h, labels = 0, []
    label = pygame.Rect(inner.x, inner.y, inner.width, label_h)
    plan.texts.extend(place_lines(labels, label, size, fg=theme.ON_ACCENT, bg=theme.ACCENT,
                                  align="center", role="label"))
    come = pygame.Rect(inner.x, inner.bottom - come_h, inner.width, come_h)
    plan.texts.extend(place_lines(welcome, come, size, bold=True, fg=theme.ON_ACCENT,
                                  bg=theme.ACCENT, align="center", role="come-in"))
    number = pygame.Rect(inner.x, label.bottom, inner.width, come.top - label.bottom)
    # As big as the slot allows: the number is what the customer checks from the corridor.
    plan.texts.append(place(view.number, number, number.height * 2, bold=True,
                            fg=theme.ON_ACCENT, bg=theme.ACCENT, align="center", role="number"))


def _plan_lines(plan: Plan, lines: list[str], body: pygame.Rect, sizes: tuple[int, int],
                role: str) -> None:
    """The view's language first and brighter; the other two follow, calmer; each wrapped
    at its size, the block centred."""
    parts = [(text, sizes[0] if i == 0 else sizes[1]) for i, text in enumerate(lines)]
    heights = [wrapped_height(text, body.width, size) for text, size in parts]
    y = body.centery - sum(heights) // 2
    for i, ((text, size), height) in enumerate(zip(parts, heights, strict=True)):
        slot = pygame.Rect(body.x, y, body.width, height)
        plan.texts.extend(place_wrapped(text, slot, size, fg=theme.TEXT if i == 0 else
                                        theme.MUTED, bg=theme.BACKGROUND, align="center",
                                        role=role))
        y += height


def room_text_px(unit: RoomUnitConfig, size: tuple[int, int]) -> int:
    """The smallest font every text of the door screen is drawn at (the legibility rule)."""
    return min_font_px(unit.reading_distance_m, px_per_mm(unit.screen_diagonal_in, size))


def layout_room(view: RoomView, size: tuple[int, int]) -> list[TextItem]:
    """Every text of the room screen at `size`, where it goes and how big (tests read this)."""
    return plan_room(view, size).texts


def render_room(surface: pygame.Surface, view: RoomView) -> None:
    draw_plan(surface, plan_room(view, surface.get_size()))
