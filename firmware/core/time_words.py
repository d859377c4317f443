"""The time of day as every screen writes it. Pure."""

from __future__ import annotations

from datetime import datetime


def clock_text(moment: datetime) -> str:
    return f"{moment.hour}.{moment.minute:02d}"  # 9.05: the Finnish (and Finland-Swedish) way
