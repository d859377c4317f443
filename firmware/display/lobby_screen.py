"""The waiting-area display: numbers being served and their rooms, and each authority's queue.

State -> view -> layout -> pixels. The view (view.py, pure) reads the controller's retained
`queue/state` snapshot defensively (a display must never go dark over one bad message);
`layout_lobby` decides what text goes where and how big; `render_lobby` paints it.
The lobby is shared by every language, so fixed labels are shown in fi/sv/en together;
service and room names come from the site config in the view's language.
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
    place,
    place_wrapped,
    wrapped_height,
)

# The view's names, importable from here as they always were (screenshots, tests, bench).
from firmware.core.time_words import clock_text
from firmware.display.view import (  # noqa: F401
    LobbyView,
    ServiceRow,
    ServingRow,
    Slide,
    _eta_text,
    _parse_time,
    lobby_view_from_snapshot,
    one_language_each,
)

# Over the newest call and the ones before it: called, whether still in the room or done.
CALLED = "Kutsutut / Kallade / Called"
SERVICES = "Palvelu · Tjänst · Service"
WAITING = "Jonossa · I kö · Waiting"
OPENS = "Avautuu · Öppnar · Opens"
CLOSED = "Suljettu · Stängt · Closed"
NOBODY_YET = (
    "Numerosi näkyy täällä, kun on vuorosi.",
    "Ditt nummer visas här när det är din tur.",
    "Your number will appear here when it is your turn.",
)
ARROW = "→"

ESTIMATE = "≈ arvioitu odotus · uppskattad väntetid · estimated wait"
PAGE = "Sivu · Sida · Page {page}/{pages}"  # the list turns its pages by itself
UPDATING = "Tietoja päivitetään · Uppgifterna uppdateras · Updating"
# On the display of a controller that refused to serve (another one already runs the site):
# for the staff, in the three languages; the queue shown below it is the serving one's.
NOT_SERVING = "Laite ei ohjaa jonoa · Enheten styr inte kön · Not running the queue"
NOT_SERVING_LINES = (
    "Tämä laite ei ohjaa jonoa: toinen jonon ohjain toimii jo. Henkilökunta: pyydä tekniikkaa.",
    "Den här enheten styr inte kön: en annan köstyrning är igång. Personal: kontakta tekniken.",
    "This device does not run the queue: another controller does. Staff: call a technician.",
)


# -- view -> layout -----------------------------------------------------------------------


def date_text(moment: datetime) -> str:
    return f"{moment.day}.{moment.month}.{moment.year}"


def opening_text(next_open: datetime, now: datetime) -> str:
    """ "9.00" today, "2.12. 9.00" on another day: numbers every language reads alike."""
    local = next_open
    if next_open.tzinfo is not None and now.tzinfo is not None:
        local = next_open.astimezone(now.tzinfo)
    if local.date() == now.date():
        return clock_text(local)
    return f"{local.day}.{local.month}. {clock_text(local)}"


def _split(rect: pygame.Rect, top: int) -> tuple[pygame.Rect, pygame.Rect]:
    head = pygame.Rect(rect.x, rect.y, rect.width, min(top, rect.height))
    return head, pygame.Rect(rect.x, head.bottom, rect.width, rect.height - head.height)


def age_text(seconds: float) -> str:
    """ "45 s", "3 min", "2 h 5 min": the same in fi, sv and en."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def stale_lines(age_s: float) -> tuple[str, str, str]:
    age = age_text(age_s)
    return (
        f"Viimeisin tieto {age} sitten. Odota hetki, tiedot päivittyvät.",
        f"Senaste uppgift för {age} sedan. Vänta en stund.",
        f"Last update {age} ago. Please wait a moment.",
    )


@dataclass(frozen=True)
class _Areas:
    u: float
    main: pygame.Rect  # the calls (and the slide under them)
    side: pygame.Rect  # the authorities
    slide: pygame.Rect | None


def _areas(view: LobbyView, size: tuple[int, int]) -> _Areas:
    w, h = size
    u = min(w, h) / 1080  # one unit: a pixel on a 1080-line screen, in either orientation
    margin = round(48 * u)
    top = round(170 * u)
    body = pygame.Rect(margin, top, w - 2 * margin, h - top - margin)
    gap = round(40 * u)
    main_w = round(body.width * 0.56) if w >= h else body.width
    # An info slide (the survey month's announcement first) is for every waiting customer:
    # it has its place under the calls, which keep at least the newest call's band.
    slide_h = _slide_height(view, main_w, u) if view.slide is not None else 0
    slide_room = slide_h + round(24 * u) if slide_h else 0
    if w >= h:  # landscape: the calls on the left, the authorities in a column on the right
        main = pygame.Rect(body.x, body.y, main_w, body.height)
        side = pygame.Rect(main.right + gap, body.y, body.width - main_w - gap, body.height)
    else:  # portrait: the calls on top, the authorities below
        # The list takes what its rows need, leaving the calls the newest band and up to
        # two earlier calls (and the slide): fewer pages to wait through (a page hides
        # authorities until it turns). By the setting, not by the calls of the moment: the
        # list does not jump when the morning's first calls come.
        main_h = body.height - gap - min(_services_height(view, body.width, u),
                                         body.height - gap - slide_room
                                         - _calls_min_height(view, u, min(2, view.history)))
        main = pygame.Rect(body.x, body.y, body.width, main_h)
        side = pygame.Rect(body.x, main.bottom + gap, body.width, body.height - main_h - gap)
    slide = None
    if view.slide is not None and main.height - slide_room >= _calls_min_height(view, u, 0):
        slide = pygame.Rect(main.x, main.bottom - slide_h, main.width, slide_h)
        main.height -= slide_room
    return _Areas(u, main, side, slide)


def plan_lobby(view: LobbyView, size: tuple[int, int]) -> Plan:
    areas = _areas(view, size)
    u, main = areas.u, areas.main
    plan = Plan(theme.BACKGROUND)
    _plan_header(plan, view, size, u, round(48 * u))
    if view.slide is not None and areas.slide is not None:
        _plan_slide(plan, view, view.slide, areas.slide, u)
    if view.not_serving:
        _plan_notice(plan, NOT_SERVING, NOT_SERVING_LINES, main, u, view=view)
    elif view.stale_age_s is not None:
        _plan_stale(plan, view, main, u)
    else:
        _plan_serving(plan, view, main, u)
    _plan_services(plan, view, areas.side, u)
    return plan


def service_page_count(view: LobbyView, size: tuple[int, int]) -> int:
    """How many pages the list of authorities turns through on a screen of `size`."""
    areas = _areas(view, size)
    inner = areas.side.inflate(-round(64 * areas.u), -round(48 * areas.u))
    head_h, foot_h = _services_frame_heights(view, inner.width, areas.u)
    rest = pygame.Rect(inner.x, inner.y + head_h, inner.width, inner.height - head_h - foot_h)
    return len(_service_page_blocks(view, rest, areas.u))


def _history_px(view: LobbyView, u: float) -> tuple[int, int]:
    """The sizes of an earlier call's number and room: smaller than the newest's, and the
    number still read from the back row (>= 1 degree there, view.ticket_px)."""
    older_px = max(round(110 * u), view.ticket_px)
    return older_px, round(older_px * 0.72)


def _calls_min_height(view: LobbyView, u: float, older_rows: int = 1) -> int:
    """The height the calls need for a title, the newest call's band and older rows."""
    newest_px = max(round(190 * u), round(view.ticket_px * 1.15))
    older_px, _ = _history_px(view, u)
    band = max(round(250 * u), round(newest_px * 1.3))
    row = max(round(140 * u), round(older_px * 1.25))
    return round(70 * u) + round(16 * u) + band + round(24 * u) + row * older_rows + round(8 * u)


def _plan_header(plan: Plan, view: LobbyView, size: tuple[int, int], u: float, margin: int
                 ) -> None:
    texts, bg = plan.texts, theme.BACKGROUND
    w, h = size
    header = pygame.Rect(margin, round(20 * u), w - 2 * margin, round(110 * u))
    clock_w = round(header.width * (0.3 if w >= h else 0.45))
    clock = pygame.Rect(header.right - clock_w, header.y, clock_w, header.height)
    texts.append(place(clock_text(view.now), clock, _px(view, 68, u), bold=True, fg=theme.TEXT,
                       bg=bg, align="right", role="time"))
    date_slot = pygame.Rect(clock.x, clock.y,
                            clock.width - texts[-1].rect.width - round(28 * u), clock.height)
    date = place(date_text(view.now), date_slot, _px(view, 40, u), fg=theme.MUTED, bg=bg,
                 align="right", role="date")
    if date.size >= view.text_px:  # a date too small to read is left out, the time stays
        texts.append(date)
    name_slot = pygame.Rect(header.x, header.y, header.width - clock_w - round(24 * u),
                            header.height)
    # As big as fits on one line down to the readable floor; at the floor, two lines.
    size = max(view.text_px, fit_size(view.site_name, True, name_slot.width, name_slot.height,
                                      _px(view, 52, u)))
    texts.extend(place_wrapped(view.site_name, name_slot, size, bold=True, fg=theme.TEXT,
                               bg=bg, role="site"))
    plan.boxes.append(Box(pygame.Rect(margin, header.bottom + round(12 * u), w - 2 * margin,
                                      max(1, round(2 * u))), theme.RULE))


def _plan_stale(plan: Plan, view: LobbyView, area: pygame.Rect, u: float) -> None:
    """Calm, not alarming: what is happening, how old the data is, and no old numbers."""
    assert view.stale_age_s is not None
    _plan_notice(plan, UPDATING, stale_lines(view.stale_age_s), area, u, line_px=40,
                 role="stale", view=view)


def _plan_notice(plan: Plan, title_text: str, lines: tuple[str, ...], area: pygame.Rect,
                 u: float, *, line_px: int = 36, role: str = "notice",
                 view: LobbyView | None = None) -> None:
    """A word where the calls would be: a title and a line per language, wrapped."""
    bg = theme.PANEL
    floor = view.text_px if view is not None else 0
    box = pygame.Rect(area.x, area.y, area.width, area.height)
    inner = box.inflate(-round(64 * u), -round(48 * u))
    parts = [(title_text, max(round(52 * u), floor), True),
             *((line, max(round(line_px * u), floor), False) for line in lines)]
    need = sum(wrapped_height(t, inner.width, px, b) for t, px, b in parts) + round(20 * u)
    box.height = min(area.height, need + round(48 * u))
    plan.boxes.append(Box(box, bg, radius=round(20 * u)))
    y = inner.y
    for i, (text, px, bold) in enumerate(parts):
        slot = pygame.Rect(inner.x, y, inner.width, box.bottom - y)
        plan.texts.extend(place_wrapped(text, slot, px, bold=bold,
                                        fg=theme.TEXT if i <= 1 else theme.MUTED, bg=bg,
                                        role=f"{role}-title" if i == 0 else role,
                                        valign="top"))
        y += wrapped_height(text, inner.width, px, bold) + (round(20 * u) if i == 0 else 0)


def _slide_parts(slide: Slide) -> list[tuple[str, int, bool]]:
    """(text, size in units, bold) of each paragraph of a slide."""
    return [(" · ".join(slide.title), 44, True), *((t, 34, False) for t in slide.text if t)]


def _slide_height(view: LobbyView, width: int, u: float) -> int:
    assert view.slide is not None
    inner_w = width - round(48 * u)
    return round(32 * u) + round(12 * u) + sum(
        wrapped_height(text, inner_w, _px(view, units, u), bold)
        for text, units, bold in _slide_parts(view.slide))


def _plan_slide(plan: Plan, view: LobbyView, slide: Slide, area: pygame.Rect, u: float
                ) -> None:
    """The slide's title and its lines, each wrapped at its size: as tall as it needs."""
    bg = theme.PANEL
    plan.boxes.append(Box(area, bg, radius=round(20 * u)))
    inner = area.inflate(-round(48 * u), -round(32 * u))
    y = inner.y
    for i, (text, units, bold) in enumerate(_slide_parts(slide)):
        size = _px(view, units, u)
        slot = pygame.Rect(inner.x, y, inner.width, inner.bottom - y)
        plan.texts.extend(place_wrapped(text, slot, size, bold=bold,
                                        fg=theme.TEXT if i <= 1 else theme.MUTED, bg=bg,
                                        role="slide-title" if i == 0 else "slide",
                                        valign="top"))
        y += wrapped_height(text, inner.width, size, bold) + (round(12 * u) if i == 0 else 0)


def _plan_serving(plan: Plan, view: LobbyView, area: pygame.Rect, u: float) -> None:
    texts, bg = plan.texts, theme.BACKGROUND
    title, rest = _split(area, max(round(70 * u),
                                   wrapped_height(CALLED, area.width, _px(view, 44, u))))
    texts.extend(place_wrapped(CALLED, title, _px(view, 44, u), fg=theme.MUTED, bg=bg,
                               role="title", valign="top"))
    rest.y += round(16 * u)
    rest.height -= round(16 * u)

    if not view.serving:
        y = rest.y
        for line in NOBODY_YET:
            size = _px(view, 40, u)
            texts.extend(place_wrapped(line, pygame.Rect(rest.x, y, rest.width, rest.bottom - y),
                                       size, fg=theme.TEXT, bg=bg, role="hint", valign="top"))
            y += wrapped_height(line, rest.width, size) + round(16 * u)
        return

    rows = list(view.serving)
    y = rest.y
    pad = round(36 * u)
    # Every number at least as big as the back row needs (view.ticket_px), and the newest
    # bigger still; rows that no longer fit give way, oldest first.
    older_px, older_room_px = _history_px(view, u)
    newest_px = max(round(190 * u), round(view.ticket_px * 1.15))
    if view.newest_call_id is not None and rows[0].call_id == view.newest_call_id:
        # The newest call: a warm band with the biggest numbers on the screen. While it
        # blinks, the off phase is an outline of the same band: the row never jumps.
        band_h = min(max(round(250 * u), round(newest_px * 1.3)), rest.height)
        band = pygame.Rect(rest.x, y, rest.width, band_h)
        inner = band.inflate(-2 * pad, -round(20 * u))
        if view.blink_on:
            plan.boxes.append(Box(band, theme.ACCENT, radius=round(20 * u)))
            fg, row_bg = theme.ON_ACCENT, theme.ACCENT
        else:
            plan.boxes.append(Box(band, theme.ACCENT, radius=round(20 * u),
                                  width=max(2, round(6 * u))))
            fg, row_bg = theme.TEXT, theme.BACKGROUND
        _row_texts(plan, rows.pop(0), inner, newest_px, round(newest_px * 0.63), fg, row_bg,
                   newest=True, floor=view.text_px)
        y = band.bottom + round(24 * u)

    row_h = max(round(140 * u), round(older_px * 1.25))
    for row in rows:
        if y + row_h > rest.bottom:
            break  # the oldest calls give way; they were announced long ago
        slot = pygame.Rect(rest.x + pad, y, rest.width - 2 * pad, row_h)
        _row_texts(plan, row, slot, older_px, older_room_px, theme.TEXT, bg, newest=False,
                   floor=view.text_px)
        y += row_h
        plan.boxes.append(
            Box(pygame.Rect(rest.x, y - 1, rest.width, max(1, round(2 * u))), theme.RULE)
        )


def _row_texts(
    plan: Plan,
    row: ServingRow,
    slot: pygame.Rect,
    ticket_px: int,
    room_px: int,
    fg: theme.Colour,
    bg: theme.Colour,
    *,
    newest: bool,
    floor: int = 0,
) -> None:
    suffix = "-newest" if newest else ""
    gap = max(8, slot.height // 16)
    arrow_px = round(room_px * 0.7)
    arrow_w = max(round(slot.width * 0.06), font(arrow_px).size(ARROW)[0])
    # Fixed columns, so the numbers of all rows line up under one another.
    # The number keeps the size the back row needs: its column widens (to 66 %) before it
    # would shrink, and the room name, beside it, gives way first, down to the readable
    # floor (`floor`, where it wraps), never below: it says where to go.
    need = font(ticket_px, True).size(row.ticket)[0]
    room_least = max((font(floor, True).size(w)[0] for w in row.room_name.split()), default=0)
    ticket_w = min(round(slot.width * 0.66), max(round(slot.width * 0.44) - gap, need),
                   slot.width - arrow_w - 2 * gap - room_least)
    ticket = pygame.Rect(slot.x, slot.y, ticket_w, slot.height)
    arrow = pygame.Rect(ticket.right + gap, slot.y, arrow_w, slot.height)
    room = pygame.Rect(arrow.right + gap, slot.y, slot.right - arrow.right - gap, slot.height)
    plan.texts.append(
        place(row.ticket, ticket, ticket_px, bold=True, fg=fg, bg=bg, role="ticket" + suffix)
    )
    # A lighter arrow than the words: it links number and room without competing with them.
    plan.texts.append(
        place(ARROW, arrow, arrow_px, fg=fg, bg=bg, align="center", role="arrow" + suffix)
    )
    if fit_size(row.room_name, True, room.width, room.height, room_px) >= floor:
        plan.texts.append(place(row.room_name, room, room_px, bold=True, fg=fg, bg=bg,
                                role="room" + suffix))
    else:
        plan.texts.extend(place_wrapped(row.room_name, room, floor, bold=True, fg=fg, bg=bg,
                                        role="room" + suffix))


def _px(view: LobbyView, units: float, u: float) -> int:
    """A text size of `units` on a 1080-line screen, never below what is readable from where
    the customer reads the list (view.text_px, 0.7 degrees at the reading distance)."""
    return max(round(units * u), view.text_px)


@dataclass(frozen=True)
class _ServiceBlock:
    """One authority's row as measured: the figure on the right and the lines on the left."""

    service: ServiceRow
    value: str
    value_px: int
    value_role: str
    under: str
    under_role: str
    height: int


def _service_block(view: LobbyView, service: ServiceRow, width: int, u: float
                   ) -> _ServiceBlock:
    stale = view.stale_age_s is not None
    value, value_px, value_role = "", 0, ""
    under, under_role = "", ""
    if service.open and stale:
        # An old count is not news: a dash until the controller is heard again.
        value, value_px, value_role = "–", _px(view, 72, u), "waiting-unknown"
    elif service.open:
        value, value_px, value_role = str(service.waiting), _px(view, 96, u), "waiting"
        if service.eta:
            under, under_role = f"≈ {service.eta}", "eta"
    elif service.next_open is not None:
        value, value_px, value_role = (opening_text(service.next_open, view.now),
                                       _px(view, 56, u), "opens")
        under, under_role = OPENS, "opens-label"
    else:
        under, under_role = CLOSED, "closed"  # under the name: the figure column stays narrow
    name_w = _name_width(view, width, value, value_px, u)
    need = wrapped_height(service.name, name_w, _name_px(view, width, u), bold=True)
    if under:
        need += wrapped_height(under, name_w, _px(view, 28, u))
    if value:
        need = max(need, font(value_px, True).get_linesize())
    return _ServiceBlock(service, value, value_px, value_role, under, under_role,
                         need + round(24 * u))


def _name_width(view: LobbyView, width: int, value: str, value_px: int, u: float) -> int:
    """What the row's own figure on the right leaves for the name."""
    value_w = font(value_px, True).size(value)[0] if value else 0
    return width - value_w - (round(24 * u) if value else 0)


def _value(view: LobbyView, service: ServiceRow, u: float) -> tuple[str, int]:
    """The figure on the right of a row, as drawn: a count, a dash or an opening time."""
    if service.open:
        return (("–", _px(view, 72, u)) if view.stale_age_s is not None
                else (str(service.waiting), _px(view, 96, u)))
    if service.next_open is not None:
        return opening_text(service.next_open, view.now), _px(view, 56, u)
    return "", 0


def _name_px(view: LobbyView, width: int, u: float) -> int:
    """One size for every name of the list: the largest (up to 44 units, down to the
    readable floor) at which each name's longest word fits beside its row's figure."""
    size = _px(view, 44, u)
    rows = [(_name_width(view, width, *_value(view, s, u), u), s.name.split())
            for s in view.services]
    while size > view.text_px and any(
            font(size, True).size(w)[0] > room for room, words in rows for w in words):
        size -= 1
    return size


def _service_page_blocks(view: LobbyView, rest: pygame.Rect, u: float
                         ) -> list[list[_ServiceBlock]]:
    """The authorities in pages that fit `rest`, each row as tall as its own lines need:
    a long name wraps to two lines at the size of the others, never shrinks."""
    pages: list[list[_ServiceBlock]] = [[]]
    used = 0
    for service in view.services:
        block = _service_block(view, service, rest.width, u)
        if pages[-1] and used + block.height > rest.height:
            pages.append([])
            used = 0
        pages[-1].append(block)
        used += block.height
    return pages


def _services_frame_heights(view: LobbyView, width: int, u: float) -> tuple[int, int]:
    """The heights of the column's titles and of its footer (legend, page line)."""
    head = wrapped_height(WAITING, width, _px(view, 28, u)) + round(12 * u)
    foot = round(12 * u) + font(_px(view, 28, u)).get_linesize()  # the page line
    if _shows_legend(view):
        foot += wrapped_height(ESTIMATE, width, _px(view, 26, u))
    return head, foot


def _shows_legend(view: LobbyView) -> bool:
    return any(s.open and s.eta for s in view.services) and not view.stale_age_s


def _plan_services(plan: Plan, view: LobbyView, area: pygame.Rect, u: float) -> None:
    if not view.services or area.height < 60 * u:
        return
    bg = theme.PANEL
    plan.boxes.append(Box(area, bg, radius=round(20 * u)))
    inner = area.inflate(-round(64 * u), -round(48 * u))
    head_h, foot_h = _services_frame_heights(view, inner.width, u)
    head = pygame.Rect(inner.x, inner.y, inner.width, head_h)
    rest = pygame.Rect(inner.x, head.bottom, inner.width, inner.height - head_h - foot_h)
    foot = pygame.Rect(inner.x, rest.bottom, inner.width, foot_h)
    pages = _service_page_blocks(view, rest, u)
    page = view.service_page % len(pages)
    _plan_services_frame(plan, view, head, foot, u, page, len(pages))
    y = rest.y
    for i, block in enumerate(pages[page]):
        row = pygame.Rect(rest.x, y, rest.width, block.height)
        _plan_service_row(plan, view, block, row, u)
        y += block.height
        if i < len(pages[page]) - 1:  # between rows only: a rule never crosses a text
            plan.boxes.append(
                Box(pygame.Rect(row.x, y - 1, row.width, max(1, round(2 * u))), theme.RULE)
            )


def _plan_services_frame(plan: Plan, view: LobbyView, head: pygame.Rect, foot: pygame.Rect,
                         u: float, page: int, pages: int) -> None:
    """The column's titles, the legend of the estimates and the page number."""
    bg = theme.PANEL
    # "Waiting" over the figures; the names explain themselves. Both titles only where
    # they fit side by side at the readable size.
    size = _px(view, 28, u)
    both = font(size).size(SERVICES)[0] + font(size).size(WAITING)[0] + round(48 * u)
    if both <= head.width:
        plan.texts.append(place(SERVICES, head, size, fg=theme.MUTED, bg=bg,
                                role="services-title"))
    plan.texts.extend(place_wrapped(WAITING, head, size, fg=theme.MUTED, bg=bg,
                                    align="right", role="waiting-title", valign="top"))
    y = foot.y + round(12 * u)
    if _shows_legend(view):
        # What the "≈ 20–30 min" under a name means, once for the whole column.
        size = _px(view, 26, u)
        plan.texts.extend(place_wrapped(ESTIMATE, pygame.Rect(foot.x, y, foot.width,
                                                              foot.bottom - y),
                                        size, fg=theme.MUTED, bg=bg, role="estimate-legend",
                                        valign="top"))
        y += wrapped_height(ESTIMATE, foot.width, size)
    if pages > 1:
        # In words and figures: there is more, and how much; the pages turn by themselves.
        size = _px(view, 28, u)
        plan.texts.extend(place_wrapped(PAGE.format(page=page + 1, pages=pages),
                                        pygame.Rect(foot.x, y, foot.width, foot.bottom - y),
                                        size, fg=theme.TEXT, bg=bg, align="right",
                                        role="page", valign="top"))


def _plan_service_row(plan: Plan, view: LobbyView, block: _ServiceBlock, row: pygame.Rect,
                      u: float) -> None:
    """One service: its name (with the estimate or "opens" under it) and a figure right."""
    bg = theme.PANEL
    inner = row.inflate(0, -round(24 * u))
    if block.value:
        fg = theme.MUTED if block.value_role == "waiting-unknown" else theme.TEXT
        plan.texts.append(place(block.value, inner, block.value_px, bold=True, fg=fg, bg=bg,
                                align="right", role=block.value_role))
    name_w = _name_width(view, row.width, block.value, block.value_px, u)
    name_px, under_px = _name_px(view, row.width, u), _px(view, 28, u)
    lines_h = wrapped_height(block.service.name, name_w, name_px, bold=True)
    if block.under:
        lines_h += wrapped_height(block.under, name_w, under_px)
    y = inner.y + max(0, (inner.height - lines_h) // 2)
    names = place_wrapped(block.service.name, pygame.Rect(inner.x, y, name_w, lines_h),
                          name_px, bold=True, fg=theme.TEXT, bg=bg, role="service",
                          valign="top")
    plan.texts.extend(names)
    if block.under:
        y += wrapped_height(block.service.name, name_w, name_px, bold=True)
        plan.texts.extend(place_wrapped(block.under, pygame.Rect(inner.x, y, name_w, lines_h),
                                        under_px, fg=theme.MUTED, bg=bg,
                                        role=block.under_role, valign="top"))


def _services_height(view: LobbyView, width: int, u: float) -> int:
    """The height the services panel needs: titles, rows, footer and padding."""
    inner_w = width - round(64 * u)
    head_h, foot_h = _services_frame_heights(view, inner_w, u)
    rows = sum(_service_block(view, s, inner_w, u).height for s in view.services)
    return head_h + foot_h + rows + round(48 * u)


def layout_lobby(view: LobbyView, size: tuple[int, int]) -> list[TextItem]:
    """Every text of the lobby screen at `size`, where it goes and how big (tests read this)."""
    return plan_lobby(view, size).texts


def render_lobby(surface: pygame.Surface, view: LobbyView) -> None:
    draw_plan(surface, plan_lobby(view, surface.get_size()))
