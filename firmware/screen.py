"""A screen for a role: a real window where SDL has one, always a surface to draw on.

On a Pi without X, SDL_VIDEODRIVER=kmsdrm opens the HDMI screen; in tests and the demo the
dummy driver gives a window nobody sees. A screen can also keep every frame it shows as a
PNG (the demo's record of what the kiosk and display showed).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pygame

log = logging.getLogger(__name__)


class Screen:
    def __init__(
        self,
        title: str,
        size: tuple[int, int],
        *,
        fullscreen: bool = False,
        frames_dir: Path | None = None,
        frame_interval_s: float = 1.0,
    ) -> None:
        if not pygame.get_init():
            pygame.init()
        self.title = title
        self.frames_dir = frames_dir
        self.frame_count = 0
        # Writing a 1080p PNG takes tens of milliseconds: keep at most one a second, so
        # recording never slows the loop that answers touches and commands.
        self.frame_interval_s = frame_interval_s
        self._last_saved = -frame_interval_s
        self._unsaved = False
        self.problem = ""
        self.window: pygame.Window | None = None
        try:
            self.window = pygame.Window(title, size, fullscreen=fullscreen)
            self.surface = self.window.get_surface()
            if fullscreen:
                # Lockdown basics: no cursor over the kiosk or the display.
                pygame.mouse.set_visible(False)
        except pygame.error as exc:
            # No screen: the role still runs (and the demo still records its frames).
            self.problem = f"no screen could be opened ({exc}); drawing off-screen only"
            log.warning("%s: %s", title, self.problem)
            self.surface = pygame.Surface(size)
        if frames_dir is not None:
            frames_dir.mkdir(parents=True, exist_ok=True)

    @property
    def size(self) -> tuple[int, int]:
        return self.surface.get_size()

    @property
    def window_id(self) -> int | None:
        return self.window.id if self.window is not None else None

    def owns(self, event: pygame.event.Event) -> bool:
        """Whether a touch or mouse event happened on this screen."""
        window = getattr(event, "window", None)
        return window is None or self.window is None or window == self.window

    def present(self) -> None:
        if self.window is not None:
            self.window.flip()
        if self.frames_dir is not None:
            self._unsaved = True
            if time.monotonic() - self._last_saved >= self.frame_interval_s:
                self.save_frame()

    def save_frame(self) -> None:
        assert self.frames_dir is not None
        self.frame_count += 1
        path = self.frames_dir / f"{self.title}-{self.frame_count:04d}.png"
        tmp = path.with_suffix(".tmp.png")
        pygame.image.save(self.surface, str(tmp))
        os.replace(tmp, path)
        self._last_saved = time.monotonic()
        self._unsaved = False

    def close(self) -> None:
        if self.frames_dir is not None and self._unsaved:
            self.save_frame()  # the last picture shown is always kept
        if self.window is not None:
            self.window.destroy()
            self.window = None


def touch_position(event: pygame.event.Event, size: tuple[int, int]) -> tuple[int, int] | None:
    """Where a finger or mouse button was released, in pixels; None for other events.

    Actions fire on release (WCAG 2.5.2): a customer can slide away from a wrong button.
    """
    if event.type == pygame.MOUSEBUTTONUP and getattr(event, "button", 1) == 1:
        if getattr(event, "touch", False):
            return None  # SDL repeats each touch as a mouse event; FINGERUP handles it
        return tuple(event.pos)  # type: ignore[return-value]
    if event.type == pygame.FINGERUP:
        return int(event.x * size[0]), int(event.y * size[1])
    return None
