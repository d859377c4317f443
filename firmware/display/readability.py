"""How big a number must be drawn to be read from the back row, and which slides are due.

A letter is comfortably readable when its height subtends at least 1 degree of arc at the
eye (about 17.5 mm per metre of distance). The config gives the picture's physical size and
the farthest viewing distance; the pixel size follows from the screen's resolution.
"""

from __future__ import annotations

import math
from datetime import date

from display_driver.legibility import cap_height_ratio, min_font_px
from firmware.display.lobby_screen import Slide
from firmware.feedback.texts import announcement, load_survey
from firmware.site_model import DisplayConfig, SurveyConfig

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


def slides_on(display: DisplayConfig, day: date, survey: SurveyConfig | None = None
              ) -> list[Slide]:
    """The slides valid on `day`, as the screen shows them (fi, sv, en); in the survey
    month the survey's announcement first, so every waiting customer sees it."""
    slides = [
        Slide((s.title.fi, s.title.sv, s.title.en), (s.text.fi, s.text.sv, s.text.en))
        for s in display.slides
        if s.valid_on(day)
    ]
    if survey is not None and survey.is_open(day):
        slides.insert(0, Slide(*announcement(load_survey(survey))))
    return slides
