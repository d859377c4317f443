"""An announcer's `[devices.announcer]` table: how loud, and when quieter; all optional."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from firmware.site_config.hours import day_ranges, sorted_valid
from firmware.site_config.reader import Reader, fmt_range, integer_field
from firmware.site_model import TimeRange

ANNOUNCER_KEYS = ("volume", "quiet_hours", "quiet_volume")


@dataclass(frozen=True)
class AnnouncerConfig:
    volume: int = 80  # percent
    quiet_hours: tuple[TimeRange, ...] = ()  # calls are said at quiet_volume in these ranges
    quiet_volume: int = 0  # 0: silent in the quiet hours


def read_announcer(r: Reader, value: Any, path: str) -> AnnouncerConfig | None:
    table = r.table(value, path, ANNOUNCER_KEYS)
    if table is None:
        return None
    default = AnnouncerConfig()
    percent = integer_field(0, 100, "a volume in percent")
    volume = r.get(table, path, "volume", percent, default=default.volume)
    quiet = r.get(table, path, "quiet_hours", day_ranges, default=[])
    quiet_volume = r.get(table, path, "quiet_volume", percent, default=default.quiet_volume)
    if volume is None or quiet_volume is None or quiet is None or None in quiet:
        return None
    return AnnouncerConfig(volume, sorted_valid(quiet), quiet_volume)


def announcer_summary(config: AnnouncerConfig) -> dict[str, Any]:
    return {**asdict(config), "quiet_hours": [fmt_range(r) for r in config.quiet_hours]}
