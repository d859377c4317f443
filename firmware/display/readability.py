"""How big a number must be drawn to be read from the back row (which slides are due is
view.py's, importable from here as before).

A letter is comfortably readable when its height subtends at least 1 degree of arc at the
eye (about 17.5 mm per metre of distance). The config gives the picture's physical size and
the farthest viewing distance; the pixel size follows from the screen's resolution.
"""

from __future__ import annotations

import math

from display_driver.legibility import cap_height_ratio, min_font_px
from firmware.display.view import slides_on  # noqa: F401  (importable from here as before)
from firmware.site_model import DisplayConfig

MM_PER_METRE_FOR_ONE_DEGREE = 1000 * math.tan(math.radians(1.0))  # 17.45 mm


def mm_per_pixel(display: DisplayConfig, size: tuple[int, int]) -> float:
    """The physical height of one pixel, the picture's size taken as mounted."""
    w, h = size
    # Physical size and pixels in the same orientation: the longer sides together.
    long_mm, short_mm = max(display.width_mm, display.height_mm), min(display.width_mm,
                                                                      display.height_mm)
    return (long_mm / max(w, h) + short_mm / min(w, h)) / 2


def needed_letter_mm(display: DisplayConfig) -> float:
    return display.viewing_distance_m * MM_PER_METRE_FOR_ONE_DEGREE


def letter_height_mm(font_px: int, display: DisplayConfig, size: tuple[int, int],
                     bold: bool = True) -> float:
    return font_px * cap_height_ratio(bold) * mm_per_pixel(display, size)


def ticket_px_needed(display: DisplayConfig, size: tuple[int, int]) -> int:
    """The smallest bold font size whose capitals reach 1 degree at the viewing distance."""
    px = needed_letter_mm(display) / mm_per_pixel(display, size) / cap_height_ratio(True)
    return math.ceil(px)


def text_px_needed(display: DisplayConfig, size: tuple[int, int]) -> int:
    """The smallest font size of any text, read from `reading_distance_m` (0.7 degrees)."""
    return min_font_px(display.reading_distance_m, 1 / mm_per_pixel(display, size))
