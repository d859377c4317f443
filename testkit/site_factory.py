"""A small site built in code, with hours the core tests can reason about."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from firmware.site_model import (
    BrokerConfig,
    DateException,
    Device,
    Localized,
    Room,
    Service,
    Site,
    SiteConfig,
    TimeRange,
    WeeklyHours,
)

TZ = ZoneInfo("Europe/Helsinki")
# A Monday in the test week; 2026-11-30 is a Monday.
MONDAY = date(2026, 11, 30)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=TZ)


def weekly(*per_day: tuple[str, ...]) -> WeeklyHours:
    def rng(text: str) -> TimeRange:
        a, b = text.split("-")
        return TimeRange(time.fromisoformat(a), time.fromisoformat(b))

    days = [tuple(rng(t) for t in d) for d in per_day]
    days += [()] * (7 - len(days))
    return WeeklyHours(tuple(days))


WEEKDAYS_8_16 = weekly(*[("08:00-16:15",)] * 5)


def small_site(anonymous: bool = False) -> SiteConfig:
    site = Site(
        id="test-site",
        name=Localized("Suomi-piste Testilä", "Finlandsdisken Testby", "Suomi-piste Testville"),
        timezone="Europe/Helsinki",
        opening_hours=WEEKDAYS_8_16,
        anonymous_numbering=anonymous,
    )
    kela = Service(
        "kela", "K", Localized("Kela", "FPA", "Kela"), weekly(*[("08:00-16:00",)] * 5),
        exceptions=(DateException(date(2026, 12, 24), (), "Jouluaatto"),),
        mean_service_minutes=12,
    )
    vero = Service(
        "vero", "V", Localized("Verohallinto", "Skatteförvaltningen", "Tax Administration"),
        weekly(("09:00-15:00",), (), ("09:00-15:00",), (), ("09:00-12:00",)),
        mean_service_minutes=8,
    )
    migri = Service(
        "migri", "M",
        Localized("Maahanmuuttovirasto", "Migrationsverket", "Finnish Immigration Service"),
        weekly((), ("10:00-14:00",), (), ("10:00-14:00",)),
        mean_service_minutes=20,
    )
    rooms = (
        Room("1", Localized("Huone 1", "Rum 1", "Room 1"), ("kela",)),
        Room("2", Localized("Huone 2", "Rum 2", "Room 2"), ("kela", "vero")),
        Room("3", Localized("Huone 3", "Rum 3", "Room 3"), ("migri",)),
    )
    devices = (
        Device("lobby-1", ("controller", "kiosk", "display")),
        Device("room-1", ("room",), room="1"),
    )
    return SiteConfig(site, BrokerConfig(), (kela, vero, migri), rooms, devices, "factory")
