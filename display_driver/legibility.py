"""The bundled fonts' side of the legibility rule (firmware.core.legibility)."""

from __future__ import annotations

from functools import lru_cache

from display_driver.fonts import font
from firmware.core.legibility import min_text_px


@lru_cache(maxsize=4)
def cap_height_ratio(bold: bool = False) -> float:
    """Height of a capital or digit of the bundled face, as a share of its pixel size."""
    size = 200
    metrics = font(size, bold).metrics("HK0")
    tallest = max(m[3] for m in metrics if m is not None)  # maxy: above the baseline
    return tallest / size


def min_font_px(distance_m: float, pixels_per_mm: float) -> int:
    """The smallest font size of the bundled faces readable at `distance_m` (0.7 deg).

    The regular face's capitals are the measure: the bold ones are no lower.
    """
    return min_text_px(distance_m, pixels_per_mm, min(cap_height_ratio(False),
                                                     cap_height_ratio(True)))
