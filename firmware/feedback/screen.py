"""The feedback device's touch screen: rate the visit with a face, add words if you like,
and once a year answer the customer survey.

Same shape as the kiosk screen: a view (plain data the feedback role builds), a layout step
that returns what is drawn where plus the touchable buttons, and a draw step. There is no
state here: the role decides which step is shown and what a touch does (via `hit_test`).
Words come from the survey data file (`firmware.core.survey.shipped_survey()` or a site's
own); the few the data file does not hold are in `EXTRA_TEXTS` below.

Accessibility is part of the layout: every button is at least `view.min_target_px` (12 mm
on the panel) and apart from its neighbours; the focused button (physical keys) has a thick
ring; large-text mode scales the type and switches to the kiosk's black/yellow palette;
every text/background pair is ≥ 7:1 (tested). The faces are coloured red to green, but
colour never carries the meaning alone: each face has its mouth shape and a written label.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

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
    focusable,
    place,
)
from display_driver.legibility import min_font_px
from firmware.core.feedback import MAX_STEPS, MIN_STEPS, RatingScale
from firmware.core.legibility import px_per_mm
from firmware.core.survey import LANGS, SCALE_MAX, SCALE_MIN, Survey
from firmware.site_model import FeedbackConfig

STEPS = ("rate", "words", "thanks", "screening", "statement", "survey_done", "out_of_order")
LANG_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}  # each in its own language
# The on-screen keyboard has no digits on purpose: digits are how phone numbers and identity
# codes get typed, which the note asks people not to write (the core masks them anyway), and
# fewer keys leave each key larger.
QWERTY_ROWS = ("qwertyuiopå", "asdfghjklöä", "zxcvbnm,.?!")
ALPHABET = "abcdefghijklmnopqrstuvwxyzåäö,.?!"  # a narrow screen: the same keys in order
CURSOR = "▏"  # shows where the next letter goes, and makes a typed space visible

# Words the screen needs that the survey data file does not hold (it is the survey's file).
EXTRA_TEXTS: dict[str, dict[str, str]] = {
    "tell_more": {"fi": "Kerro lisää", "sv": "Berätta mer", "en": "Tell us more"},
    "done": {"fi": "Valmis", "sv": "Klar", "en": "Done"},
    "words_title": {"fi": "Palautteesi omin sanoin", "sv": "Din respons med egna ord",
                    "en": "Your feedback in your own words"},
    "write_here": {"fi": "Kirjoita tähän", "sv": "Skriv här", "en": "Write here"},
    "write": {"fi": "Kirjoita", "sv": "Skriv", "en": "Write"},
    "erase": {"fi": "Poista", "sv": "Radera", "en": "Erase"},
    "space": {"fi": "Välilyönti", "sv": "Mellanslag", "en": "Space"},
    "large_on": {"fi": "Suuri teksti: päällä", "sv": "Stor text: på",
                 "en": "Large text: on"},
    "large_off": {"fi": "Suuri teksti: pois", "sv": "Stor text: av", "en": "Large text: off"},
    "help": {"fi": "Lue ääneen", "sv": "Läs upp", "en": "Read aloud"},
    "out_of_order": {"fi": "Palautelaite on epäkunnossa", "sv": "Responsapparaten är ur funktion",
                     "en": "The feedback device is out of order"},
    "out_of_order_hint": {"fi": "Anna palautetta paperilomakkeella.",
                          "sv": "Ge gärna respons på en pappersblankett.",
                          "en": "Please give feedback on a paper form."},
}

# The face of each key: red-ish (very unhappy) to green-ish (very happy), and the mouth's
# curve from a deep frown (-2) to a broad smile (2).
FACE_COLOURS: dict[str, theme.Colour] = {
    "very_unhappy": (222, 102, 92),
    "unhappy": (238, 154, 90),
    "neutral": (240, 205, 96),
    "happy": (160, 206, 100),
    "very_happy": (92, 186, 120),
}
FACE_MOODS = {"very_unhappy": -2, "unhappy": -1, "neutral": 0, "happy": 1, "very_happy": 2}
FACE_INK: theme.Colour = (26, 26, 26)  # eyes and mouth: ≥ 3:1 on every face colour (tested)


CALM, HIGH_CONTRAST = theme.CALM, theme.HIGH_CONTRAST  # shared by every touch screen


@dataclass(frozen=True)
class FeedbackView:
    step: str  # one of STEPS
    lang: str = "fi"
    scale: int = 4  # faces on the rate step (3..5)
    survey_open: bool = False  # a wide "answer the yearly survey" button: on the rate step,
    # or on the thanks step where the rate step has no room for it (`invites_on_rate`)
    words: str = ""  # words step: typed so far (shown as typed)
    writing: bool = False  # words step: the note was read and "write" pressed (a screen too
    # short for the note and the keyboard together shows the note first, then the keyboard)
    masked: bool = False  # thanks step: something personal was removed from the words
    screening: str = "self_service"  # screening step: which yes/no question
    statement: int | None = None  # statement step: the statement number
    progress: tuple[int, int] = (0, 0)  # statement step: (this one, how many), e.g. (3, 16)
    selected: int | None = None  # statement step: the chosen 4..10, highlighted
    focus: int | None = None  # index into the focusable buttons (physical keys); a ring
    large: bool = False  # large text, high contrast
    notice: str = ""  # one line at the bottom, e.g. "not sent yet, kept"
    min_target_px: int = MIN_BUTTON_PX
    site_name: str = ""  # shown quietly on the rate step; "" shows nothing
    # The smallest font of any text, readable where the customer stands (0.7 degrees at the
    # device's reading distance, `feedback_text_px`); layouts wrap to more lines, never below.
    text_px: int = 0


@dataclass(frozen=True)
class Button:
    rect: pygame.Rect
    # lang, large, help, rate, words, write, key, erase, send, skip, survey, yes, no, score,
    # dont_know, next, back, done
    action: str
    arg: str = ""  # the language, the rating, the character, the score
    label: str = ""  # what speech says when the button gets the focus
    enabled: bool = True  # "next" before a score is chosen: drawn flat, not touchable


@dataclass(frozen=True)
class Face:
    """A face drawn on a rating button (the plan holds only boxes and texts)."""

    value: int  # the rating it gives
    key: str  # very_unhappy .. very_happy
    centre: tuple[int, int]
    radius: int
    colour: theme.Colour
    mood: int  # -2 (deep frown) .. 2 (broad smile)


@dataclass
class FeedbackLayout:
    plan: Plan
    buttons: list[Button]
    faces: list[Face] = field(default_factory=list)


def feedback_text(survey: Survey, lang: str, key: str) -> str:
    """A screen text from the survey's data file, else from `EXTRA_TEXTS`; Finnish when the
    language is unknown."""
    texts = survey.feedback.get(key) or EXTRA_TEXTS[key]
    return texts.get(lang) or texts["fi"]


def wrap(words: str, face: pygame.font.Font, width: int, hyphen: bool = False) -> list[str]:
    """`words` as lines no wider than `width`, broken at spaces; a word wider than a line
    (a long run typed without spaces) is cut between characters, with a hyphen if asked
    ("tyyty-" / "mätön": a long word at a readable size rather than a smaller one)."""
    lines: list[str] = []
    for word in words.split():
        for i, piece in enumerate(_cut(word, face, width, hyphen)):
            candidate = f"{lines[-1]} {piece}" if lines else piece
            # Only a word's first piece may join the line before: the rest start new lines.
            if lines and i == 0 and face.size(candidate)[0] <= width:
                lines[-1] = candidate
            else:
                lines.append(piece)
    return lines


def _cut(word: str, face: pygame.font.Font, width: int, hyphen: bool = False) -> list[str]:
    pieces = []
    mark = "-" if hyphen else ""
    while len(word) > 1 and face.size(word)[0] > width:
        cut = len(word) - 1
        while cut > 1 and face.size(word[:cut] + mark)[0] > width:
            cut -= 1
        pieces.append(word[:cut] + mark)
        word = word[cut:]
    return [*pieces, word]


class _Ctx(TouchFrame):
    """What every layout helper needs: the view, the texts, the scale, the palette, the plan."""

    def __init__(self, view: FeedbackView, size: tuple[int, int], survey: Survey) -> None:
        super().__init__(size, large=view.large, min_target_px=view.min_target_px)
        self.view = view
        self.survey = survey
        self.lang = view.lang if view.lang in LANGS else "fi"
        self.buttons: list[Button] = []
        self.faces: list[Face] = []
        self.floor = view.text_px
        self.button_pad = round(16 * self.u)  # a label's room to each side in its button
        # Every text starts at the floor or bigger (`px`) and wraps to more lines; only one
        # that cannot fit its place even so shrinks, down to this, rather than lose words
        # (a panel too small for its reading distance: the legibility test names them).
        self.min_px = max(14, round(22 * self.u))

    def px(self, size: float) -> int:
        """A design size in pixels, never below the legibility floor."""
        return max(self.floor, super().px(size))

    def t(self, key: str) -> str:
        return feedback_text(self.survey, self.lang, key)

    def lines(self, words: str, size: float, bold: bool, width: int, height: int
              ) -> tuple[list[str], int]:
        """`words` wrapped to `width`, at `size` (design px) or smaller until the lines fit
        `height`; returns the lines and the pixel size."""
        px = max(self.min_px, self.px(size))
        longest = max(words.split(), key=len, default="")
        while True:
            face = font(px, bold)
            found = wrap(words, face, width, hyphen=True)
            # Smaller type before a word is cut in two ("Tyytyväine / n" reads as nonsense).
            whole = face.size(longest)[0] <= width
            tall_enough = len(found) * line_height(px) <= height
            # A word too long for a line is hyphenated at the floor rather than shrunk below
            # it, where the pieces read as parts of it ("tyyty-" / "mätön", not "Happ-" / "y").
            hyphenated = tall_enough and all(
                len(piece.rstrip("-")) >= 3 for word in words.split()
                for piece in _cut(word, face, width, hyphen=True))
            if (tall_enough and (whole or (px <= self.floor and hyphenated))) \
                    or px <= self.min_px:
                return found, px
            px = max(self.floor if hyphenated else self.min_px, int(px * 0.92))

    def block(self, words: str, slot: pygame.Rect, size: float, *, bold: bool = False,
              muted: bool = False, align: str = "left", role: str = "",
              fg: theme.Colour | None = None, bg: theme.Colour | None = None,
              tail: bool = False, top: bool = False, exact: int = 0) -> list[TextItem]:
        """Wrapped text centred in `slot` (or from its top). Lines that cannot fit even at
        the smallest size are left out with "…": the first ones when `tail` (typing: the
        newest words show). `exact`: at that pixel size, which its caller made fit."""
        if exact:
            found, px = wrap(words, font(exact, bold), slot.width), exact
        elif tail:  # typing: the type keeps its size and the text scrolls, as in any box
            px = max(self.min_px, self.px(size))
            while px > self.min_px and line_height(px) > slot.height:  # one line at least
                px -= 1
            found = wrap(words, font(px, bold), slot.width)
        else:
            found, px = self.lines(words, size, bold, slot.width, slot.height)
        lh = line_height(px)
        room = max(1, slot.height // lh)
        if len(found) > room:
            # (found[len - room + 1:], not found[-room + 1:]: with room 1 that is every line)
            found = ["…" + found[-room][1:], *found[len(found) - room + 1:]] if tail else \
                [*found[:room - 1], found[room - 1][:-1] + "…"]
        y = slot.y if top else slot.centery - len(found) * lh // 2
        items = [place(line, pygame.Rect(slot.x, y + i * lh, slot.width, lh), px, bold=bold,
                       fg=fg or (self.p.muted if muted else self.p.text),
                       bg=bg or self.p.background, align=align, role=role)  # type: ignore[arg-type]
                 for i, line in enumerate(found)]
        self.plan.texts += items
        return items

    def label_w(self, labels: list[str], size: float) -> int:
        """The width of a button that holds the widest of `labels` on one line."""
        face = font(max(self.min_px, self.px(size)), True)
        return max(face.size(words)[0] for words in labels) + 2 * self.button_pad + 4

    def label_h(self, words: str, size: float, width: int) -> int:
        """The height of a button `width` wide that holds `words` wrapped, unshrunk."""
        return self.height(words, size, True, width - 2 * self.button_pad) + round(
            12 * self.u) + 4

    def height(self, words: str, size: float, bold: bool, width: int) -> int:
        """How tall `words` are wrapped to `width` at `size` (design px), unshrunk."""
        px = max(self.min_px, self.px(size))
        return len(wrap(words, font(px, bold), width, hyphen=True)) * line_height(px)

    def panel(self, rect: pygame.Rect) -> None:
        radius = round(16 * self.u)
        self.plan.boxes.append(Box(rect, self.p.panel, radius=radius))
        self.plan.boxes.append(Box(rect, self.p.border, radius=radius,
                                   width=max(2, round(3 * self.u))))

    def button(self, rect: pygame.Rect, words: str, action: str, *, arg: str = "",
               primary: bool = True, size: float = 44, role: str = "", label: str = "",
               enabled: bool = True, pad: int | None = None) -> Button:
        if not enabled:  # flat and dark like the kiosk's closed authority: not inviting
            bg, fg = self.p.closed, self.p.on_closed
            self.plan.boxes.append(Box(rect, bg, radius=round(16 * self.u)))
        elif primary:
            bg, fg = self.p.button, self.p.on_button
            self.plan.boxes.append(Box(rect, bg, radius=round(16 * self.u)))
        else:  # a secondary button: the panel colour with a clear border
            bg, fg = self.p.panel, self.p.text
            self.panel(rect)
        side = self.button_pad if pad is None else pad
        inner = rect.inflate(-2 * side, -round(12 * self.u))
        self.block(words, inner, size, bold=True, fg=fg, bg=bg, align="center",
                   role=role or action)
        button = Button(rect, action, arg, label or words, enabled)
        self.buttons.append(button)
        return button


def line_height(px: int) -> int:
    return round(px * 1.3)


def feedback_text_px(feedback: FeedbackConfig, size: tuple[int, int]) -> int:
    """The smallest readable font (px) on the feedback panel of `size`: capitals of 0.7
    degrees at the device's reading distance (issue 22)."""
    return min_font_px(feedback.reading_distance_m,
                       px_per_mm(feedback.screen_diagonal_in, size))


def layout_feedback(view: FeedbackView, size: tuple[int, int], survey: Survey
                    ) -> FeedbackLayout:
    """What the feedback screen shows for `view` on a screen of `size`, and its buttons."""
    c = _Ctx(view, size, survey)
    body = _body(c)
    step = view.step if _drawable(view, survey) else "out_of_order"
    if view.notice and step != "out_of_order":
        body = _notice(c, body)
    if step == "rate":
        _rate(c, body)
    elif step == "thanks":
        _thanks(c, body, view.survey_open and not invites_on_rate(view, size, survey))
    elif step == "words":
        _words(c, body)
    elif step == "screening":
        _screening(c, body)
    elif step == "statement":
        _statement(c, body)
    elif step == "survey_done":
        _survey_done(c, body)
    else:  # "out_of_order", or a view that cannot be drawn: fail visibly, in every language
        _out_of_order(c, body)
    _focus_ring(c)
    return FeedbackLayout(c.plan, c.buttons, c.faces)


def _body(c: _Ctx) -> pygame.Rect:
    """The screen inside its margins."""
    margin = round(48 * c.u)
    return pygame.Rect(margin, margin // 2, c.w - 2 * margin, c.h - margin - margin // 2)


def _drawable(view: FeedbackView, survey: Survey) -> bool:
    """False for a view the screen cannot show truthfully (a bug in whoever built it)."""
    if view.step not in STEPS:
        return False
    if view.step == "rate":
        return isinstance(view.scale, int) and MIN_STEPS <= view.scale <= MAX_STEPS
    if view.step == "screening":
        return view.screening in survey.screening
    if view.step == "statement":
        return view.statement is not None and any(
            s.number == view.statement for s in survey.statements)
    return True


def _notice(c: _Ctx, body: pygame.Rect) -> pygame.Rect:
    """The notice in a framed strip along the bottom; returns the body above it."""
    pad = round(16 * c.u)
    h = min(c.height(c.view.notice, 34, False, body.width - 2 * pad), c.px(100)) + 2 * pad
    strip = pygame.Rect(body.x, body.bottom - h, body.width, h)
    c.panel(strip)
    c.block(c.view.notice, strip.inflate(-2 * pad, -2 * pad), 34, bg=c.p.panel,
            align="center", role="notice")
    return pygame.Rect(body.x, body.y, body.width, strip.top - c.gap - body.y)


# --- rate -----------------------------------------------------------------------------------


class _RateParts(NamedTuple):
    """Where the rate screen's parts go under its header."""

    title: pygame.Rect  # the question
    faces: pygame.Rect  # the area the faces share
    survey: pygame.Rect | None  # the invitation to the yearly survey, if it is on this screen
    tools: pygame.Rect  # the settings


def _rate(c: _Ctx, body: pygame.Rect) -> None:
    top = _header(c, body)
    names = _face_names(c)
    parts = _rate_parts(c, body, top, c.view.survey_open)
    grid = _face_grid(c, parts.faces, names)
    if parts.survey is not None and grid.px < c.floor:
        # The invitation would push the faces' names below the floor: the faces are what
        # everybody at this screen answers, so the thanks screen invites to the survey.
        parts = _rate_parts(c, body, top, False)
        grid = _face_grid(c, parts.faces, names)
    c.block(c.t("question"), parts.title, 68, bold=True, align="center", role="question")
    _faces(c, parts.faces, names, grid)  # before the rest: the keys move top to bottom
    if parts.survey is not None:
        c.button(parts.survey, c.t("survey_invite"), "survey", size=44)
    _tools(c, parts.tools)


def _rate_parts(c: _Ctx, body: pygame.Rect, top: int, invite: bool) -> _RateParts:
    tools_h = max(c.target, round(96 * c.u),
                  *(c.label_h(words, 38, w) for words, w in zip(
                      _tool_words(c), _tool_widths(c, body.width), strict=True)))
    tools = pygame.Rect(body.x, body.bottom - tools_h, body.width, tools_h)
    bottom = tools.top
    survey_rect = None
    if invite:
        survey_rect = _invite_rect(c, body.width)
        survey_rect.midbottom = (body.centerx, tools.top - c.gap)
        bottom = survey_rect.top
    title_h = min(c.height(c.t("question"), 68, True, body.width), 2 * line_height(c.px(68)))
    title = pygame.Rect(body.x, top + c.gap, body.width, title_h)
    area = pygame.Rect(body.x, title.bottom + 2 * c.gap, body.width,
                       bottom - 3 * c.gap - title.bottom)
    return _RateParts(title, area, survey_rect, tools)


def _invite_rect(c: _Ctx, width: int) -> pygame.Rect:
    """The size of the wide button that invites to the yearly survey (placed by its caller)."""
    survey_w = min(width, round(1200 * c.u * c.s))
    if c.label_h(c.t("survey_invite"), 44, survey_w) > c.label_h("", 44, survey_w):
        survey_w = width  # on one line if the screen's width allows: the faces need the height
    survey_h = max(c.target, round(120 * c.u), c.label_h(c.t("survey_invite"), 44, survey_w))
    return pygame.Rect(0, 0, survey_w, survey_h)


def invites_on_rate(view: FeedbackView, size: tuple[int, int], survey: Survey) -> bool:
    """Whether the rate screen for `view` (its language, faces, text size) on a screen of
    `size` carries the survey's invitation: in the survey month, where it leaves the faces'
    names at the floor. Where it does not, the thanks screen carries it instead."""
    if not view.survey_open:
        return False
    rate = dataclasses.replace(view, step="rate", notice="", focus=None)
    c = _Ctx(rate, size, survey)  # a scratch layout: measured, never drawn
    body = _body(c)
    top = _header(c, body)
    parts = _rate_parts(c, body, top, True)
    return _face_grid(c, parts.faces, _face_names(c)).px >= c.floor


def _header(c: _Ctx, body: pygame.Rect) -> int:
    """The language buttons, each in its own language, and the site's name, quietly;
    returns where the header ends."""
    portrait = c.h > c.w
    lang_w = max(2 * c.target, round(230 * c.u * c.s),
                 c.label_w([LANG_NAMES[lang] for lang in LANGS], 40))
    lang_h = max(c.target, round(88 * c.u))
    row_w = len(LANGS) * lang_w + (len(LANGS) - 1) * c.gap
    y = body.y
    name = c.view.site_name
    beside_w = body.width - row_w - c.gap
    # The name beside the languages while it fits there on one line at its size.
    own_line = portrait or (bool(name) and c.height(name, 36, False, beside_w) > lang_h)
    if own_line and not portrait and 12 * line_height(c.px(36)) > body.height:
        name = ""  # a short screen keeps its height for the faces: the name is only quiet
    if own_line:  # the name on a line of its own, the languages under it, right-aligned
        if name:
            name_h = max(round(60 * c.u), c.height(name, 36, False, body.width))
            c.block(name, pygame.Rect(body.x, y, body.width, name_h), 36, muted=True,
                    role="site")
            y += name_h + round(10 * c.u)
    elif name:
        c.block(name, pygame.Rect(body.x, y, body.width - row_w - c.gap, lang_h),
                36, muted=True, role="site")
    x = body.right - row_w
    first = len(c.plan.texts)
    for lang in LANGS:
        c.button(pygame.Rect(x, y, lang_w, lang_h), LANG_NAMES[lang], "lang", arg=lang,
                 primary=lang == c.lang, size=40, role=f"lang-{lang}")
        x += lang_w + c.gap
    _uniform(c, first)
    return y + lang_h


class _FaceGrid(NamedTuple):
    """How the faces are arranged: rows of tiles, each name under or beside its face."""

    rows: list[list[int]]  # which faces (by index) are in each row, worst first
    beside: bool  # the name beside the face (else under it)
    px: int  # the names' font size: one for all
    lines: int  # the names' lines: one label height for all, so the faces line up
    label_w: list[int]  # each name's width, wrapped to `lines` lines at whole words
    diameter: int  # one face size for all
    row_h: int


def _face_names(c: _Ctx) -> list[str]:
    """The faces' written names, worst first, in the screen's language."""
    scale = RatingScale(c.view.scale)
    return [c.survey.faces.get(scale.face(v), {}).get(c.lang)
            or scale.face(v).replace("_", " ") for v in scale.values]


def _faces(c: _Ctx, area: pygame.Rect, names: list[str], grid: _FaceGrid) -> None:
    """The faces as big buttons, worst first. Whichever arrangement of the space gives the
    biggest faces while every name is written whole at its size: side by side with the names
    under them, in two or more rows, or one under the other with the names beside them (on a
    tall screen, side by side they would be thin and their faces small)."""
    scale = RatingScale(c.view.scale)
    pad = round(20 * c.u)
    lh = line_height(grid.px)
    label_h = grid.lines * lh
    top = area.centery - (len(grid.rows) * grid.row_h + (len(grid.rows) - 1) * c.gap) // 2
    widths = [_tile_widths(c, area.width, grid, row, pad) for row in grid.rows]
    first = len(c.plan.texts)
    for r, (row, row_w) in enumerate(zip(grid.rows, widths, strict=True)):
        x = area.centerx - (sum(row_w) + (len(row) - 1) * c.gap) // 2
        y = top + r * (grid.row_h + c.gap)
        for i, w in zip(row, row_w, strict=True):
            rect = pygame.Rect(x, y, w, grid.row_h)
            x += w + c.gap
            value = scale.values[i]
            c.panel(rect)
            _face_tile(c, rect, value, scale.face(value), names[i], grid, label_h)
            c.buttons.append(Button(rect, "rate", str(value), names[i]))
    _uniform(c, first)  # names of differing sizes would read as a ranking


def _face_grid(c: _Ctx, area: pygame.Rect, names: list[str]) -> _FaceGrid:
    """The arrangement with the biggest faces, the names at their size; on a screen too
    small for its floor, the names a step smaller at a time until the faces are big enough
    to see (the legibility test names such a screen)."""
    least = round(90 * c.u)  # a face smaller than this is a dot from where one stands
    shrink = 1.0
    while True:
        grid = _face_grid_at(c, area, names, shrink)
        if grid.diameter >= least or grid.px <= c.min_px:
            return grid
        shrink *= 0.92


def _face_grid_at(c: _Ctx, area: pygame.Rect, names: list[str], shrink: float) -> _FaceGrid:
    n = len(names)
    pad = round(20 * c.u)
    biggest = round(220 * c.u * c.s)  # a face bigger than this only wastes the tile
    shapes = [(rows, beside) for beside in (False, True) for rows in range(1, n + 1)
              if -(-n // rows) * (rows - 1) < n]  # (no empty last row)
    tall = area.height > area.width
    best: _FaceGrid | None = None
    best_score = 0.0
    for rows, beside in shapes:
        cols = -(-n // rows)
        split = [list(range(i * cols, min(n, (i + 1) * cols))) for i in range(rows)]
        px = max(c.min_px, round(c.px(44 if beside else 34) * shrink))
        lh = line_height(px)
        # A row no taller than looks calm, but tall enough for a name on two lines.
        calm = max(round((240 if beside else 440) * c.u * c.s), 2 * lh + 2 * pad)
        row_h = min((area.height - (rows - 1) * c.gap) // rows, calm)
        if row_h < c.target:  # too low to touch: one row of the least height instead
            if rows > 1:
                continue
            row_h = c.target
        for lines in range(1, 5):
            if lines > 1 and lines * lh > row_h - 2 * pad:
                break  # (one line is always weighed: a screen too small still gets faces)
            label_w = [_wrapped_width(px, name, lines) for name in names]
            if beside:
                d = row_h - 2 * pad
                for row in split:
                    room = area.width - (len(row) - 1) * c.gap - 5 * pad * len(row)
                    d = min(d, (room - sum(label_w[i] for i in row)) // len(row))
            else:
                d = row_h - 4 * pad - lines * lh
                for row in split:
                    room = area.width - (len(row) - 1) * c.gap - 2 * pad * len(row)
                    d = min(d, _shared_size(room, [label_w[i] for i in row]))
            d = min(d, biggest)
            # On a tall screen one under the other reads as a list from worst to best: it
            # wins unless another shape makes the faces a third bigger.
            score = d * (4 / 3 if tall and beside and rows == n else 1)
            if best is None or score > best_score:
                best, best_score = _FaceGrid(split, beside, px, lines, label_w, d, row_h), score
    assert best is not None  # every shape was weighed with one line at least
    return best


@lru_cache(maxsize=1024)  # the same names are measured again at every redraw
def _wrapped_width(px: int, words: str, lines: int) -> int:
    """The narrowest width that holds `words` in `lines` lines at `px` bold, broken at
    spaces only."""
    face = font(px, True)
    lo = max(face.size(word)[0] for word in words.split())
    hi = max(lo, face.size(words)[0])
    while lo < hi:
        mid = (lo + hi) // 2
        if len(wrap(words, face, mid)) <= lines:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _shared_size(room: int, labels: list[int]) -> int:
    """The biggest face that fits a row of tiles each as wide as its face or its label,
    whichever is wider, in `room`; -1 when the labels alone do not fit."""
    if sum(labels) > room:
        return -1
    d = room // len(labels)
    while d > 0 and sum(max(w, d) for w in labels) > room:
        d -= 1
    return d


def _tile_widths(c: _Ctx, width: int, grid: _FaceGrid, row: list[int], pad: int
                 ) -> list[int]:
    """The tiles of a row: all as wide as the widest needs where that fits (a calm row),
    else each as wide as it needs, the rest shared."""
    need = [grid.diameter + 5 * pad + grid.label_w[i] if grid.beside
            else max(grid.diameter, grid.label_w[i]) + 2 * pad for i in range(len(grid.label_w))]
    room = width - (len(row) - 1) * c.gap
    widest = max(need)
    if grid.beside:
        even = min(room // len(row), max(widest, round(900 * c.u)))
    else:
        even = min(room // len(row), max(widest, round(340 * c.u * c.s)))
    if even >= widest or grid.diameter <= 0:  # (a screen too small for its floor: even)
        return [even] * len(row)
    # Each column as wide as its widest tile, so the rows line up, where that fits.
    cols = len(grid.rows[0])
    column = [max(need[r[j]] for r in grid.rows if j < len(r)) for j in range(cols)]
    if sum(column) + (cols - 1) * c.gap <= width:
        spare = (width - (cols - 1) * c.gap - sum(column)) // cols
        return [column[j] + spare for j in range(len(row))]
    spare = room - sum(need[i] for i in row)
    return [need[i] + spare // len(row) for i in row]


def _face_tile(c: _Ctx, rect: pygame.Rect, value: int, key: str, name: str, grid: _FaceGrid,
               label_h: int) -> None:
    """A face and its written name: under it, or beside it; the pair centred in the tile."""
    pad = round(20 * c.u)
    radius = max(8, grid.diameter // 2)
    size = 44 if grid.beside else 34
    if grid.beside:
        centre = (rect.x + 2 * pad + radius, rect.centery)
        label = pygame.Rect(centre[0] + radius + 2 * pad, rect.y + pad,
                            rect.right - pad - (centre[0] + radius + 2 * pad),
                            rect.height - 2 * pad)
        c.block(name, label, size, bold=True, bg=c.p.panel, role="face", exact=grid.px)
    else:
        top = rect.centery - (2 * radius + 2 * pad + label_h) // 2
        centre = (rect.centerx, top + radius)
        label = pygame.Rect(rect.x + pad, top + 2 * radius + 2 * pad, rect.width - 2 * pad,
                            min(label_h, rect.bottom - pad - (top + 2 * radius + 2 * pad)))
        c.block(name, label, size, bold=True, bg=c.p.panel, align="center", role="face",
                exact=grid.px)
    c.faces.append(Face(value, key, centre, radius, FACE_COLOURS[key], FACE_MOODS[key]))


def _tools(c: _Ctx, row: pygame.Rect) -> None:
    """The two settings, side by side and centred: a toggle that is on looks pressed (the
    light style) and says "on" in words."""
    large, help_ = _tool_words(c)
    w1, w2 = _tool_widths(c, row.width)
    x = row.centerx - (w1 + w2 + c.gap) // 2
    first = len(c.plan.texts)
    c.button(pygame.Rect(x, row.y, w1, row.height), large, "large", primary=c.view.large,
             size=38)
    c.button(pygame.Rect(x + w1 + c.gap, row.y, w2, row.height), help_, "help",
             primary=False, size=38)
    _uniform(c, first)


def _tool_words(c: _Ctx) -> tuple[str, str]:
    return c.t("large_on" if c.view.large else "large_off"), c.t("help")


def _tool_widths(c: _Ctx, width: int) -> tuple[int, int]:
    """Two buttons of one width where their words fit them on one line; else each as wide
    as its words on one line, if the row holds that (a button on two lines would take the
    height the faces need); else halves."""
    words = _tool_words(c)
    half = (width - c.gap) // 2
    even = max(round(520 * c.u * c.s), c.label_w(list(words), 38))
    if even <= half:
        return even, even
    own = [c.label_w([w], 38) for w in words]
    if sum(own) + c.gap <= width:
        return own[0], own[1]
    return half, half


# --- thanks, words --------------------------------------------------------------------------


SPACER: tuple[str, float, bool, bool, str] = ("", 0, False, False, "spacer")


def _stack(c: _Ctx, area: pygame.Rect, parts: list[tuple[str, float, bool, bool, str]]) -> None:
    """Blocks of wrapped text one under another, centred in `area`, shrunk together until
    they fit. A part is (words, size, bold, muted, role); one without words is left out,
    except `SPACER`, which keeps two groups apart."""
    parts = [p for p in parts if p[0] or p is SPACER]
    if not parts:
        return
    # Lines across a whole wide screen are hard to follow back to their start.
    area = area.inflate(min(0, round(1600 * c.u * c.s) - area.width), 0)
    k = 1.0
    for _ in range(12):
        heights = [c.height(words, size * k, bold, area.width) if words else round(c.gap * k)
                   for words, size, bold, _, _ in parts]
        spacing = round(c.gap * k)
        total = sum(heights) + spacing * (len(parts) - 1)
        if total <= area.height:
            break
        k *= 0.9
    y = area.centery - min(total, area.height) // 2
    for (words, size, bold, muted, role), h in zip(parts, heights, strict=True):
        if not words:  # the spacer
            y += h + spacing
            continue
        slot = pygame.Rect(area.x, y, area.width, min(h, area.bottom - y))
        c.block(words, slot, size * k, bold=bold, muted=muted, align="center", role=role)
        y += h + spacing


def _pair(c: _Ctx, body: pygame.Rect, items: list[tuple[str, str, bool]]) -> pygame.Rect:
    """One or two big buttons centred along the bottom; returns the area above them.
    An item is (words, action, primary)."""
    h = _pair_h(c)
    w = min((body.width - c.gap) // 2, round(620 * c.u))
    row_w = len(items) * w + (len(items) - 1) * c.gap
    first = len(c.plan.texts)
    for i, (words, action, primary) in enumerate(items):
        rect = pygame.Rect(body.centerx - row_w // 2 + i * (w + c.gap), body.bottom - h, w, h)
        c.button(rect, words, action, primary=primary, size=44)
    _uniform(c, first)
    return pygame.Rect(body.x, body.y, body.width, body.height - h - 2 * c.gap)


def _pair_h(c: _Ctx) -> int:
    return max(c.target, round(120 * c.u))


def _thanks(c: _Ctx, body: pygame.Rect, invite: bool = False) -> None:
    """Thanks, and the way on. `invite`: the survey month on a screen whose rate screen had
    no room for the survey's invitation, so it is here instead: under the thanks, over the
    question about words and its buttons (which stay together)."""
    # Masked means the customer has just sent words: asking for more would invite them to
    # type again what was removed, so the offer is left out then.
    offer = not c.view.masked
    title = (c.t("thanks"), 84, True, False, "thanks")
    masked = (c.t("masked_notice") if c.view.masked else "", 40, False, False, "masked")
    prompt = (c.t("words_prompt") if offer else "", 40, False, True, "words-prompt")
    if not invite:
        area = _pair(c, body, [*([(c.t("tell_more"), "words", False)] if offer else []),
                               (c.t("done"), "done", True)])
        _stack(c, area, [title, masked, prompt])
        return
    # The buttons are made top to bottom, the way the keys' focus moves through them.
    survey = _invite_rect(c, body.width)
    prompt_h = c.height(prompt[0], 40, False, body.width) if offer else 0
    survey.midbottom = (body.centerx, body.bottom - _pair_h(c) - 2 * c.gap
                        - (prompt_h + c.gap if offer else 0))
    _stack(c, pygame.Rect(body.x, body.y, body.width, survey.top - 2 * c.gap - body.y),
           [title, masked])
    c.button(survey, c.t("survey_invite"), "survey", size=44)
    area = _pair(c, body, [*([(c.t("tell_more"), "words", False)] if offer else []),
                           (c.t("done"), "done", True)])
    if offer:
        c.block(prompt[0], pygame.Rect(body.x, area.bottom + c.gap - prompt_h, body.width,
                                       prompt_h), 40, muted=True, align="center",
                role="words-prompt")


def _survey_done(c: _Ctx, body: pygame.Rect) -> None:
    area = _pair(c, body, [(c.t("done"), "done", True)])
    _stack(c, area, [(c.t("survey_thanks"), 84, True, False, "survey-thanks")])


def _keyboard_rows(c: _Ctx, width: int, key_gap: int) -> list[str]:
    """The Finnish/Swedish QWERTY rows where they fit at full target size; on a narrow
    (portrait) screen the same keys in alphabetical order, as many to a row as fit."""
    longest = max(len(row) for row in QWERTY_ROWS)
    if longest * c.target + (longest - 1) * key_gap <= width:
        return list(QWERTY_ROWS)
    cols = max(1, (width + key_gap) // (c.target + key_gap))
    return [ALPHABET[i:i + cols] for i in range(0, len(ALPHABET), cols)]


class _WordsSizes(NamedTuple):
    title: int
    note: int  # 0: the note is on a page of its own before the keyboard
    field: int
    key: int
    actions: int  # one row of actions
    action_rows: int
    top: int  # where the title starts: the whole stack centred on a tall screen


def _words_sizes(c: _Ctx, body: pygame.Rect, rows: list[str], key_gap: int,
                 with_note: bool = True) -> _WordsSizes:
    """The heights on the words step. The keys take what is left up to a comfortable size,
    then the typing box grows; the note shrinks only when the keys are already at their
    smallest (it must stay readable, and it must stay)."""
    action_rows = _action_rows(c, body.width)
    actions = max(c.target, round(100 * c.u))
    title_h = min(c.height(c.t("words_title"), 52, True, body.width),
                  2 * line_height(c.px(52)))
    pad = round(20 * c.u)
    note = c.height(c.t("note"), 34, False, body.width - 2 * pad) + 2 * pad if with_note else 0
    typed = line_height(c.px(44))
    field_h = max(c.target, 2 * typed + round(24 * c.u))
    spare = body.height - (title_h + note + field_h + (3 + with_note) * c.gap
                           + len(rows) * c.target + (len(rows) - 1) * key_gap
                           + action_rows * actions + (action_rows - 1) * c.gap)
    if spare < 0 and c.floor:  # short for its floor: the typing box to one line, then the note
        fewer = min(-spare, field_h - max(c.target, typed + round(24 * c.u)))
        field_h -= fewer
        spare += fewer
    if spare < 0:
        note += spare
    grow = max(0, min(max(0, spare) // len(rows), round(130 * c.u) - c.target))
    spare -= len(rows) * grow
    more_lines = min(2, max(0, spare) // typed)  # room for a longer message to stay in view
    spare -= more_lines * typed
    return _WordsSizes(title_h, note, field_h + more_lines * typed, c.target + grow, actions,
                       action_rows, body.y + max(0, spare) // 2)


def _action_rows(c: _Ctx, width: int) -> int:
    """One row of the four actions on a wide screen while their words fit it at the floor;
    else two (with no floor, the words shrink to their buttons instead)."""
    if c.h > c.w:
        return 2  # a narrow screen: space on a row of its own
    return 1 if not c.floor or all(c.label_w([words], 40) <= w for words, w in zip(
        _action_words(c), _action_widths(c, width), strict=True)) else 2


def _action_words(c: _Ctx) -> list[str]:
    return [c.t("space"), c.t("erase"), c.t("skip"), c.t("send")]


def _action_widths(c: _Ctx, width: int) -> list[int]:
    """The four actions in one row: space the widest (it is typed most)."""
    unit = (width - 3 * c.gap) / 10
    widths = [round(unit * 3.1), *[round(unit * 2.3)] * 2]
    return [*widths, width - sum(widths) - 3 * c.gap]


def _words(c: _Ctx, body: pygame.Rect) -> None:
    key_gap = max(8, round(12 * c.u))
    rows = _keyboard_rows(c, body.width, key_gap)
    size = _words_sizes(c, body, rows, key_gap)
    pad = round(20 * c.u)
    whole_note = c.height(c.t("note"), 34, False, body.width - 2 * pad) + 2 * pad
    if c.floor and size.note < whole_note:
        # Too short for the note and the keyboard at a readable size: the note first, on a
        # page of its own with "write" and "skip", then the keyboard.
        if not (c.view.writing or c.view.words):
            _words_note_first(c, body)
            return
        size = _words_sizes(c, body, rows, key_gap, with_note=False)
    y = size.top
    c.block(c.t("words_title"), pygame.Rect(body.x, y, body.width, size.title), 52, bold=True,
            role="title")
    y += size.title + c.gap
    if size.note:
        note = pygame.Rect(body.x, y, body.width, size.note)
        c.panel(note)
        c.block(c.t("note"), note.inflate(-2 * pad, -2 * pad), 34, bg=c.p.panel, role="note")
        y = note.bottom + c.gap
    field_rect = pygame.Rect(body.x, y, body.width, size.field)
    _field(c, field_rect)
    grid = pygame.Rect(body.x, field_rect.bottom + c.gap, body.width,
                       len(rows) * size.key + (len(rows) - 1) * key_gap)
    _keys(c, grid, rows, size.key, key_gap)
    actions = pygame.Rect(body.x, grid.bottom + c.gap, body.width,
                          size.action_rows * size.actions + (size.action_rows - 1) * c.gap)
    _word_actions(c, actions, size.action_rows)


def _words_note_first(c: _Ctx, body: pygame.Rect) -> None:
    """The title and the whole note, and the way on: write (the keyboard) or skip."""
    area = _pair(c, body, [(c.t("skip"), "skip", False), (c.t("write"), "write", True)])
    pad = round(20 * c.u)
    title_h = c.height(c.t("words_title"), 52, True, area.width)
    note_h = c.height(c.t("note"), 34, False, area.width - 2 * pad) + 2 * pad
    y = area.centery - (title_h + c.gap + note_h) // 2
    c.block(c.t("words_title"), pygame.Rect(area.x, y, area.width, title_h), 52, bold=True,
            role="title")
    note = pygame.Rect(area.x, y + title_h + c.gap, area.width, note_h)
    c.panel(note)
    c.block(c.t("note"), note.inflate(-2 * pad, -2 * pad), 34, bg=c.p.panel, role="note")


def _field(c: _Ctx, rect: pygame.Rect) -> None:
    """The typed words in a framed box, the newest at the end; a muted hint when empty."""
    c.panel(rect)
    inner = rect.inflate(-round(40 * c.u), -round(16 * c.u))
    if c.view.words:
        # From the top, as in any text box; the newest words stay in view.
        c.block(c.view.words + CURSOR, inner, 44, bg=c.p.panel, role="typed", tail=True,
                top=True)
    else:
        c.block(c.t("write_here"), inner, 44, muted=True, bg=c.p.panel, role="placeholder",
                top=True)


def _keys(c: _Ctx, grid: pygame.Rect, rows: list[str], key_h: int, key_gap: int) -> None:
    cols = max(len(row) for row in rows)
    key_w = (grid.width - (cols - 1) * key_gap) // cols
    for r, row in enumerate(rows):
        # A short row is centred under the longer ones, as on a real keyboard.
        x0 = grid.centerx - (len(row) * key_w + (len(row) - 1) * key_gap) // 2
        for i, ch in enumerate(row):
            rect = pygame.Rect(x0 + i * (key_w + key_gap), grid.y + r * (key_h + key_gap),
                               key_w, key_h)
            c.button(rect, ch, "key", arg=ch, size=48, role="key", pad=round(4 * c.u))


def _word_actions(c: _Ctx, area: pygame.Rect, rows: int) -> None:
    """Space is the wide one (it is typed most); sending is the light one, at the end."""
    items = tuple(zip(_action_words(c), ("key", "erase", "skip", "send"), (" ", "", "", ""),
                      (False, False, False, True), strict=True))
    first = len(c.plan.texts)
    if rows == 2:
        h = (area.height - c.gap) // 2
        third = (area.width - 2 * c.gap) // 3
        if c.label_w([words for words, *_ in items[1:]], 40) <= third:
            rects = [pygame.Rect(area.x, area.y, area.width, h),
                     *(pygame.Rect(area.x + i * (third + c.gap), area.bottom - h, third, h)
                       for i in range(3))]
        else:  # the words would not fit a third: two to a row
            half = (area.width - c.gap) // 2
            rects = [pygame.Rect(area.x + (i % 2) * (half + c.gap),
                                 area.y if i < 2 else area.bottom - h, half, h)
                     for i in range(4)]
    else:
        widths = _action_widths(c, area.width)
        xs = [area.x + sum(widths[:i]) + i * c.gap for i in range(4)]
        rects = [pygame.Rect(x, area.y, w, area.height) for x, w in zip(xs, widths, strict=True)]
    for (words, action, arg, primary), rect in zip(items, rects, strict=True):
        c.button(rect, words, action, arg=arg, primary=primary, size=40)
    _uniform(c, first)


def _uniform(c: _Ctx, first: int) -> None:
    """The labels of one row of buttons (texts from `first` on) in one size: a row whose
    labels differ in size looks broken."""
    items = c.plan.texts[first:]
    if not items:
        return
    size = min(item.size for item in items)
    c.plan.texts[first:] = [_resized(item, size) for item in items]


def _resized(item: TextItem, size: int) -> TextItem:
    if item.size == size:
        return item
    w, h = font(size, item.bold).size(item.text)
    rect = pygame.Rect(0, 0, min(w, item.rect.width), min(h, item.rect.height))
    rect.center = item.rect.center
    return dataclasses.replace(item, rect=rect, size=size)


# --- the survey -----------------------------------------------------------------------------


def _screening(c: _Ctx, body: pygame.Rect) -> None:
    nav_h = max(c.target, round(100 * c.u))
    back_w = min(body.width, max(round(420 * c.u), c.label_w([c.t("back")], 40)))
    back = pygame.Rect(body.x, body.bottom - nav_h, back_w, nav_h)
    answer_h = max(c.target, round(160 * c.u))
    answer_w = min((body.width - c.gap) // 2, round(520 * c.u))
    answers_y = back.top - 2 * c.gap - answer_h
    area = pygame.Rect(body.x, body.y, body.width, answers_y - 2 * c.gap - body.y)
    _stack(c, area, [
        (c.t("survey_intro"), 36, False, True, "intro"),
        (c.survey.screening[c.view.screening][c.lang], 60, True, False, "screening"),
    ])
    x = body.centerx - (2 * answer_w + 2 * c.gap) // 2
    first = len(c.plan.texts)
    for i, action in enumerate(("yes", "no")):
        rect = pygame.Rect(x + i * (answer_w + 2 * c.gap), answers_y, answer_w, answer_h)
        c.button(rect, c.t(action), action, size=56)
    _uniform(c, first)
    c.button(back, c.t("back"), "back", primary=False, size=40)


def _statement(c: _Ctx, body: pygame.Rect) -> None:
    view = c.view
    statement = c.survey.statement(view.statement or 0)
    nav = _statement_nav(c, body)
    label_h = _end_labels_h(c, body.width)
    score_h = max(c.target, round(140 * c.u))
    progress = pygame.Rect(body.x, body.y, body.width, line_height(c.px(36)))
    counted = f"{view.progress[0]} / {view.progress[1]}" if view.progress[1] > 0 else ""
    # The statement and its scores are one group, kept together and centred in the space
    # (on a tall screen the scores would otherwise sit far below what they rate).
    words = statement.text(c.lang)
    free = pygame.Rect(body.x, progress.bottom + c.gap, body.width,
                       nav.rect.top - 2 * c.gap - progress.bottom - c.gap)
    need_h = c.height(words, 60, True, min(body.width, round(1600 * c.u * c.s)))
    spacing = 2 * c.gap
    between = None  # the progress between the end labels, under the scores
    own_line = 0  # or on a line of its own under them: its height
    if need_h > free.height - (spacing + score_h + c.gap // 2 + label_h):
        # Short for its floor: the scores at the least height, closer to their statement,
        # and the progress under them: in the gap between the end labels if it fits there,
        # else on a line of its own under the labels (a gap less than above the statement).
        score_h, spacing = c.target, c.gap // 4  # (the lines' own leading stays between)
        free.height += c.gap  # (the navigation one gap below, not two)
        between = _between_labels(c, body.width, counted) if counted else None
        if counted and between is None:
            between = (0, _score_row(c, body.width)[1])
            own_line = line_height(c.px(36))
        if between:
            free.y, free.height = body.y, free.bottom - body.y
    if counted and not between:
        c.block(counted, progress, 36, muted=True, role="progress")
    below = spacing + score_h + c.gap // 2 + label_h + own_line
    text_h = min(need_h, free.height - below)
    text = pygame.Rect(body.x, free.y + max(0, (free.height - text_h - below) // 2),
                       body.width, text_h)
    _stack(c, text, [(words, 60, True, False, "statement")])
    _scores(c, pygame.Rect(body.x, text.bottom + spacing, body.width, score_h), label_h)
    if between:
        x = body.centerx - _score_row(c, body.width)[1] // 2 + between[0]
        slot = pygame.Rect(x, text.bottom + spacing + score_h + c.gap // 2
                           + (label_h if own_line else 0), between[1], line_height(c.px(36)))
        c.block(counted, slot, 36, muted=True, align="center", role="progress")
    _draw_statement_nav(c, nav)


class _Nav(NamedTuple):
    """The statement's back, don't know and next: where they go."""

    rect: pygame.Rect  # all of them
    back: pygame.Rect
    middle: pygame.Rect
    next: pygame.Rect
    pad: int | None  # the labels' room in their buttons, when the row is full


def _statement_nav(c: _Ctx, body: pygame.Rect) -> _Nav:
    """Three in a row while their words fit (each as wide as its words where thirds are too
    narrow); else "don't know" on a row of its own above."""
    nav_h = max(c.target, round(100 * c.u))
    third = (body.width - 2 * c.gap) // 3
    need = c.label_w([c.t("back"), c.t("survey_skip"), c.t("next")], 40)
    tight = round(10 * c.u)  # the labels' room to each side where the row is full
    face = font(max(c.min_px, c.px(40)), True)
    own = [face.size(c.t(key))[0] + 2 * tight + 4 for key in ("back", "survey_skip", "next")]
    ends = max(own[0], own[2])
    fitted = need > third and 2 * ends + own[1] + 2 * c.gap <= body.width
    rows = 1 if need <= third or fitted else 2
    nav = pygame.Rect(body.x, body.bottom - rows * nav_h - (rows - 1) * c.gap,
                      body.width, rows * nav_h + (rows - 1) * c.gap)
    if fitted:  # the ends as wide as the wider of them, "don't know" the rest between
        w = ends
        middle = pygame.Rect(nav.x + w + c.gap, nav.y, nav.width - 2 * (w + c.gap), nav_h)
    elif rows == 1:
        w = min(third, max(round(460 * c.u * c.s), need))
        middle = pygame.Rect(nav.centerx - w // 2, nav.y, w, nav_h)
    else:
        w = (nav.width - c.gap) // 2
        middle = pygame.Rect(nav.x, nav.y, nav.width, nav_h)
    ends_y = nav.bottom - nav_h
    return _Nav(nav, pygame.Rect(nav.x, ends_y, w, nav_h), middle,
                pygame.Rect(nav.right - w, ends_y, w, nav_h), tight if fitted else None)


def _draw_statement_nav(c: _Ctx, nav: _Nav) -> None:
    first = len(c.plan.texts)
    c.button(nav.back, c.t("back"), "back", primary=False, size=40, pad=nav.pad)
    c.button(nav.middle, c.t("survey_skip"), "dont_know", primary=False, size=40, pad=nav.pad)
    # "Next" only once a score is chosen: "don't know" is the way on without one.
    c.button(nav.next, c.t("next"), "next", size=40, enabled=c.view.selected is not None,
             pad=nav.pad)
    _uniform(c, first)


def _score_row(c: _Ctx, width: int) -> tuple[int, int]:
    """The width of a score button and of the whole row of seven."""
    n = SCALE_MAX - SCALE_MIN + 1
    w = min((width - (n - 1) * c.gap) // n, round(220 * c.u))
    return w, n * w + (n - 1) * c.gap


def _end_labels_h(c: _Ctx, width: int) -> int:
    """The height under the scores for their end labels ("4 = fully disagree"): two
    lines where the screen is wide enough for more, else as many as they need."""
    half = _score_row(c, width)[1] // 2 - c.gap
    lines = max(c.height(f"{score} = {c.survey.scale_labels[score][c.lang]}", 30, False,
                         half) for score in (SCALE_MIN, SCALE_MAX))
    return max(lines, 2 * line_height(c.px(30))) if c.floor == 0 else lines


def _between_labels(c: _Ctx, width: int, words: str) -> tuple[int, int] | None:
    """Where (left, width), from the score row's left, the room between the two end labels
    is, a gap from each, if `words` fit there on one line."""
    row = _score_row(c, width)[1]
    face = font(max(c.min_px, c.px(30)), False)
    left, right = (max(face.size(line)[0] for line in wrap(
        f"{score} = {c.survey.scale_labels[score][c.lang]}", face, row // 2 - c.gap,
        hyphen=True)) for score in (SCALE_MIN, SCALE_MAX))
    room = row - left - right - 2 * c.gap
    if font(max(c.min_px, c.px(36)), False).size(words)[0] > room:
        return None
    return left + c.gap, room


def _scores(c: _Ctx, row: pygame.Rect, label_h: int) -> None:
    """The seven scores 4..10; the chosen one is light *and* ticked, the end labels sit
    under the two ends."""
    gap = c.gap
    w, row_w = _score_row(c, row.width)
    n = SCALE_MAX - SCALE_MIN + 1
    x0 = row.centerx - row_w // 2
    for i, score in enumerate(range(SCALE_MIN, SCALE_MAX + 1)):
        chosen = c.view.selected == score
        rect = pygame.Rect(x0 + i * (w + gap), row.y, w, row.height)
        c.button(rect, f"✓ {score}" if chosen else str(score), "score", arg=str(score),
                 primary=chosen, size=52, role="score-chosen" if chosen else "score",
                 label=str(score), pad=round(4 * c.u))
    labels = pygame.Rect(x0, row.bottom + c.gap // 2, n * w + (n - 1) * gap, label_h)
    half = labels.width // 2 - c.gap
    for score, align, slot in (
            (SCALE_MIN, "left", pygame.Rect(labels.x, labels.y, half, label_h)),
            (SCALE_MAX, "right", pygame.Rect(labels.right - half, labels.y, half, label_h))):
        c.block(f"{score} = {c.survey.scale_labels[score][c.lang]}", slot, 30, align=align,
                role=f"scale-{score}")


def _out_of_order(c: _Ctx, body: pygame.Rect) -> None:
    """Whoever stands in front of a broken device must understand it: all languages."""
    parts: list[tuple[str, float, bool, bool, str]] = []
    for lang in LANGS:
        if parts:
            parts.append(SPACER)  # each language's pair together, apart from the next
        parts.append((feedback_text(c.survey, lang, "out_of_order"), 56, True, False,
                      f"out-of-order-{lang}"))
        parts.append((feedback_text(c.survey, lang, "out_of_order_hint"), 42, False, False,
                      f"hint-{lang}"))
    _stack(c, body, parts)


# --- focus, drawing, touching ---------------------------------------------------------------


def _focus_ring(c: _Ctx) -> None:
    live = focusable(c.buttons)
    if c.view.focus is None or not live:
        return
    button = live[c.view.focus % len(live)]
    ring = max(4, round(8 * c.u))
    c.plan.boxes.append(Box(button.rect.inflate(2 * ring + 4, 2 * ring + 4), c.p.focus,
                            radius=round(20 * c.u), width=ring))



def draw_face(surface: pygame.Surface, face: Face) -> None:
    """A round face: two eyes and a mouth whose curve says the mood."""
    x, y = face.centre
    r = face.radius
    pygame.draw.aacircle(surface, face.colour, face.centre, r)
    pygame.draw.aacircle(surface, FACE_INK, face.centre, r, max(2, r // 30))
    eye = max(2, round(r * 0.11))
    for dx in (-0.36, 0.36):
        pygame.draw.aacircle(surface, FACE_INK, (x + round(dx * r), y - round(0.22 * r)), eye)
    # The mouth: a parabola through its two corners, deeper the stronger the mood; drawn
    # as a row of round dabs so the thick line has smooth ends and no broken joints.
    half, base, depth = 0.46 * r, y + 0.36 * r, 0.11 * r * face.mood
    brush = max(2, round(r * 0.065))
    steps = max(16, round(half))
    for i in range(steps + 1):
        t = 2 * i / steps - 1
        pygame.draw.aacircle(surface, FACE_INK, (round(x + t * half),
                                                 round(base + depth * (1 - t * t) - depth / 2)),
                             brush)


def render_feedback(surface: pygame.Surface, view: FeedbackView, survey: Survey
                    ) -> list[Button]:
    """Draw the feedback screen; returns its buttons for `hit_test`."""
    layout = layout_feedback(view, surface.get_size(), survey)
    draw_plan(surface, layout.plan)
    for face in layout.faces:
        draw_face(surface, face)
    return layout.buttons


