"""The service team's statistics pages (filled in by the statistics work)."""

from __future__ import annotations

from starlette.routing import Route


def stats_routes() -> list[Route]:
    return []
