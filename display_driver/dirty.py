"""Redraw only what changed between two plans of the same screen (dirty rectangles).

A lobby display changes a few texts at a time (the clock each minute, one row on a call);
repainting just their areas keeps a Pi's CPU idle. Each changed box or text marks its old
and new area; those areas are filled with the background and every item that touches them
is drawn again, clipped to them, so overlapping items come out exactly as a full draw would.
"""

from __future__ import annotations

import pygame

from display_driver.fonts import font
from display_driver.layout import Box, Plan, TextItem, draw_plan


def _key(item: Box | TextItem) -> tuple:
    if isinstance(item, Box):
        return ("box", tuple(item.rect), item.colour, item.radius, item.width)
    return ("text", item.text, tuple(item.rect), item.size, item.bold, item.fg, item.bg)


def changed_rects(old: Plan | None, new: Plan, size: tuple[int, int]) -> list[pygame.Rect]:
    """The areas that differ; the whole screen when there is no old plan to compare."""
    screen = pygame.Rect((0, 0), size)
    if old is None or old.background != new.background:
        return [screen]
    before = {_key(i): i.rect for i in (*old.boxes, *old.texts)}
    after = {_key(i): i.rect for i in (*new.boxes, *new.texts)}
    areas = [pygame.Rect(r) for k, r in before.items() if k not in after]
    areas += [pygame.Rect(r) for k, r in after.items() if k not in before]
    merged: list[pygame.Rect] = []
    for area in areas:
        area = area.clip(screen)
        for other in [m for m in merged if m.colliderect(area)]:
            area.union_ip(other)
            merged.remove(other)
        merged.append(area)
    return merged


def draw_changes(surface: pygame.Surface, old: Plan | None, new: Plan) -> list[pygame.Rect]:
    """Bring a surface showing `old` to `new`; returns the rectangles repainted."""
    rects = changed_rects(old, new, surface.get_size())
    if rects == [surface.get_rect()]:
        draw_plan(surface, new)
        return rects
    for area in rects:
        surface.set_clip(area)
        surface.fill(new.background, area)
        for box in new.boxes:
            if box.rect.colliderect(area):
                pygame.draw.rect(surface, box.colour, box.rect, box.width,
                                 border_radius=box.radius)
        for item in new.texts:
            if item.rect.colliderect(area):
                image = font(item.size, item.bold).render(item.text, True, item.fg, item.bg)
                surface.blit(image, item.rect,
                             pygame.Rect(0, 0, item.rect.width, item.rect.height))
    surface.set_clip(None)
    return rects
