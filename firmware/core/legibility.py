"""How big a customer text must be drawn to be read from where the customer stands.

The rule (issue 22): a letter must subtend at least 0.7 degrees of arc at the reader's eye,
which is 2 * d * tan(0.35 deg), about 12.2 mm of letter height per metre of distance.

"Letter height" here is the height of a capital (and of a digit), not the font's pixel
size: the pixel size of a font is its em, which includes room for accents and descenders,
so the same size looks bigger or smaller from face to face. Our faces are DejaVu Sans and
Sans Bold, whose capitals are 0.73 of the pixel size (measured from the font files by
`display_driver.legibility.cap_height_ratio`); the smallest font size is therefore the
letter height in pixels divided by that ratio.

Pure arithmetic: the screens and the tests get the font's ratio from the font module.
"""

from __future__ import annotations

import math

MIN_ARC_DEGREES = 0.7


def letter_mm(distance_m: float, degrees: float = MIN_ARC_DEGREES) -> float:
    """The letter height that subtends `degrees` at `distance_m` (0.7 deg: 12.2 mm/m)."""
    return 2 * distance_m * 1000 * math.tan(math.radians(degrees / 2))


def px_per_mm(diagonal_in: float, size: tuple[int, int]) -> float:
    """Pixels per millimetre of a panel with square pixels, from its diagonal."""
    return math.hypot(*size) / (diagonal_in * 25.4)


def min_text_px(distance_m: float, pixels_per_mm: float, cap_ratio: float,
                degrees: float = MIN_ARC_DEGREES) -> int:
    """The smallest font size (px) whose capitals reach `degrees` at `distance_m`."""
    if distance_m <= 0 or pixels_per_mm <= 0 or cap_ratio <= 0:
        raise ValueError("distance, pixel density and cap ratio must be positive")
    letter_px = letter_mm(distance_m, degrees) * pixels_per_mm
    return math.ceil(letter_px / cap_ratio - 1e-9)
