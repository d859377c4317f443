"""Frames without a window: for tests, README screenshots, reviews and the demo."""

from __future__ import annotations

import os
from pathlib import Path

import pygame


def offscreen_surface(w: int, h: int) -> pygame.Surface:
    """A plain RGB surface of w x h; needs no display, so it works under any SDL driver."""
    return pygame.Surface((w, h))


def save_png(surface: pygame.Surface, path: str | os.PathLike[str]) -> None:
    """Write `surface` as a PNG; the file appears whole or not at all (a viewer may poll it)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp.png")
    pygame.image.save(surface, str(tmp))
    os.replace(tmp, target)
