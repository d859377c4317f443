"""The waiting-area display: numbers being served and their rooms, and each authority's queue.

State -> view -> layout -> pixels. `lobby_view_from_snapshot` reads the controller's retained
`queue/state` snapshot defensively (a display must never go dark over one bad message);
`layout_lobby` decides what text goes where and how big; `render_lobby` paints it.
The lobby is shared by every language, so fixed labels are shown in fi/sv/en together;
service and room names come from the site config in the view's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pygame

from display_driver import theme
from display_driver.layout import Box, Plan, TextItem, draw_plan, place
from firmware.site_model import SiteConfig

NOW_SERVING = "Nyt palvellaan / Betjänas nu / Now serving"
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

SERVICES_HEAD = 56  # units; see plan_lobby
SERVICE_ROW = 150


@dataclass(frozen=True)
class ServingRow:
    ticket: str
    room_name: str
    call_id: str


@dataclass(frozen=True)
class ServiceRow:
    name: str
    waiting: int
    open: bool
    next_open: datetime | None


@dataclass(frozen=True)
class LobbyView:
    site_name: str
    now: datetime
    serving: tuple[ServingRow, ...]  # newest call first
    newest_call_id: str | None
    services: tuple[ServiceRow, ...]
    lang: str = "fi"


# -- snapshot -> view ---------------------------------------------------------------------


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _count(value: Any) -> int:
    # bool is an int in Python; a "waiting": true is garbage, not one customer.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    try:
        return max(0, int(value))
    except (OverflowError, ValueError):  # inf, nan
        return 0


def _order_key(row: dict[str, Any], index: int) -> tuple[float, int]:
    called = _parse_time(row.get("called_at"))
    try:
        stamp = called.timestamp() if called is not None else float("-inf")
    except (OverflowError, OSError, ValueError):
        stamp = float("-inf")
    # Newest first; rows without a usable time keep the controller's order, after the rest.
    return (-stamp, index)


def lobby_view_from_snapshot(snapshot: dict, config: SiteConfig, now: datetime) -> LobbyView:
    """The view of a `queue/state` snapshot; anything malformed in it is skipped, never raised."""
    lang = "fi"
    data = snapshot if isinstance(snapshot, dict) else {}

    raw_serving = data.get("serving")
    rows_in = (
        [r for r in raw_serving if isinstance(r, dict)] if isinstance(raw_serving, list) else []
    )
    ordered = [r for _, r in sorted(enumerate(rows_in), key=lambda p: _order_key(p[1], p[0]))]
    serving: list[ServingRow] = []
    for row in ordered:
        ticket, room_id, call_id = row.get("ticket"), row.get("room"), row.get("call_id")
        room = config.room(room_id) if isinstance(room_id, str) else None
        if not isinstance(ticket, str) or not ticket or room is None:
            continue  # a number with no room we know cannot guide anyone anywhere
        call = call_id if isinstance(call_id, str) else ""
        serving.append(ServingRow(ticket, room.name.get(lang), call))

    # The newest call is the snapshot's last call while it is still being served;
    # otherwise the most recently called row.
    newest: str | None = None
    last = data.get("last_call")
    last_id = last.get("call_id") if isinstance(last, dict) else None
    if isinstance(last_id, str) and any(r.call_id == last_id for r in serving):
        newest = last_id
    elif serving and serving[0].call_id:
        newest = serving[0].call_id
    if newest is not None:
        serving.sort(key=lambda r: r.call_id != newest)  # stable: the newest moves to the top

    raw_services = data.get("services")
    states: dict[str, dict[str, Any]] = {}
    for item in raw_services if isinstance(raw_services, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            states.setdefault(item["id"], item)
    services = tuple(
        ServiceRow(
            name=service.name.get(lang),
            waiting=_count(state.get("waiting")),
            open=state.get("open") is True,
            next_open=_parse_time(state.get("next_open")),
        )
        # The config's order is the site's chosen order; services it does not know are skipped,
        # and so are those the snapshot says nothing about (nothing true could be shown).
        for service in config.services
        if (state := states.get(service.id)) is not None
    )
    return LobbyView(
        site_name=config.site.name.get(lang),
        now=now,
        serving=tuple(serving),
        newest_call_id=newest,
        services=services,
        lang=lang,
    )


# -- view -> layout -----------------------------------------------------------------------


def clock_text(moment: datetime) -> str:
    return f"{moment.hour}.{moment.minute:02d}"  # 9.05: the Finnish (and Finland-Swedish) way


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


def plan_lobby(view: LobbyView, size: tuple[int, int]) -> Plan:
    w, h = size
    u = min(w, h) / 1080  # one unit: a pixel on a 1080-line screen, in either orientation
    margin = round(48 * u)
    plan = Plan(theme.BACKGROUND)
    texts = plan.texts

    # Header: where we are and what time it is.
    header = pygame.Rect(margin, round(20 * u), w - 2 * margin, round(110 * u))
    clock_w = round(header.width * (0.3 if w >= h else 0.42))
    clock = pygame.Rect(header.right - clock_w, header.y, clock_w, header.height)
    texts.append(
        place(
            clock_text(view.now),
            clock,
            round(68 * u),
            bold=True,
            fg=theme.TEXT,
            bg=theme.BACKGROUND,
            align="right",
            role="time",
        )
    )
    date_slot = pygame.Rect(
        clock.x, clock.y, clock.width - texts[-1].rect.width - round(28 * u), clock.height
    )
    texts.append(
        place(
            date_text(view.now),
            date_slot,
            round(40 * u),
            fg=theme.MUTED,
            bg=theme.BACKGROUND,
            align="right",
            role="date",
        )
    )
    name_slot = pygame.Rect(
        header.x, header.y, header.width - clock_w - round(24 * u), header.height
    )
    texts.append(
        place(
            view.site_name,
            name_slot,
            round(52 * u),
            bold=True,
            fg=theme.TEXT,
            bg=theme.BACKGROUND,
            role="site",
        )
    )
    plan.boxes.append(
        Box(
            pygame.Rect(
                margin, header.bottom + round(12 * u), w - 2 * margin, max(1, round(2 * u))
            ),
            theme.RULE,
        )
    )

    body = pygame.Rect(
        margin,
        header.bottom + round(40 * u),
        w - 2 * margin,
        h - header.bottom - round(40 * u) - margin,
    )
    gap = round(40 * u)
    if w >= h:  # landscape: the calls on the left, the authorities in a column on the right
        main_w = round(body.width * 0.62)
        main = pygame.Rect(body.x, body.y, main_w, body.height)
        side = pygame.Rect(main.right + gap, body.y, body.width - main_w - gap, body.height)
    else:  # portrait: the calls on top, the authorities below
        # The panel takes what its rows need (up to 45 %); the calls get the rest.
        main_h = body.height - gap - min(_services_height(view, u), round(body.height * 0.45))
        main = pygame.Rect(body.x, body.y, body.width, main_h)
        side = pygame.Rect(body.x, main.bottom + gap, body.width, body.height - main_h - gap)

    _plan_serving(plan, view, main, u)
    _plan_services(plan, view, side, u)
    return plan


def _plan_serving(plan: Plan, view: LobbyView, area: pygame.Rect, u: float) -> None:
    texts, bg = plan.texts, theme.BACKGROUND
    title, rest = _split(area, round(70 * u))
    texts.append(place(NOW_SERVING, title, round(44 * u), fg=theme.MUTED, bg=bg, role="title"))
    rest.y += round(16 * u)
    rest.height -= round(16 * u)

    if not view.serving:
        for i, line in enumerate(NOBODY_YET):
            slot = pygame.Rect(rest.x, rest.y + round(i * 64 * u), rest.width, round(64 * u))
            texts.append(place(line, slot, round(40 * u), fg=theme.TEXT, bg=bg, role="hint"))
        return

    rows = list(view.serving)
    y = rest.y
    pad = round(36 * u)
    if view.newest_call_id is not None and rows[0].call_id == view.newest_call_id:
        # The newest call: a warm band with the biggest numbers on the screen.
        band = pygame.Rect(rest.x, y, rest.width, min(round(250 * u), rest.height))
        plan.boxes.append(Box(band, theme.ACCENT, radius=round(20 * u)))
        _row_texts(
            plan,
            rows.pop(0),
            band.inflate(-2 * pad, -round(20 * u)),
            round(190 * u),
            round(120 * u),
            theme.ON_ACCENT,
            theme.ACCENT,
            newest=True,
        )
        y = band.bottom + round(24 * u)

    row_h = round(140 * u)
    for row in rows:
        if y + row_h > rest.bottom:
            break  # the oldest calls give way; they were announced long ago
        slot = pygame.Rect(rest.x + pad, y, rest.width - 2 * pad, row_h)
        _row_texts(plan, row, slot, round(110 * u), round(80 * u), theme.TEXT, bg, newest=False)
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
) -> None:
    suffix = "-newest" if newest else ""
    gap = max(8, slot.height // 8)
    # Fixed columns, so the numbers of all rows line up under one another.
    ticket = pygame.Rect(slot.x, slot.y, round(slot.width * 0.44) - gap, slot.height)
    arrow = pygame.Rect(ticket.right + gap, slot.y, round(slot.width * 0.1), slot.height)
    room = pygame.Rect(arrow.right + gap, slot.y, slot.right - arrow.right - gap, slot.height)
    plan.texts.append(
        place(row.ticket, ticket, ticket_px, bold=True, fg=fg, bg=bg, role="ticket" + suffix)
    )
    # A lighter arrow than the words: it links number and room without competing with them.
    plan.texts.append(
        place(
            ARROW, arrow, round(room_px * 0.7), fg=fg, bg=bg, align="center", role="arrow" + suffix
        )
    )
    plan.texts.append(
        place(row.room_name, room, room_px, bold=True, fg=fg, bg=bg, role="room" + suffix)
    )


def _plan_services(plan: Plan, view: LobbyView, area: pygame.Rect, u: float) -> None:
    if not view.services or area.height < 60 * u:
        return
    bg = theme.PANEL
    plan.boxes.append(Box(area, bg, radius=round(20 * u)))
    inner = area.inflate(-round(64 * u), -round(48 * u))
    head, rest = _split(inner, round(SERVICES_HEAD * u))
    half = head.width // 2
    plan.texts.append(
        place(
            SERVICES,
            pygame.Rect(head.x, head.y, half, head.height),
            round(28 * u),
            fg=theme.MUTED,
            bg=bg,
            role="services-title",
        )
    )
    plan.texts.append(
        place(
            WAITING,
            pygame.Rect(head.x + half, head.y, head.width - half, head.height),
            round(28 * u),
            fg=theme.MUTED,
            bg=bg,
            align="right",
            role="waiting-title",
        )
    )

    row_h = max(round(96 * u), min(round(SERVICE_ROW * u), rest.height // len(view.services)))
    y = rest.y
    gap = round(24 * u)
    for service in view.services:
        if y + row_h > rest.bottom:
            break  # more authorities than fit: the site's order decides who is shown
        row = pygame.Rect(rest.x, y, rest.width, row_h)
        # The figure on the right is placed first; the name gets all the width left over.
        value_slot = pygame.Rect(row.x + row.width // 2, row.y, row.width // 2, row.height)
        if service.open:
            value = place(
                str(service.waiting),
                value_slot,
                round(96 * u),
                bold=True,
                fg=theme.TEXT,
                bg=bg,
                align="right",
                role="waiting",
            )
        elif service.next_open is not None:
            value = place(
                opening_text(service.next_open, view.now),
                value_slot,
                round(56 * u),
                bold=True,
                fg=theme.TEXT,
                bg=bg,
                align="right",
                role="opens",
            )
        else:
            value = place(
                CLOSED,
                value_slot,
                round(30 * u),
                fg=theme.MUTED,
                bg=bg,
                align="right",
                role="closed",
            )
        plan.texts.append(value)
        left = pygame.Rect(row.x, row.y, value.rect.left - gap - row.x, row.height)
        if service.open or service.next_open is None:
            plan.texts.append(
                place(
                    service.name,
                    left,
                    round(44 * u),
                    bold=True,
                    fg=theme.TEXT,
                    bg=bg,
                    role="service",
                )
            )
        else:
            # Closed: the name, and under it what the figure on the right means.
            top, bottom = _split(left, row_h * 3 // 5)
            plan.texts.append(
                place(
                    service.name,
                    top,
                    round(44 * u),
                    bold=True,
                    fg=theme.TEXT,
                    bg=bg,
                    role="service",
                )
            )
            plan.texts.append(
                place(OPENS, bottom, round(28 * u), fg=theme.MUTED, bg=bg, role="opens-label")
            )
        y += row_h
        if y < rest.bottom - row_h // 2:
            plan.boxes.append(
                Box(pygame.Rect(row.x, y - 1, row.width, max(1, round(2 * u))), theme.RULE)
            )


def _services_height(view: LobbyView, u: float) -> int:
    """The height the services panel needs: header, rows and padding."""
    return round((SERVICES_HEAD + 48 + SERVICE_ROW * len(view.services)) * u)


def layout_lobby(view: LobbyView, size: tuple[int, int]) -> list[TextItem]:
    """Every text of the lobby screen at `size`, where it goes and how big (tests read this)."""
    return plan_lobby(view, size).texts


def render_lobby(surface: pygame.Surface, view: LobbyView) -> None:
    draw_plan(surface, plan_lobby(view, surface.get_size()))
