"""Colours of every screen, and the contrast check they must pass.

Calm: a dark blue-grey background, near-white text, one warm accent reserved for the newest
call so the eye finds it at once. Every text/background pair in `TEXT_PAIRS` is at least
7:1 (WCAG 2 level AAA for normal text); tests check it, so a new colour must be added there.
"""

from __future__ import annotations

from dataclasses import dataclass

Colour = tuple[int, int, int]

BACKGROUND: Colour = (17, 26, 38)
PANEL: Colour = (29, 41, 57)  # the lobby's side column, one step lighter than the background
RULE: Colour = (58, 74, 94)  # thin separators; decoration only, never behind text

TEXT: Colour = (244, 246, 248)
MUTED: Colour = (188, 198, 210)  # labels and secondary lines, still AAA on both darks

ACCENT: Colour = (255, 214, 112)  # the newest call's band: warm, soft, unmistakable
ON_ACCENT: Colour = BACKGROUND

BUTTON: Colour = (222, 236, 250)  # kiosk: an open authority is a light, pressable tile
ON_BUTTON: Colour = (15, 38, 66)
CLOSED_BUTTON: Colour = (36, 47, 62)  # a closed one is flat and dark: readable, not inviting
ON_CLOSED: Colour = (186, 194, 205)

# (foreground, background) of every text drawn anywhere.
TEXT_PAIRS: tuple[tuple[Colour, Colour], ...] = (
    (TEXT, BACKGROUND),
    (MUTED, BACKGROUND),
    (TEXT, PANEL),
    (MUTED, PANEL),
    (ON_ACCENT, ACCENT),
    (ON_BUTTON, BUTTON),
    (ON_CLOSED, CLOSED_BUTTON),
    (TEXT, CLOSED_BUTTON),
)

MIN_CONTRAST = 7.0


@dataclass(frozen=True)
class Palette:
    """The colours of a touch screen (the kiosk's, the feedback device's): two of them, so
    every touch screen of a site looks and behaves alike."""

    background: Colour
    text: Colour
    muted: Colour
    panel: Colour
    button: Colour
    on_button: Colour
    closed: Colour
    on_closed: Colour
    focus: Colour
    border: Colour


CALM = Palette(BACKGROUND, TEXT, MUTED, PANEL, BUTTON, ON_BUTTON, CLOSED_BUTTON, ON_CLOSED,
               ACCENT, MUTED)
# Large text: pure black and white with a yellow the eye cannot miss (low vision, glare).
HIGH_CONTRAST = Palette((0, 0, 0), (255, 255, 255), (255, 255, 255), (0, 0, 0),
                        (255, 221, 0), (0, 0, 0), (51, 51, 51), (255, 255, 255),
                        (0, 200, 255), (255, 255, 255))


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: Colour) -> float:
    r, g, b = (_channel(v) for v in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: Colour, bg: Colour) -> float:
    """WCAG 2 contrast ratio, from 1.0 (same colour) to 21.0 (black on white)."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)
