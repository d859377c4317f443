"""Layout primitives shared by the screens: a plan of boxes and texts, then one draw step.

A screen's layout function computes *where* everything goes (pure apart from font metrics),
so tests can assert what text is where and how big; `draw_plan` only paints the plan.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

import pygame

from display_driver.fonts import font
from display_driver.theme import Colour

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class TextItem:
    """One line of text: `rect` is the exact area the rendered text covers."""

    text: str
    rect: pygame.Rect
    size: int  # font size in pixels
    bold: bool
    fg: Colour
    bg: Colour  # the colour under it, for the contrast check
    role: str = ""  # what it is ("ticket", "room", ...): lets tests find items by meaning


@dataclass(frozen=True)
class Box:
    rect: pygame.Rect
    colour: Colour
    radius: int = 0
    width: int = 0  # 0 fills; >0 draws an outline of that width


@dataclass
class Plan:
    background: Colour
    boxes: list[Box] = field(default_factory=list)
    texts: list[TextItem] = field(default_factory=list)


def fit_size(text: str, bold: bool, max_w: int, max_h: int, start: int) -> int:
    """The largest size not above `start` at which `text` fits in max_w x max_h."""
    size = max(8, min(start, max_h))
    while size > 8:
        w, h = font(size, bold).size(text)
        if w <= max_w and h <= max_h:
            break
        # Shrink in proportion to the overflow: few font objects are made on the way.
        ratio = min(max_w / max(w, 1), max_h / max(h, 1))
        size = max(8, min(size - 1, int(size * ratio)))
    return size


def place(
    text: str,
    slot: pygame.Rect,
    size: int,
    *,
    bold: bool = False,
    fg: Colour,
    bg: Colour,
    align: Align = "left",
    role: str = "",
) -> TextItem:
    """Fit `text` (shrinking from `size` if needed) into `slot`, vertically centred."""
    slot = pygame.Rect(slot.x, slot.y, max(0, slot.width), max(0, slot.height))
    size = fit_size(text, bold, slot.width, slot.height, size)
    w, h = font(size, bold).size(text)
    rect = pygame.Rect(0, 0, min(w, slot.width), min(h, slot.height))
    rect.centery = slot.centery
    _align(rect, slot, align)
    return TextItem(text, rect, size, bold, fg, bg, role)


def _align(rect: pygame.Rect, slot: pygame.Rect, align: str) -> None:
    """Set `rect` across `slot`: its left or right edge, or centred."""
    if align == "left":
        rect.left = slot.left
    elif align == "right":
        rect.right = slot.right
    else:
        rect.centerx = slot.centerx


def draw_plan(surface: pygame.Surface, plan: Plan) -> None:
    surface.fill(plan.background)
    for box in plan.boxes:
        pygame.draw.rect(surface, box.colour, box.rect, box.width, border_radius=box.radius)
    for item in plan.texts:
        image = font(item.size, item.bold).render(item.text, True, item.fg, item.bg)
        # Clip to the planned rect: a text the fitter could not shrink enough never spills.
        surface.blit(image, item.rect, pygame.Rect(0, 0, item.rect.width, item.rect.height))


def min_target_px(diagonal_in: float, size: tuple[int, int]) -> int:
    """12 mm in pixels on a panel of this diagonal and resolution (WCAG / EN 301 549)."""
    mm_per_px = diagonal_in * 25.4 / math.hypot(*size)
    return math.ceil(12.0 / mm_per_px)


class Touchable(Protocol):
    """A button of a touch screen (the kiosk's, the feedback device's)."""

    rect: pygame.Rect
    enabled: bool


B = TypeVar("B", bound=Touchable)


def hit_test(buttons: Sequence[B], pos: tuple[int, int]) -> B | None:
    """The enabled button under `pos`, if any: a touch on a greyed button does nothing."""
    for button in buttons:
        if button.enabled and button.rect.collidepoint(pos):
            return button
    return None


def focusable(buttons: Sequence[B]) -> list[B]:
    """The buttons the physical keys move through, in screen order (top to bottom)."""
    return [b for b in buttons if b.enabled]


MIN_BUTTON_PX = 88  # 12 mm on a 15.6" 1920x1080 panel is about 67 px; never below this 88
LARGE_SCALE = 1.3  # large text: every size times this


class TouchFrame:
    """What every touch screen's layout step shares: the size and its unit, the large-text
    scale and palette, the plan being built, the target size and the gap between targets."""

    def __init__(self, size: tuple[int, int], *, large: bool, min_target_px: int) -> None:
        from display_driver import theme

        self.w, self.h = size
        self.u = min(size) / 1080
        self.s = LARGE_SCALE if large else 1.0
        self.p = theme.HIGH_CONTRAST if large else theme.CALM
        self.plan = Plan(self.p.background)
        self.target = max(min_target_px, round(MIN_BUTTON_PX * self.u))
        self.gap = max(round(22 * self.u), 16)  # room between targets for a shaky finger

    def px(self, size: float) -> int:
        return round(size * self.u * self.s)


def wrap_words(text: str, size: int, bold: bool, max_w: int) -> list[str]:
    """`text` broken at spaces into lines no wider than `max_w` at `size`, never shrunk.

    A word wider than `max_w` on its own is split with a hyphen where it must be
    ("Maahanmuutto-" / "virasto"): a long compound still fits, nothing is cut off.
    """
    face = font(size, bold)
    lines: list[str] = []
    for word in text.split():
        if lines and face.size(f"{lines[-1]} {word}")[0] <= max_w:
            lines[-1] = f"{lines[-1]} {word}"
            continue
        while face.size(word)[0] > max_w and len(word) > 1:
            cut = max(1, next((n for n in range(len(word) - 1, 0, -1)
                               if face.size(word[:n] + "-")[0] <= max_w), 1))
            lines.append(word[:cut] + "-")
            word = word[cut:]
        lines.append(word)
    return lines or [""]


def place_wrapped(text: str, slot: pygame.Rect, size: int, *, bold: bool = False,
                  fg: Colour, bg: Colour, align: Align = "left", role: str = "",
                  valign: Literal["top", "center"] = "center") -> list[TextItem]:
    """`text` at exactly `size`, on as many lines as `slot`'s width needs (a readable size
    is never traded for one line); the block is centred in `slot` or set at its top."""
    lines = wrap_words(text, size, bold, slot.width)
    line_h = font(size, bold).get_linesize()
    block_h = line_h * len(lines)
    y = slot.y if valign == "top" else slot.y + max(0, (slot.height - block_h) // 2)
    items = []
    for line in lines:
        w, h = font(size, bold).size(line)
        rect = pygame.Rect(0, y + (line_h - h) // 2, w, h)
        _align(rect, slot, align)
        items.append(TextItem(line, rect, size, bold, fg, bg, role))
        y += line_h
    return items


def wrapped_height(text: str, width: int, size: int, bold: bool = False) -> int:
    """The height `place_wrapped` needs for `text` in `width` at `size`."""
    return font(size, bold).get_linesize() * len(wrap_words(text, size, bold, width))


def language_lines(parts: Sequence[str], size: int, bold: bool, max_w: int) -> list[str]:
    """fi · sv · en on one line where it fits; otherwise each language on lines of its own
    (a language is never split across the " · " of another)."""
    joined = " · ".join(parts)
    if font(size, bold).size(joined)[0] <= max_w:
        return [joined]
    return [line for part in parts for line in wrap_words(part, size, bold, max_w)]


def place_lines(lines: Sequence[str], slot: pygame.Rect, size: int, *, bold: bool = False,
                fg: Colour, bg: Colour, align: Align = "left", role: str = ""
                ) -> list[TextItem]:
    """Lines already broken, at exactly `size`, stacked from the top of `slot`."""
    line_h = font(size, bold).get_linesize()
    return [item for i, line in enumerate(lines) for item in place_wrapped(
        line, pygame.Rect(slot.x, slot.y + i * line_h, slot.width, line_h), size, bold=bold,
        fg=fg, bg=bg, align=align, role=role, valign="top")]
