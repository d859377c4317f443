"""The bundled DejaVu Sans faces, opened once per size.

The fonts ship inside the package (they have ä ö å and every glyph fi/sv/en need), so a
screen never depends on what a Pi image happens to have installed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pygame

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"


def font(size_px: int, bold: bool = False) -> pygame.font.Font:
    """DejaVu Sans (or Bold) at `size_px` pixels; the same object for the same arguments."""
    if not pygame.font.get_init():
        # Fonts from an earlier pygame.font session are dead after pygame.quit(): forget them.
        _cached.cache_clear()
        pygame.font.init()
    return _cached(max(1, int(size_px)), bool(bold))


@lru_cache(maxsize=128)  # layouts try a few sizes per text while fitting; bounded anyway
def _cached(size_px: int, bold: bool) -> pygame.font.Font:
    return pygame.font.Font(BOLD if bold else REGULAR, size_px)
