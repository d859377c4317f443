"""The kiosk's touch screen: pick an authority (or check in), take the ticket.

Same shape as the lobby: a view (plain data the kiosk role builds), a layout step that
returns what is drawn where plus the touchable buttons, and a draw step. Words live in
`firmware.kiosk.texts`. The out-of-order screen speaks all three languages at once:
whoever stands in front of a broken kiosk must understand it.

Accessibility is part of the layout, not an add-on: every button is at least
`view.min_target_px` (12 mm on the configured panel) and apart from its neighbours; the
focused button (physical keys) has a thick ring; large-text mode scales the type and switches
to a black/yellow high-contrast palette; every text/background pair is ≥ 7:1 (tested).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pygame

from display_driver import theme
from display_driver.fonts import font
from display_driver.layout import (
    MIN_BUTTON_PX,
    Box,
    Plan,
    TextItem,
    TouchFrame,
    draw_plan,
    fit_size,
    place,
    place_lines,
    place_wrapped,
    wrap_words,
    wrapped_height,
)
from display_driver.legibility import min_font_px
from firmware.core import appointments
from firmware.core.legibility import px_per_mm
from firmware.core.wait_words import span_of, wait_line
from firmware.kiosk.texts import LANG_NAMES, TEXTS, WEEKDAYS, text, wait_words
from firmware.site_model import LANGS, KioskConfig, QueueRules

__all__ = ["LANG_NAMES", "TEXTS", "WEEKDAYS", "text"]

# "survey" is drawn by the feedback screen (firmware.feedback.kiosk_survey), not here.
PHASES = ("starting", "start", "code", "issuing", "ticket", "refused", "limit", "error", "pin",
          "survey", "help")
CODE_KEYS = tuple("1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ")
PIN_KEYS = tuple("1234567890")
CODE_MAX = appointments.CODE_MAX  # the longest code an appointment list can hold


CALM, HIGH_CONTRAST = theme.CALM, theme.HIGH_CONTRAST  # shared by every touch screen


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
    printing: bool = False  # the slip is on its way to the printer
    appointment_at: str = ""  # "10.30" for an appointment check-in
    again: bool = False  # the same code checked in again: the same number
    eta_range: tuple[int, int] | None = None  # the controller's range; else from the minutes

    def wait_line(self, lang: str) -> str | None:
        """The wait in the words the slip and the display use (firmware.core.wait_words)."""
        return wait_line(self.ahead, span_of(self.eta_range, self.eta_minutes), lang)


@dataclass(frozen=True)
class KioskView:
    site_name: str
    services: tuple[KioskService, ...]
    phase: str  # one of PHASES
    ticket: KioskTicket | None
    message: str
    lang: str = "fi"
    now: datetime | None = None  # lets an opening time say "today"; without it, the weekday
    focus: int | None = None  # index into the buttons (physical keys); None: no ring
    large: bool = False  # large text, high contrast
    speech: bool = False
    code: str = ""  # what is typed on the keypad (appointment code or PIN, shown masked)
    notice: str = ""  # refused phase: which refusal (a key of TEXTS without "refused_")
    notice_time: str = ""  # e.g. when a closed authority opens
    # The site's check-in window, minutes before and after an appointment: the refusal of
    # a code says it, the same for every code.
    checkin_minutes: tuple[int, int] = (QueueRules.appointment_early_minutes,
                                        QueueRules.appointment_late_minutes)
    retry_after_s: int | None = None  # refused phase: how long the controller asks to wait
    seconds_left: int | None = None  # set: the "more time?" warning is over the screen
    min_target_px: int = MIN_BUTTON_PX
    languages: tuple[str, ...] = field(default=LANGS)
    survey_label: str = ""  # set in the survey month when the kiosk offers the survey
    # The smallest readable font where the customer stands (0.7 degrees of arc at the
    # kiosk's reading distance, `kiosk_text_px`); 0: no floor (a picture of no device).
    text_px: int = 0
    # Which page of the authorities is shown (from 0), when they do not all fit at the
    # readable size; the layout keeps it within the pages there are.
    page: int = 0
    # The help screen's words (firmware.kiosk.flow.HelpNote): asking, told, again, desk.
    help: str = "asking"


@dataclass(frozen=True)
class Button:
    rect: pygame.Rect
    # issue, lang, appointment, large, speech, page, key, erase, cancel, ok, done, more
    action: str
    service_id: str | None
    enabled: bool
    # The language, the key's character, or a page turn's "to/pages" (to: from 0).
    arg: str = ""
    label: str = ""  # what speech says when the button gets the focus


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


def service_label(service: KioskService, lang: str, now: datetime | None) -> str:
    """What a closed authority says beside its name (and what speech reads for it)."""
    if service.open:
        return service.name
    when = (opening_text(service.next_open, lang, now) if service.next_open is not None
            else text(lang, "closed"))
    return f"{service.name}, {when}"


def kiosk_text_px(kiosk: KioskConfig, size: tuple[int, int]) -> int:
    """The smallest readable font (px) on the kiosk's panel of `size`: capitals of 0.7
    degrees at the kiosk's reading distance (issue 22)."""
    return min_font_px(kiosk.reading_distance_m, px_per_mm(kiosk.screen_diagonal_in, size))


@dataclass
class KioskLayout:
    plan: Plan
    buttons: list[Button]
    pages: int = 1  # the start screen's pages of authorities
    page: int = 0  # the one drawn (from 0)


@dataclass(frozen=True)
class _Paging:
    """The authorities' list on the start screen: how many pages of how many authorities,
    the grid of one page (see `_grid`), where it goes and where the page turn goes."""

    pages: int
    per_page: int
    grid: tuple[int, int, int, int, int]
    area: pygame.Rect
    nav: pygame.Rect | None

    @property
    def size(self) -> int:
        return self.grid[3]


class _Ctx(TouchFrame):
    """What every layout helper needs: the view, the scale, the palette, the plan."""

    def __init__(self, view: KioskView, size: tuple[int, int]) -> None:
        super().__init__(size, large=view.large, min_target_px=view.min_target_px)
        self.view = view
        self.buttons: list[Button] = []
        self.floor = view.text_px  # no customer text smaller (0.7 degrees, issue 22)
        self.note_max = self.at_least(self.px(36))  # a closed authority's opening time

    def t(self, key: str, **values: object) -> str:
        return text(self.view.lang, key, **values)

    def at_least(self, px: int) -> int:
        """`px`, or the panel's readable floor where that is bigger."""
        return max(px, self.floor)

    def line_h(self, px: int) -> int:
        """A slot's height of `px`, or one line of the floor's size where that is taller."""
        return max(px, font(self.floor, True).get_linesize()) if self.floor else px

    def line(self, words: str, slot: pygame.Rect, size: float, *, bold: bool = False,
             muted: bool = False, align: str = "left", role: str = "", grows: bool = True
             ) -> TextItem:
        """One line of text; `grows=False`: the same size in large-text mode (a heading
        that is already bigger than the list it stands over)."""
        px = self.at_least(self.px(size) if grows else round(size * self.u))
        item = place(words, slot, px, bold=bold,
                     fg=self.p.muted if muted else self.p.text, bg=self.p.background,
                     align=align, role=role)  # type: ignore[arg-type]
        self.plan.texts.append(item)
        return item

    def button(self, rect: pygame.Rect, words: str, action: str, *, arg: str = "",
               service_id: str | None = None, primary: bool = True, size: float = 48,
               role: str = "", label: str = "", align: str = "center",
               exact_px: int | None = None) -> Button:
        radius = round(16 * self.u)
        if primary:
            bg, fg = self.p.button, self.p.on_button
            self.plan.boxes.append(Box(rect, bg, radius=radius))
        else:  # a secondary button: the panel colour with a clear border
            bg, fg = self.p.panel, self.p.text
            self.plan.boxes.append(Box(rect, bg, radius=radius))
            self.plan.boxes.append(Box(rect, self.p.border, radius=radius,
                                       width=max(2, round(3 * self.u))))
        px, slot = exact_px or self.at_least(self.px(size)), self.label_slot(rect)
        if self.floor and fit_size(words, True, slot.width, slot.height, px) < self.floor:
            # Too long for one line at the readable size: two lines at it, never smaller.
            self.plan.texts += place_wrapped(words, slot, self.floor, bold=True, fg=fg, bg=bg,
                                             align=align, role=role or action)  # type: ignore[arg-type]
        else:
            self.plan.texts.append(place(words, slot, px, bold=True, fg=fg, bg=bg,
                                         align=align, role=role or action))  # type: ignore[arg-type]
        button = Button(rect, action, service_id, True, arg, label or words)
        self.buttons.append(button)
        return button

    def label_h(self, labels: list[tuple[str, int]], height: int) -> int:
        """A row of buttons `height` tall, or taller where a label (words, button width)
        needs more lines at the readable floor."""
        if not self.floor:
            return height
        pad_w, pad_h = 2 * round(20 * self.u), round(12 * self.u)
        line = font(self.floor, True).get_linesize()
        lines = max(len(wrap_words(words, self.floor, True, width - pad_w))
                    for words, width in labels)
        return max(height, lines * line + pad_h)

    def label_slot(self, rect: pygame.Rect) -> pygame.Rect:
        """Where a button's label may go: inside its padding."""
        return rect.inflate(-2 * round(20 * self.u), -round(12 * self.u))

    def row_px(self, labels: list[tuple[str, pygame.Rect]], size: float) -> int:
        """One size for a row of buttons: the largest up to `size` at which every label fits
        its own button (a smaller label would look less important)."""
        # Below the floor a label wraps instead (`button`): the row keeps the floor's size.
        return max(self.floor, min(fit_size(words, True, self.label_slot(rect).width,
                                            self.label_slot(rect).height,
                                            self.at_least(self.px(size)))
                                   for words, rect in labels))


def layout_kiosk(view: KioskView, size: tuple[int, int]) -> KioskLayout:
    c = _Ctx(view, size)
    paging: _Paging | None = None
    margin = round(48 * c.u)
    body = pygame.Rect(margin, margin // 2, c.w - 2 * margin, c.h - margin - margin // 2)
    phase = view.phase
    if phase == "start":
        paging = _start(c, body)
    elif phase == "code":
        _keypad(c, body, c.t("code_title"), view.code or c.t("code_empty"), CODE_KEYS,
                placeholder=not view.code)
    elif phase == "pin":
        _keypad(c, body, c.t("pin_title"), "●" * len(view.code) or " ", PIN_KEYS,
                placeholder=False, note=view.message)
    elif phase == "issuing":
        _centred(c, body, [(c.t("issuing"), 64, True, "issuing"),
                           (c.t("issuing_hint"), 40, False, "hint")])
    elif phase == "ticket" and view.ticket is not None:
        _ticket(c, body, view.ticket)
    elif phase == "refused":
        words, hint = refusal_parts(view)
        _message(c, body, words, "refused", c.t("back"), hint=hint)
    elif phase == "limit":
        _message(c, body, c.t("limit"), "limit", c.t("back"), hint=c.t("limit_hint"))
    elif phase == "starting":
        _every_language(c, body, "starting", "starting_hint")
    elif phase == "help":
        words, hint = help_parts(view)
        _message(c, body, words, "help", c.t("back"), hint=hint)
    else:  # "error", an unknown phase, or a ticket phase without a ticket: fail visibly
        _error(c, body)
    if view.seconds_left is not None and phase not in ("error", "starting"):
        _warning(c, view.seconds_left)
    _focus_ring(c)
    if paging is None:
        return KioskLayout(c.plan, c.buttons)
    return KioskLayout(c.plan, c.buttons, paging.pages, _page(c, paging))


def refusal_parts(view: KioskView) -> tuple[str, str]:
    """The refused screen's message and its smaller hint ("" when it has none)."""
    key = f"refused_{view.notice}"
    if key not in TEXTS["fi"]:
        key = "refused_other"
    early, late = view.checkin_minutes
    values = {"opens": view.notice_time, "early": early, "late": late,
              "wait": wait_words(view.lang, view.retry_after_s)}
    hint = text(view.lang, f"{key}_hint", **values) if f"{key}_hint" in TEXTS["fi"] else ""
    return text(view.lang, key, **values), hint


def help_parts(view: KioskView) -> tuple[str, str]:
    """The help screen's message and its hint: the advisor told (or told already, or being
    told), or where to ask instead; the customer may wait at the kiosk only in the first."""
    note = view.help if f"help_{view.help}" in TEXTS["fi"] else "desk"
    hint = text(view.lang, "help_hint") if note in ("told", "again") else ""
    return text(view.lang, f"help_{note}"), hint


def refusal_text(view: KioskView) -> str:
    """The whole refusal in one string: what speech reads."""
    return " ".join(part for part in refusal_parts(view) if part)


def _centred(c: _Ctx, area: pygame.Rect, lines: list[tuple[str, float, bool, str]]) -> None:
    """A stack of messages centred in `area`, each wrapped at words to the area's width.
    Where the stack is too tall the big ones (a ticket's number) shrink, never below the
    readable floor: a message gets more lines, not smaller letters."""

    def sizes(k: float) -> list[tuple[int, list[str], int]]:
        out = []
        for words, size, bold, _ in lines:
            px = c.at_least(max(1, round(size * c.u * c.s * k)))
            wrapped = wrap_words(words, px, bold, area.width) if words else [""]
            line = font(px, bold).get_linesize()
            pitch = max(line, round(size * 1.6 * c.u * c.s * k))
            out.append((px, wrapped, pitch + (len(wrapped) - 1) * line))
        return out

    k = 1.0
    laid = sizes(k)
    while sum(h for _, _, h in laid) > area.height and k > 0.3:
        k -= 0.05
        laid = sizes(k)
    y = area.centery - sum(h for _, _, h in laid) // 2
    for (words, _, bold, role), (px, wrapped, h) in zip(lines, laid, strict=True):
        if words:
            line = font(px, bold).get_linesize()
            block = pygame.Rect(area.x, y + (h - line * len(wrapped)) // 2, area.width,
                                line * len(wrapped))
            c.plan.texts += place_lines(wrapped, block, px, bold=bold, fg=c.p.text,
                                        bg=c.p.background, align="center", role=role)
        y += h


def _start(c: _Ctx, body: pygame.Rect) -> _Paging:
    view = c.view
    portrait = c.h > c.w
    # Header: the language buttons, each in its own language, and the site's name, quietly.
    langs = view.languages
    pad = 2 * round(20 * c.u)  # a button label's padding (`label_slot`)
    lang_w = max([2 * c.target, round(230 * c.u)] + [
        font(c.floor, True).size(LANG_NAMES[lang])[0] + pad + 2 for lang in langs
        if c.floor])
    lang_h = max(c.target, round(88 * c.u))
    row_w = len(langs) * lang_w + (len(langs) - 1) * c.gap
    header = pygame.Rect(body.x, body.y, body.width, lang_h)
    if portrait:
        site_h = c.line_h(round(60 * c.u))
        c.line(view.site_name, pygame.Rect(body.x, body.y, body.width, site_h), 36,
               muted=True, role="site")
        header.y += site_h + round(10 * c.u)
    else:
        c.line(view.site_name, pygame.Rect(body.x, body.y, body.width - row_w - c.gap, lang_h),
               36, muted=True, role="site")
    rects = [pygame.Rect(header.right - row_w + i * (lang_w + c.gap), header.y, lang_w, lang_h)
             for i in range(len(langs))]
    px = c.row_px([(LANG_NAMES[lang], rect) for lang, rect in zip(langs, rects, strict=True)],
                  40)
    for lang, rect in zip(langs, rects, strict=True):
        c.button(rect, LANG_NAMES[lang], "lang", arg=lang, primary=lang == view.lang,
                 exact_px=px, role=f"lang-{lang}")
    # In large-text mode the heading, its hint and the advisor line grow only where the
    # authorities' names keep their size and their pages: the names are what a customer
    # reads to choose, and large text is never smaller than normal (issue 22).
    paging = _paged_list(c, _start_areas(c, body, header, portrait, False)[3])
    grows = c.view.large
    if grows and view.services:
        grown = _paged_list(c, _start_areas(c, body, header, portrait, True)[3])
        grows = (grown.pages, -grown.size) <= (paging.pages, -paging.size)
        paging = grown if grows else paging
    title, hint, advisor, _, tools = _start_areas(c, body, header, portrait, grows)
    c.line(c.t("choose"), title, 60, bold=True, role="title", grows=grows)
    # The hint wraps rather than shrinks below the floor (a narrow portrait panel).
    c.plan.texts += place_wrapped(c.t("choose_hint"), hint,
                                  c.at_least(c.px(34) if grows else round(34 * c.u)),
                                  fg=c.p.muted, bg=c.p.background, role="hint")
    c.line(c.t("advisor") + (f"   ·   {view.message}" if view.message else ""), advisor, 36,
           align="center", role="advisor", grows=grows)
    survey_h = _survey_h(c, body.width)
    _services(c, paging)  # before the toolbar: the keys move through the screen top to bottom
    if view.survey_label:
        # The survey is a way in too, below the authorities: taking a number comes first.
        c.button(pygame.Rect(body.x, tools.top - survey_h, body.width, survey_h - c.gap),
                 view.survey_label, "survey", primary=False, size=40, role="survey")
    _toolbar(c, tools, portrait)
    return paging


def _start_areas(c: _Ctx, body: pygame.Rect, header: pygame.Rect, portrait: bool,
                 grows: bool) -> tuple[pygame.Rect, ...]:
    """The start screen's heading, hint, advisor line, list area and toolbar, with the
    headings at their large-text size (`grows`) or at the normal size."""
    def px(size: float) -> int:
        return c.px(size) if grows else round(size * c.u)

    # With a readable floor the heading's slot is its line, no more: the room goes to the
    # list below it.
    title_h = font(px(60), True).get_linesize() if c.floor else px(84)
    title = pygame.Rect(body.x, header.bottom + c.gap, body.width, title_h)
    hint_px = c.at_least(px(34))
    hint_lines = len(wrap_words(c.t("choose_hint"), hint_px, False, body.width))
    hint = pygame.Rect(body.x, title.bottom, body.width,
                       max(px(52), hint_lines * font(hint_px).get_linesize()))
    # Bottom: the advisor line, and above it the appointment and the two toggles.
    advisor_h = font(c.at_least(px(36))).get_linesize() if c.floor else px(56)
    advisor = pygame.Rect(body.x, body.bottom - advisor_h, body.width, advisor_h)
    heights = _toolbar_heights(c, body.width, portrait)
    tools_h = sum(heights) + (len(heights) - 1) * c.gap
    tools = pygame.Rect(body.x, advisor.top - c.gap - tools_h, body.width, tools_h)
    survey_h = _survey_h(c, body.width)
    area = pygame.Rect(body.x, hint.bottom + c.gap, body.width,
                       tools.top - c.gap - survey_h - hint.bottom - c.gap)
    return title, hint, advisor, area, tools


def _survey_h(c: _Ctx, width: int) -> int:
    """The survey button's height with the gap above the toolbar; 0 without it."""
    if not c.view.survey_label:
        return 0
    return c.label_h([(c.view.survey_label, width)], max(c.target, round(100 * c.u))) + c.gap


def _toolbar_widths(c: _Ctx, width: int, portrait: bool) -> list[int]:
    """The appointment button's, the two toggles' and the help button's widths."""
    if portrait:  # the appointment and help halves of a row, the toggles halves of the next
        half = (width - c.gap) // 2
        return [half, half, half, half]
    # Each as wide as its longest label asks (a toggle's "on" and "off" alike, so a toggle
    # pressed moves nothing): one size then fits the whole row.
    face = font(max(c.floor, 40), True)
    words = [[c.t("appointment")], [c.t("large_on"), c.t("large_off")],
             [c.t("speech_on"), c.t("speech_off")], [c.t("help")]]
    natural = [max(face.size(w)[0] for w in variants) for variants in words]
    room = width - 3 * c.gap
    widths = [round(room * n / sum(natural)) for n in natural[:-1]]
    return [*widths, room - sum(widths)]


def _toolbar_heights(c: _Ctx, width: int, portrait: bool) -> list[int]:
    """The toolbar's rows (one in landscape, two in portrait), each tall enough for its
    labels at the readable floor (on two lines where one is too narrow)."""
    tool_h = max(c.target, round(100 * c.u))
    widths = _toolbar_widths(c, width, portrait)
    labels = [(words, w) for words, w in zip(_toolbar_words(c), widths, strict=True)]
    if portrait:
        return [c.label_h([labels[0], labels[3]], tool_h), c.label_h(labels[1:3], tool_h)]
    return [c.label_h(labels, tool_h)]


def _toolbar_words(c: _Ctx) -> list[str]:
    view = c.view
    return [c.t("appointment"), c.t("large_on" if view.large else "large_off"),
            c.t("speech_on" if view.speech else "speech_off"), c.t("help")]


def _toolbar(c: _Ctx, tools: pygame.Rect, portrait: bool) -> None:
    view = c.view
    items = [
        (c.t("appointment"), "appointment", True),
        # A toggle that is on looks pressed (the light style) and says "on" in words.
        (c.t("large_on" if view.large else "large_off"), "large", view.large),
        (c.t("speech_on" if view.speech else "speech_off"), "speech", view.speech),
        # Asks the service advisor to come (the help key held does the same): a way in for
        # whoever cannot go on alone, so it looks like one.
        (c.t("help"), "help", True),
    ]
    widths = _toolbar_widths(c, tools.width, portrait)
    heights = _toolbar_heights(c, tools.width, portrait)
    if portrait:
        top, h = heights[0], heights[1]
        rects = [pygame.Rect(tools.x, tools.y, widths[0], top),
                 pygame.Rect(tools.x, tools.bottom - h, widths[1], h),
                 pygame.Rect(tools.right - widths[2], tools.bottom - h, widths[2], h),
                 pygame.Rect(tools.right - widths[3], tools.y, widths[3], top)]
    else:
        xs = [tools.x]
        for wd in widths[:-1]:
            xs.append(xs[-1] + wd + c.gap)
        rects = [pygame.Rect(x, tools.y, wd, tools.height)
                 for x, wd in zip(xs, widths, strict=True)]
    px = c.row_px([(words, rect) for (words, _, _), rect in zip(items, rects, strict=True)], 40)
    for (words, action, primary), rect in zip(items, rects, strict=True):
        c.button(rect, words, action, primary=primary, exact_px=px)


def _page(c: _Ctx, paging: _Paging) -> int:
    """The page shown: the view's, within the pages there are (a language or the text size
    changed can change their number)."""
    return min(max(c.view.page, 0), paging.pages - 1)


def _paged_list(c: _Ctx, area: pygame.Rect) -> _Paging:
    """The fewest pages on which every authority's name (and a closed one's opening time)
    is at the readable floor or bigger. Without a floor (a picture of no device), one page.
    Pages rather than smaller names: a customer finds a name they can read on the second
    page, not one too small to read on the first (issue 22)."""
    n = len(c.view.services)
    paging = _Paging(1, n, _best_grid(c, area, n) if n else (1, 0, 0, 0, 0), area, None)
    for pages in range(2, n + 1):
        if not c.floor or (paging.size >= c.floor and _grid_fits(c, paging)):
            break
        per_page = -(-n // pages)
        if -(-n // per_page) != pages:
            continue  # e.g. nine on four pages would be three of three: tried already
        nav_h = _nav_h(c, area.width)
        grid_area = pygame.Rect(area.x, area.y, area.width, area.height - nav_h - c.gap)
        nav = pygame.Rect(area.x, grid_area.bottom + c.gap, area.width, nav_h)
        paging = _Paging(pages, per_page, _best_grid(c, grid_area, per_page), grid_area, nav)
    return paging


def _grid_fits(c: _Ctx, paging: _Paging) -> bool:
    """A page's buttons all fit the list's area (none would be left off the screen)."""
    cols, btn_h = paging.grid[:2]
    rows = -(-paging.per_page // cols)
    return rows * btn_h + (rows - 1) * c.gap <= paging.area.height


def _nav_words(c: _Ctx) -> tuple[str, str]:
    return c.t("page_prev"), c.t("page_next")


def _nav_rects(c: _Ctx, nav: pygame.Rect) -> tuple[pygame.Rect, pygame.Rect, pygame.Rect]:
    """Where the previous page's button, the page line and the next page's button go: one
    row where both labels fit on one line beside the page line, else (a narrow portrait
    panel) the page line over the two buttons side by side."""
    pad = 2 * round(20 * c.u)
    px = c.at_least(c.px(40))
    face = font(px, True)
    middle = face.size(c.t("page", page=88, pages=88))[0] + pad
    one_line = max(face.size(words)[0] for words in _nav_words(c)) + pad + 2
    button = min((nav.width - 2 * c.gap - middle) // 2, round(640 * c.u))
    if button >= one_line:
        return (pygame.Rect(nav.x, nav.y, button, nav.height),
                pygame.Rect(nav.x + button + c.gap, nav.y, nav.width - 2 * (button + c.gap),
                            nav.height),
                pygame.Rect(nav.right - button, nav.y, button, nav.height))
    line_h = face.get_linesize()
    half = (nav.width - c.gap) // 2
    h = nav.height - line_h
    return (pygame.Rect(nav.x, nav.bottom - h, half, h),
            pygame.Rect(nav.x, nav.y, nav.width, line_h),
            pygame.Rect(nav.right - half, nav.bottom - h, half, h))


def _nav_h(c: _Ctx, width: int) -> int:
    """The page turn's height: a toolbar's row, or taller for labels on two lines (and the
    page line over them where the row is too narrow for it)."""
    base = max(c.target, round(100 * c.u))
    prev, line, _ = _nav_rects(c, pygame.Rect(0, 0, width, base))
    above = line.height if line.bottom <= prev.top else 0
    return above + c.label_h([(words, prev.width) for words in _nav_words(c)], base)


def _page_turn(c: _Ctx, paging: _Paging, page: int) -> None:
    """Under the list: the previous page's button, "Page 1/2", the next page's button. A
    button with no page to go to stays in its place, greyed and not touchable."""
    nav = paging.nav
    if nav is None:
        return
    prev, line, after = _nav_rects(c, nav)
    words = _nav_words(c)
    px = c.row_px([(words[0], prev), (words[1], after)], 40)
    for rect, label, role, to in ((prev, words[0], "page-prev", page - 1),
                                  (after, words[1], "page-next", page + 1)):
        spoken = label.replace("◀", "").replace("▶", "").strip()
        if 0 <= to < paging.pages:
            c.button(rect, label, "page", arg=f"{to}/{paging.pages}", exact_px=px, role=role,
                     label=spoken)
            continue
        radius = round(16 * c.u)
        c.plan.boxes.append(Box(rect, c.p.closed, radius=radius))
        slot = c.label_slot(rect)
        if c.floor and fit_size(label, True, slot.width, slot.height, px) < c.floor:
            c.plan.texts += place_wrapped(label, slot, c.floor, bold=True, fg=c.p.on_closed,
                                          bg=c.p.closed, align="center", role=role)
        else:
            c.plan.texts.append(place(label, slot, px, bold=True, fg=c.p.on_closed,
                                      bg=c.p.closed, align="center", role=role))
        c.buttons.append(Button(rect, "page", None, False, f"{to}/{paging.pages}", spoken))
    c.line(c.t("page", page=page + 1, pages=paging.pages), line, 40, bold=True,
           align="center", role="page")


def _services(c: _Ctx, paging: _Paging) -> None:
    if not c.view.services:
        return
    page = _page(c, paging)
    first = page * paging.per_page
    services = c.view.services[first:first + paging.per_page]
    area = paging.area
    cols, btn_h, col_w, size, c.note_max = paging.grid
    for i, service in enumerate(services):
        r, col = divmod(i, cols)
        rect = pygame.Rect(area.x + col * (col_w + c.gap), area.y + r * (btn_h + c.gap), col_w,
                           btn_h)
        if rect.bottom > area.bottom + 1 and i > 0:
            break  # more authorities than the screen holds: never draw a button half off it
        _service_button(c, service, rect, size)
    _page_turn(c, paging, page)


def _best_grid(c: _Ctx, area: pygame.Rect, n: int) -> tuple[int, int, int, int, int]:
    """The grid (see `_grid`) of `n` authorities in `area` whose labels are the largest."""
    fewest = 1
    while fewest < 3 and -(-n // fewest) * (c.target + c.gap) - c.gap > area.height:
        fewest += 1
    if fewest == 1 and c.w > c.h and n > 4:
        fewest = 2  # a landscape row as wide as the screen would be hard to read across
    # Of the column counts that hold every button, the one whose labels are the largest
    # (the fewest columns on a tie): a narrow column can shrink the whole list.
    grids = [_grid(c, area, n, cols) for cols in range(fewest, max(fewest, 3) + 1)]
    return max(grids, key=lambda g: (g[3], -g[0]))


def _tallest(c: _Ctx) -> int:
    """The tallest an authority's button grows: 150 units, or with a readable floor
    enough for a two-line name and the opening time under it at the floor."""
    if not c.floor:
        return round(150 * c.u)
    at_floor = 2 * font(c.floor, True).get_linesize() + font(c.floor).get_linesize()
    return max(round(150 * c.u), at_floor + round(8 * c.u))


def _button_inner(c: _Ctx, rect: pygame.Rect) -> pygame.Rect:
    return rect.inflate(-2 * round(32 * c.u), -round(8 * c.u))


def _note_px(c: _Ctx, size: int) -> int:
    return min(size, c.note_max)


def _grid(c: _Ctx, area: pygame.Rect, n: int, cols: int
          ) -> tuple[int, int, int, int, int]:
    """(columns, button height, column width, label size, opening time's largest size) of
    the authorities' buttons."""
    rows = -(-n // cols)
    btn_h = max(c.target, min((area.height - (rows - 1) * c.gap) // rows, _tallest(c)))
    col_w = (area.width - (cols - 1) * c.gap) // cols
    c.note_max = c.at_least(c.px(36))
    size = _list_px(c, col_w, btn_h, c.at_least(c.px(52)))
    if c.view.large:
        # Where a grown opening time would cost the names their size, it keeps the normal
        # mode's size: the names are what a customer reads to choose.
        c.note_max = c.at_least(round(36 * c.u))
        steady = _list_px(c, col_w, btn_h, c.at_least(c.px(52)))
        if steady > size:
            return cols, btn_h, col_w, steady, c.note_max
        c.note_max = c.at_least(c.px(36))
    return cols, btn_h, col_w, size, c.note_max


def _closed_words(c: _Ctx, service: KioskService) -> str:
    view = c.view
    return (opening_text(service.next_open, view.lang, view.now)
            if service.next_open is not None else text(view.lang, "closed"))


def _note_beside(c: _Ctx, service: KioskService, lines: list[str], size: int, width: int
                 ) -> bool:
    """A closed authority's opening time fits on the name's line, to its right."""
    if len(lines) != 1:
        return False
    gap = round(32 * c.u)
    note_w = font(_note_px(c, size)).size(_closed_words(c, service))[0]
    return font(size, True).size(lines[0])[0] + gap + note_w <= width


def _list_px(c: _Ctx, col_w: int, btn_h: int, start: int) -> int:
    """One size for every authority's name: the largest from `start` down at which each
    name fits its button on at most two lines (with the opening time under a closed one,
    or beside it where it fits).
    The same size for all: a bigger or smaller button label would read as a ranking."""
    inner = _button_inner(c, pygame.Rect(0, 0, col_w, btn_h))

    def fits(size: int) -> bool:
        line = font(size, True).get_linesize()
        for service in c.view.services:
            lines = wrap_words(service.name, size, True, inner.width)
            need = line * len(lines)
            if not service.open and not _note_beside(c, service, lines, size, inner.width):
                need += font(_note_px(c, size)).get_linesize()
            if len(lines) > 2 or need > inner.height or any(
                    font(size, True).size(w)[0] > inner.width for w in service.name.split()):
                return False
        return True

    size = start
    while size > 8 and not fits(size):
        size -= 1
    return size


def _service_button(c: _Ctx, service: KioskService, rect: pygame.Rect, size: int) -> None:
    view = c.view
    inner = _button_inner(c, rect)
    lines = wrap_words(service.name, size, True, inner.width)
    line = font(size, True).get_linesize()
    if service.open:
        c.plan.boxes.append(Box(rect, c.p.button, radius=round(16 * c.u)))
        block = pygame.Rect(inner.x, inner.centery - line * len(lines) // 2, inner.width,
                            line * len(lines))
        c.plan.texts += place_lines(lines, block, size, bold=True, fg=c.p.on_button,
                                    bg=c.p.button, role="service")
        c.buttons.append(Button(rect, "issue", service.id, True, "", service.name))
        return
    c.plan.boxes.append(Box(rect, c.p.closed, radius=round(16 * c.u)))
    when = _closed_words(c, service)
    fg, bg = c.p.on_closed, c.p.closed
    note_px = _note_px(c, size)
    note_h = font(note_px).get_linesize()
    if _note_beside(c, service, lines, size, inner.width):
        # The name at the list's size, the opening time at the right of the same line.
        block = pygame.Rect(inner.x, inner.centery - line // 2, inner.width, line)
        c.plan.texts += place_lines(lines, block, size, bold=True, fg=fg, bg=bg,
                                    role="service-closed")
        c.plan.texts += place_lines([when], block.move(0, (line - note_h) // 2), note_px,
                                    fg=fg, bg=bg, align="right", role="opens")
    else:  # the name at the list's size, the opening time under it
        block_h = line * len(lines) + note_h
        block = pygame.Rect(inner.x, inner.centery - block_h // 2, inner.width, block_h)
        c.plan.texts += place_lines(lines, block, size, bold=True, fg=fg, bg=bg,
                                    role="service-closed")
        c.plan.texts += place_lines([when], pygame.Rect(block.x, block.bottom - note_h,
                                                        block.width, note_h), note_px,
                                    fg=fg, bg=bg, role="opens")
    c.buttons.append(Button(rect, "issue", service.id, False, "",
                            service_label(service, view.lang, view.now)))


def _keypad(c: _Ctx, body: pygame.Rect, title: str, shown: str, keys: tuple[str, ...], *,
            placeholder: bool, note: str = "") -> None:
    view = c.view
    portrait = c.h > c.w
    # The title, the hint and a note wrap at words rather than shrink (a narrow portrait
    # panel): each at least the readable floor.
    y = body.y
    title_px = c.at_least(c.px(56))
    title_h = max(c.px(80), wrapped_height(title, body.width, title_px, True))
    c.plan.texts += place_wrapped(title, pygame.Rect(body.x, y, body.width, title_h),
                                  title_px, bold=True, fg=c.p.text, bg=c.p.background,
                                  role="title")
    y += title_h
    if view.phase == "code":
        hint_px = c.at_least(c.px(32))
        hint_h = max(c.px(50), wrapped_height(c.t("code_hint"), body.width, hint_px))
        c.plan.texts += place_wrapped(c.t("code_hint"),
                                      pygame.Rect(body.x, y, body.width, hint_h), hint_px,
                                      fg=c.p.muted, bg=c.p.background, role="hint")
        y += hint_h
    field_rect = pygame.Rect(body.x, y + c.gap, body.width, max(c.target, c.px(96)))
    c.plan.boxes.append(Box(field_rect, c.p.panel, radius=round(12 * c.u)))
    c.plan.boxes.append(Box(field_rect, c.p.border, radius=round(12 * c.u),
                            width=max(2, round(3 * c.u))))
    c.plan.texts.append(place(shown, field_rect.inflate(-round(40 * c.u), -round(16 * c.u)),
                              c.px(60), bold=not placeholder,
                              fg=c.p.muted if placeholder else c.p.text, bg=c.p.panel,
                              align="center", role="code"))
    y = field_rect.bottom + c.gap
    if note:  # the technician's wait
        note_px = c.at_least(c.px(36))
        note_h = wrapped_height(note, body.width, note_px)
        # Regular weight: the sentence fits one line across a landscape panel at the floor.
        c.plan.texts += place_wrapped(note, pygame.Rect(body.x, y, body.width, note_h),
                                      note_px, fg=c.p.text, bg=c.p.background, role="note")
        y += note_h
        y += c.gap // 2  # the note belongs to the field above, not to the keys below
    actions_h = max(c.target, round(100 * c.u))
    actions = pygame.Rect(body.x, body.bottom - actions_h, body.width, actions_h)
    cols = (6 if len(keys) > 10 else 5) if portrait else (12 if len(keys) > 10 else 10)
    rows = -(-len(keys) // cols)
    grid = pygame.Rect(body.x, y, body.width, actions.top - c.gap - y)
    key_w = (grid.width - (cols - 1) * c.gap) // cols
    key_h = max(c.target, min((grid.height - (rows - 1) * c.gap) // rows, round(120 * c.u)))
    for i, key in enumerate(keys):
        r, col = divmod(i, cols)
        rect = pygame.Rect(grid.x + col * (key_w + c.gap), grid.y + r * (key_h + c.gap), key_w,
                           key_h)
        c.button(rect, key, "key", arg=key, size=52, role="key")
    third = (actions.width - 2 * c.gap) // 3
    for i, (key, action, primary) in enumerate((("erase", "erase", False),
                                                ("cancel", "cancel", False),
                                                ("ok", "ok", True))):
        rect = pygame.Rect(actions.x + i * (third + c.gap), actions.y, third, actions.height)
        c.button(rect, c.t(key), action, primary=primary, size=44)


def _ticket(c: _Ctx, body: pygame.Rect, ticket: KioskTicket) -> None:
    lines: list[tuple[str, float, bool, str]] = [
        (c.t("your_number"), 44, False, "label"),
        (ticket.number, 220, True, "number"),
        (ticket.service_name, 52, True, "service"),
    ]
    if ticket.appointment_at:
        lines.append((c.t("appointment_at", time=ticket.appointment_at), 40, False,
                      "appointment"))
    if ticket.again:
        lines.append((c.t("again"), 36, False, "again"))
    wait = ticket.wait_line(c.view.lang)
    if ticket.ahead > 0:
        lines.append((c.t("ahead", n=ticket.ahead), 44, False, "ahead"))
        if wait:
            lines.append((wait, 40, False, "eta"))
    elif wait:  # "you are next": never "about 0 min"
        lines.append((wait, 44, False, "ahead"))
    if ticket.printing:
        lines.append((c.t("printing"), 48, True, "printing"))
    elif ticket.printed:
        lines.append((c.t("take_ticket"), 52, True, "take"))
    else:
        lines.append((c.t("not_printed"), 42, True, "not-printed"))
    done_h = max(c.target, round(110 * c.u))
    content = pygame.Rect(body.x, body.y, body.width, body.height - done_h - c.gap)
    _centred(c, content, lines)
    done = pygame.Rect(0, 0, min(body.width, round(480 * c.u)), done_h)
    done.midbottom = body.midbottom
    c.button(done, c.t("done"), "done", size=48)


def _message(c: _Ctx, body: pygame.Rect, words: str, role: str, back: str,
             hint: str = "") -> None:
    back_h = max(c.target, round(110 * c.u))
    content = pygame.Rect(body.x, body.y, body.width, body.height - back_h - c.gap)
    lines = [(words, 52, True, role)]  # wrapped at words by `_centred`
    if hint:
        lines += [("", 20, False, "spacer"), (hint, 36, False, "hint")]
    lines += [("", 20, False, "spacer"), (c.t("advisor"), 36, False, "advisor")]
    _centred(c, content, lines)
    rect = pygame.Rect(0, 0, min(body.width, round(480 * c.u)), back_h)
    rect.midbottom = body.midbottom
    c.button(rect, back, "back", size=48)


def _error(c: _Ctx, body: pygame.Rect) -> None:
    _every_language(c, body, "error", "error_hint")


def _every_language(c: _Ctx, body: pygame.Rect, key: str, hint: str) -> None:
    """A state of the whole kiosk (out of order, starting) in every language, with a hint."""
    lines: list[tuple[str, float, bool, str]] = []
    for lang in LANGS:
        if lines:
            lines.append(("", 20, False, "spacer"))  # keep each language's pair together
        lines.append((text(lang, key), 48, True, f"{key}-{lang}"))
        lines.append((text(lang, hint), 40, False, f"hint-{lang}"))
    if c.view.message:
        lines.append((c.view.message, 36, False, "message"))
    _centred(c, body, lines)


def _warning(c: _Ctx, seconds_left: int) -> None:
    """The "more time?" panel over whatever is on screen; only its button is live, and a
    touch anywhere counts as "yes" (the role extends on any input). Its words wrap at the
    readable floor and the panel grows to hold them."""
    c.buttons.clear()
    width = min(c.w - round(80 * c.u), round(1100 * c.u))
    inner_w = width - round(60 * c.u)
    bh = max(c.target, round(110 * c.u))
    parts = [(c.t("warning"), c.at_least(c.px(56)), True, "warning"),
             (c.t("warning_hint", n=seconds_left), c.at_least(c.px(36)), False,
              "warning-hint")]
    words_h = sum(wrapped_height(words, inner_w, px, bold) for words, px, bold, _ in parts)
    gap = round(24 * c.u * c.s)
    height = min(c.h - round(40 * c.u),
                 max(round(480 * c.u * c.s), words_h + 2 * gap + bh + round(40 * c.u)))
    panel = pygame.Rect(0, 0, width, height)
    panel.center = (c.w // 2, c.h // 2)
    c.plan.boxes.append(Box(panel.inflate(round(12 * c.u), round(12 * c.u)), c.p.border,
                            radius=round(24 * c.u)))
    c.plan.boxes.append(Box(panel, c.p.panel, radius=round(20 * c.u)))
    # Texts under the panel would show through the draw order; drop them from the plan.
    c.plan.texts = [t for t in c.plan.texts if not panel.colliderect(t.rect)]
    inner = panel.inflate(-round(60 * c.u), -round(40 * c.u))
    y = inner.y + (inner.height - bh - gap - words_h) // 2
    for words, px, bold, role in parts:
        h = wrapped_height(words, inner.width, px, bold)
        c.plan.texts += place_wrapped(words, pygame.Rect(inner.x, y, inner.width, h), px,
                                      bold=bold, fg=c.p.text, bg=c.p.panel, align="center",
                                      role=role)
        y += h + (gap if role == "warning" else 0)
    more = pygame.Rect(0, 0, min(inner.width, round(520 * c.u)), bh)
    more.midbottom = inner.midbottom
    c.button(more, c.t("more_time"), "more", size=48)


def _focus_ring(c: _Ctx) -> None:
    focus = c.view.focus
    enabled = [b for b in c.buttons if b.enabled]
    if focus is None or not enabled:
        return
    button = enabled[focus % len(enabled)]
    ring = max(4, round(8 * c.u))
    c.plan.boxes.append(Box(button.rect.inflate(2 * ring + 4, 2 * ring + 4), c.p.focus,
                            radius=round(20 * c.u), width=ring))



def layout_kiosk_texts(view: KioskView, size: tuple[int, int]) -> list[TextItem]:
    return layout_kiosk(view, size).plan.texts


def render_kiosk(surface: pygame.Surface, view: KioskView) -> list[Button]:
    """Draw the kiosk screen; returns its buttons for `hit_test` (closed ones disabled)."""
    layout = layout_kiosk(view, surface.get_size())
    draw_plan(surface, layout.plan)
    return layout.buttons


