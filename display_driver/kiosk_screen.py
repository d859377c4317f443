"""The kiosk's touch screen: pick an authority, wait a moment, take the ticket.

Same shape as the lobby: a view (plain data the kiosk role builds), a layout step that
returns what is drawn where plus the touchable buttons, and a draw step. Every text is in
`TEXTS`, keyed by language, so a language switch is a data change. The error screen speaks
all three languages at once: whoever stands in front of a broken kiosk must understand it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pygame

from display_driver import theme
from display_driver.layout import Box, Plan, TextItem, draw_plan, place
from firmware.site_model import LANGS

TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "choose": "Valitse palvelu",
        "choose_hint": "Kosketa palvelun nimeä, niin saat vuoronumeron.",
        "advisor": "Palveluneuvoja auttaa mielellään",
        "opens": "Avautuu {when}",
        "today": "tänään",
        "closed": "Suljettu",
        "issuing": "Tulostetaan vuoronumeroa...",
        "issuing_hint": "Hetki vain.",
        "your_number": "Vuoronumerosi",
        "ahead": "Ennen sinua jonossa: {n}",
        "next": "Olet seuraavana vuorossa",
        "eta": "Arvioitu odotus noin {m} min",
        "take_ticket": "Ota lippu tulostimesta",
        "not_printed": "Lippua ei voitu tulostaa. Muista numerosi, palveluneuvoja auttaa.",
        "done": "Valmis",
        "error": "Vuoronumerolaite on epäkunnossa.",
        "error_hint": "Palveluneuvoja auttaa sinua.",
    },
    "sv": {
        "choose": "Välj tjänst",
        "choose_hint": "Tryck på tjänstens namn så får du ett könummer.",
        "advisor": "Servicerådgivaren hjälper gärna",
        "opens": "Öppnar {when}",
        "today": "i dag",
        "closed": "Stängt",
        "issuing": "Könumret skrivs ut...",
        "issuing_hint": "Ett ögonblick.",
        "your_number": "Ditt könummer",
        "ahead": "Före dig i kön: {n}",
        "next": "Du är näst på tur",
        "eta": "Uppskattad väntetid cirka {m} min",
        "take_ticket": "Ta lappen från skrivaren",
        "not_printed": "Lappen kunde inte skrivas ut. Kom ihåg ditt nummer, "
        "servicerådgivaren hjälper.",
        "done": "Klar",
        "error": "Könummerautomaten är ur funktion.",
        "error_hint": "Servicerådgivaren hjälper dig.",
    },
    "en": {
        "choose": "Choose a service",
        "choose_hint": "Touch the name of the service to get a queue number.",
        "advisor": "The service advisor is happy to help",
        "opens": "Opens {when}",
        "today": "today",
        "closed": "Closed",
        "issuing": "Printing your queue number...",
        "issuing_hint": "Just a moment.",
        "your_number": "Your queue number",
        "ahead": "People ahead of you: {n}",
        "next": "You are next in line",
        "eta": "Estimated wait about {m} min",
        "take_ticket": "Take your ticket from the printer",
        "not_printed": "The ticket could not be printed. Remember your number; "
        "the service advisor will help.",
        "done": "Done",
        "error": "The queue number machine is out of order.",
        "error_hint": "The service advisor will help you.",
    },
}
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "fi": ("ma", "ti", "ke", "to", "pe", "la", "su"),
    "sv": ("mån", "tis", "ons", "tor", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
PHASES = ("start", "issuing", "ticket", "error")
MIN_BUTTON_PX = 88  # 12 mm on a 15.6" 1920x1080 panel (0.18 mm per pixel) is about 85 px


@dataclass(frozen=True)
class KioskService:
    id: str
    name: str
    open: bool
    next_open: datetime | None


@dataclass(frozen=True)
class KioskTicket:
    number: str
    service_name: str
    ahead: int
    eta_minutes: int | None = None
    printed: bool = True


@dataclass(frozen=True)
class KioskView:
    site_name: str
    services: tuple[KioskService, ...]
    phase: str  # one of PHASES
    ticket: KioskTicket | None
    message: str
    lang: str = "fi"
    now: datetime | None = None  # lets an opening time say "today"; without it, the weekday


@dataclass(frozen=True)
class Button:
    rect: pygame.Rect
    action: str  # "issue" (with service_id) or "done"
    service_id: str | None
    enabled: bool


def text(lang: str, key: str, **values: object) -> str:
    table = TEXTS.get(lang, TEXTS["fi"])
    return table.get(key, TEXTS["fi"][key]).format(**values)


def opening_text(next_open: datetime, lang: str, now: datetime | None = None) -> str:
    """ "Avautuu ti 9.00"; "Avautuu tänään 12.00" when `now` says it is today."""
    local = next_open
    if now is not None and next_open.tzinfo is not None and now.tzinfo is not None:
        local = next_open.astimezone(now.tzinfo)
    clock = f"{local.hour}.{local.minute:02d}"
    lang = lang if lang in LANGS else "fi"
    if now is not None and local.date() == now.date():
        when = f"{text(lang, 'today')} {clock}"
    elif now is not None and (local.date() - now.date()).days >= 7:
        # A weekday alone would be ambiguous a week or more ahead (holidays): add the date.
        when = f"{WEEKDAYS[lang][local.weekday()]} {local.day}.{local.month}. {clock}"
    else:
        when = f"{WEEKDAYS[lang][local.weekday()]} {clock}"
    return text(lang, "opens", when=when)


@dataclass
class KioskLayout:
    plan: Plan
    buttons: list[Button]


def layout_kiosk(view: KioskView, size: tuple[int, int]) -> KioskLayout:
    w, h = size
    u = min(w, h) / 1080
    margin = round(56 * u)
    plan = Plan(theme.BACKGROUND)
    buttons: list[Button] = []
    # Header: the site's name, quietly; the task is below it.
    plan.texts.append(
        place(
            view.site_name,
            pygame.Rect(margin, round(24 * u), w - 2 * margin, round(80 * u)),
            round(40 * u),
            fg=theme.MUTED,
            bg=theme.BACKGROUND,
            role="site",
        )
    )
    body = pygame.Rect(margin, round(124 * u), w - 2 * margin, h - round(124 * u) - margin)
    if view.phase == "start":
        _start(plan, buttons, view, body, u)
    elif view.phase == "issuing":
        _centred(
            plan,
            body,
            u,
            [
                (text(view.lang, "issuing"), 64, True, "issuing"),
                (text(view.lang, "issuing_hint"), 40, False, "hint"),
            ],
        )
    elif view.phase == "ticket" and view.ticket is not None:
        _ticket(plan, buttons, view, view.ticket, body, u)
    else:  # "error", an unknown phase, or a ticket phase without a ticket: fail visibly
        _error(plan, view, body, u)
    return KioskLayout(plan, buttons)


def _centred(
    plan: Plan, area: pygame.Rect, u: float, lines: list[tuple[str, int, bool, str]]
) -> None:
    heights = [round(px * 1.6 * u) for _, px, _, _ in lines]
    y = area.centery - sum(heights) // 2
    for (line, px, bold, role), lh in zip(lines, heights, strict=True):
        slot = pygame.Rect(area.x, y, area.width, lh)
        if not line:  # a spacer between groups
            y += lh
            continue
        plan.texts.append(
            place(
                line,
                slot,
                round(px * u),
                bold=bold,
                fg=theme.TEXT,
                bg=theme.BACKGROUND,
                align="center",
                role=role,
            )
        )
        y += lh


def _start(plan: Plan, buttons: list[Button], view: KioskView, body: pygame.Rect, u: float) -> None:
    lang, bg = view.lang, theme.BACKGROUND
    title = pygame.Rect(body.x, body.y, body.width, round(90 * u))
    plan.texts.append(
        place(
            text(lang, "choose"),
            title,
            round(64 * u),
            bold=True,
            fg=theme.TEXT,
            bg=bg,
            role="title",
        )
    )
    hint = pygame.Rect(body.x, title.bottom, body.width, round(56 * u))
    plan.texts.append(
        place(text(lang, "choose_hint"), hint, round(36 * u), fg=theme.MUTED, bg=bg, role="hint")
    )
    footer_h = round(80 * u)
    footer = pygame.Rect(body.x, body.bottom - footer_h, body.width, footer_h)
    lines = [text(lang, "advisor")] + ([view.message] if view.message else [])
    plan.texts.append(
        place(
            "   ·   ".join(lines),
            footer,
            round(40 * u),
            fg=theme.TEXT,
            bg=bg,
            align="center",
            role="advisor",
        )
    )

    area = pygame.Rect(
        body.x, hint.bottom + round(32 * u), body.width, footer.top - hint.bottom - round(64 * u)
    )
    n = len(view.services)
    if n == 0:
        return
    gap = max(round(24 * u), 16)  # room between targets, so a shaky finger hits one only
    cols = 1 if n * (MIN_BUTTON_PX + gap) <= area.height + gap else 2
    rows = -(-n // cols)
    btn_h = (area.height - (rows - 1) * gap) // rows
    btn_h = max(MIN_BUTTON_PX, min(btn_h, round(150 * u)))
    col_w = (area.width - (cols - 1) * gap) // cols
    for i, service in enumerate(view.services):
        r, c = divmod(i, cols)
        rect = pygame.Rect(area.x + c * (col_w + gap), area.y + r * (btn_h + gap), col_w, btn_h)
        if rect.bottom > area.bottom + 1 and i > 0:
            break  # more authorities than the screen holds: never draw a button half off it
        _service_button(plan, buttons, service, rect, view, u)


def _service_button(
    plan: Plan,
    buttons: list[Button],
    service: KioskService,
    rect: pygame.Rect,
    view: KioskView,
    u: float,
) -> None:
    pad = round(36 * u)
    inner = rect.inflate(-2 * pad, 0)
    if service.open:
        plan.boxes.append(Box(rect, theme.BUTTON, radius=round(18 * u)))
        plan.texts.append(
            place(
                service.name,
                inner,
                round(56 * u),
                bold=True,
                fg=theme.ON_BUTTON,
                bg=theme.BUTTON,
                role="service",
            )
        )
    else:
        plan.boxes.append(Box(rect, theme.CLOSED_BUTTON, radius=round(18 * u)))
        when = (
            opening_text(service.next_open, view.lang, view.now)
            if service.next_open is not None
            else text(view.lang, "closed")
        )
        note = place(
            when,
            pygame.Rect(inner.centerx, inner.y, inner.width // 2, inner.height),
            round(40 * u),
            fg=theme.ON_CLOSED,
            bg=theme.CLOSED_BUTTON,
            align="right",
            role="opens",
        )
        name_slot = pygame.Rect(inner.x, inner.y, note.rect.left - inner.x - pad, inner.height)
        name = place(
            service.name,
            name_slot,
            round(48 * u),
            fg=theme.ON_CLOSED,
            bg=theme.CLOSED_BUTTON,
            role="service-closed",
        )
        if name.size < round(40 * u):
            # Side by side would make the name small: put the opening time under it instead.
            top, bottom = (
                pygame.Rect(inner.x, inner.y, inner.width, inner.height * 11 // 20),
                pygame.Rect(
                    inner.x,
                    inner.y + inner.height * 11 // 20,
                    inner.width,
                    inner.height - inner.height * 11 // 20,
                ),
            )
            name = place(
                service.name,
                top,
                round(44 * u),
                fg=theme.ON_CLOSED,
                bg=theme.CLOSED_BUTTON,
                role="service-closed",
            )
            note = place(
                when,
                bottom,
                round(34 * u),
                fg=theme.ON_CLOSED,
                bg=theme.CLOSED_BUTTON,
                role="opens",
            )
        plan.texts.append(name)
        plan.texts.append(note)
    buttons.append(Button(rect, "issue", service.id, service.open))


def _ticket(
    plan: Plan,
    buttons: list[Button],
    view: KioskView,
    ticket: KioskTicket,
    body: pygame.Rect,
    u: float,
) -> None:
    lang = view.lang
    lines: list[tuple[str, int, bool, str]] = [
        (text(lang, "your_number"), 44, False, "label"),
        (ticket.number, 220, True, "number"),
        (ticket.service_name, 52, True, "service"),
        (
            text(lang, "ahead", n=ticket.ahead) if ticket.ahead > 0 else text(lang, "next"),
            44,
            False,
            "ahead",
        ),
    ]
    if ticket.eta_minutes is not None and ticket.ahead > 0:
        lines.append((text(lang, "eta", m=ticket.eta_minutes), 40, False, "eta"))
    if ticket.printed:
        lines.append((text(lang, "take_ticket"), 52, True, "take"))
    else:
        lines.append((text(lang, "not_printed"), 40, True, "not-printed"))
    done_h = max(MIN_BUTTON_PX, round(110 * u))
    content = pygame.Rect(body.x, body.y, body.width, body.height - done_h - round(32 * u))
    _centred(plan, content, u * _shrink(lines, content.height, u), lines)
    done = pygame.Rect(0, 0, min(body.width, round(480 * u)), done_h)
    done.midbottom = body.midbottom
    plan.boxes.append(Box(done, theme.BUTTON, radius=round(18 * u)))
    plan.texts.append(
        place(
            text(lang, "done"),
            done.inflate(-round(40 * u), 0),
            round(48 * u),
            bold=True,
            fg=theme.ON_BUTTON,
            bg=theme.BUTTON,
            align="center",
            role="done",
        )
    )
    buttons.append(Button(done, "done", None, True))


def _shrink(lines: list[tuple[str, int, bool, str]], height: int, u: float) -> float:
    """A factor (<= 1) that makes the stacked lines fit `height`."""
    needed = sum(px * 1.6 * u for _, px, _, _ in lines)
    return min(1.0, height / needed) if needed else 1.0


def _error(plan: Plan, view: KioskView, body: pygame.Rect, u: float) -> None:
    lines: list[tuple[str, int, bool, str]] = []
    for lang in LANGS:
        if lines:
            lines.append(("", 20, False, "spacer"))  # keep each language's pair together
        lines.append((text(lang, "error"), 48, True, f"error-{lang}"))
        lines.append((text(lang, "error_hint"), 40, False, f"hint-{lang}"))
    if view.message:
        lines.append((view.message, 36, False, "message"))
    _centred(plan, body, u * _shrink(lines, body.height, u), lines)


def layout_kiosk_texts(view: KioskView, size: tuple[int, int]) -> list[TextItem]:
    return layout_kiosk(view, size).plan.texts


def render_kiosk(surface: pygame.Surface, view: KioskView) -> list[Button]:
    """Draw the kiosk screen; returns its buttons for `hit_test` (closed ones disabled)."""
    layout = layout_kiosk(view, surface.get_size())
    draw_plan(surface, layout.plan)
    return layout.buttons


def hit_test(buttons: list[Button], pos: tuple[int, int]) -> Button | None:
    """The enabled button under `pos`, if any; a touch on a closed authority does nothing."""
    for button in buttons:
        if button.enabled and button.rect.collidepoint(pos):
            return button
    return None
