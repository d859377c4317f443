"""Showing a config: the few lines `check-config` prints and the effective config as JSON."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from firmware.core.plural import counted
from firmware.roles import declared
from firmware.site_config.printer import PRINTER_COMMON, PRINTER_FIELDS
from firmware.site_config.reader import PASSWORD_MASK, fmt_range, fmt_ranges
from firmware.site_model import (
    WEEKDAYS,
    AlarmConfig,
    Device,
    DisplayConfig,
    Service,
    SiteConfig,
    WeeklyHours,
)

# --- showing a config ----------------------------------------------------------------------


def _week_dict(hours: WeeklyHours) -> dict[str, list[str]]:
    return {day: [fmt_range(r) for r in hours.on(i)]
            for i, day in enumerate(WEEKDAYS) if hours.on(i)}


def _week_text(hours: WeeklyHours) -> str:
    """Compact weekly hours: consecutive days with equal hours run together ("mon-thu")."""
    groups: list[tuple[int, int, str]] = []
    for i in range(len(WEEKDAYS)):
        text = fmt_ranges(hours.on(i))
        if not text:
            continue
        if groups and groups[-1][1] == i - 1 and groups[-1][2] == text:
            groups[-1] = (groups[-1][0], i, text)
        else:
            groups.append((i, i, text))
    parts = [f"{WEEKDAYS[a]}{'-' + WEEKDAYS[b] if b != a else ''} {t}" for a, b, t in groups]
    return "; ".join(parts) or "closed"


def summarize(config: SiteConfig) -> str:
    """A few lines a technician can read to see that the file says what they meant."""
    site = config.site
    lines = [
        f"site {site.id}: {site.name.fi} / {site.name.sv} / {site.name.en}",
        f"  timezone {site.timezone}; open {_week_text(site.opening_hours)}"
        + ("; anonymous numbering (no prefixes on tickets)" if site.anonymous_numbering else ""),
        f"{counted(len(config.services), 'service', 'services')}:",
        *(f"  {s.prefix} {s.id:<14} {s.name.fi}: {_week_text(s.hours)}" for s in config.services),
        f"{counted(len(config.rooms), 'room', 'rooms')}:",
        *(f"  {r.id:<6} {', '.join(r.services) or '(no services)'}" for r in config.rooms),
        f"{counted(len(config.devices), 'device', 'devices')}:",
        *(f"  {d.id:<14} {', '.join(d.roles)}" + (f" (room {d.room})" if d.room else "")
          for d in config.devices),
        f"broker {config.broker.host}:{config.broker.port}",
    ]
    survey = config.survey
    if survey.start and survey.end:
        lines.append(f"customer survey {survey.start} to {survey.end}"
                     + (", also on the kiosks" if survey.kiosk else ""))
    phone = config.phone
    if phone.enabled:
        lines.append(f"follow-on-phone QR codes open {phone.base_url}..."
                     + (f"; public pages on port {phone.public_port}" if phone.public_port
                        else ""))
    alarm = config.alarm
    if alarm != AlarmConfig():
        lines.append(f"silent alarm: key held {alarm.hold_s:g} s; escalates after "
                     f"{alarm.escalate_after_s:g} s"
                     + ("; drills switch the relay" if alarm.drill_switches_relay else "")
                     + ("; bridged to the central broker" if alarm.to_central else ""))
    return "\n".join(lines)


def to_json_dict(config: SiteConfig) -> dict[str, Any]:
    """The effective config as JSON-ready data (defaults filled in); the password masked."""
    site = config.site
    broker = dataclasses.asdict(config.broker)
    broker["password"] = PASSWORD_MASK if config.broker.password else ""
    return {
        "source": config.source,
        "config_version": config.config_version,
        "site": {"id": site.id, "name": site.name.as_dict(), "timezone": site.timezone,
                 "anonymous_numbering": site.anonymous_numbering,
                 "home_assistant_discovery": site.home_assistant_discovery,
                 "opening_hours": _week_dict(site.opening_hours)},
        "broker": broker,
        "queue": dataclasses.asdict(config.rules),
        "services": [_service_dict(s) for s in config.services],
        "rooms": [{"id": r.id, "name": r.name.as_dict(), "services": list(r.services),
                   "languages": list(r.languages)} for r in config.rooms],
        "devices": [_device_dict(d) for d in config.devices],
        "survey": {"start": _iso(config.survey.start), "end": _iso(config.survey.end),
                   "kiosk": config.survey.kiosk, "texts": config.survey.texts},
        "phone": dataclasses.asdict(config.phone),
        "alarm": dataclasses.asdict(config.alarm),
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _service_dict(s: Service) -> dict[str, Any]:
    return {
        "id": s.id, "prefix": s.prefix, "name": s.name.as_dict(),
        "mean_service_minutes": s.mean_service_minutes,
        "note": s.note.as_dict() if s.note else None,
        "hours": _week_dict(s.hours),
        "exceptions": [{"date": e.day.isoformat(), "hours": [fmt_range(r) for r in e.ranges],
                        "reason": e.reason} for e in s.exceptions],
    }


def _device_dict(d: Device) -> dict[str, Any]:
    needs, may = PRINTER_FIELDS.get(d.printer.kind, ((), ()))
    # Only the printer fields its kind uses: the rest are defaults that mean nothing here.
    printer = {k: getattr(d.printer, k) for k in (*PRINTER_COMMON, *needs, *may)}
    return {"id": d.id, "roles": list(d.roles), "room": d.room,
            "screen": dataclasses.asdict(d.screen), "printer": printer, "chime": d.chime,
            "kiosk": {**dataclasses.asdict(d.kiosk),
                      "technician_pin_hash": PASSWORD_MASK if d.kiosk.technician_pin_hash
                      else ""},
            **({"room_unit": dataclasses.asdict(d.room_unit)} if "room" in d.roles else {}),
            **({"feedback": dataclasses.asdict(d.feedback)} if "feedback" in d.roles else {}),
            **({"web": dataclasses.asdict(d.web)} if "web" in d.roles else {}),
            **({"display": _display_dict(d.display)}
               if {"display", "room"} & set(d.roles) else {}),
            **_declared_tables(d)}


def _declared_tables(d: Device) -> dict[str, Any]:
    """The tables of roles that keep them in `Device.more` (the announcer's), for a device
    with a role that reads them, as plain data in the form each table's declaration gives."""
    roles = declared()
    tables = {t.key: t for t in roles.tables}
    return {key: (tables[key].summary or dataclasses.asdict)(value) for key, value in d.more
            if set(roles.users(tables[key])) & set(d.roles)}


def _display_dict(display: DisplayConfig) -> dict[str, Any]:
    data = dataclasses.asdict(display)
    data["quiet_hours"] = [fmt_range(r) for r in display.quiet_hours]
    data["slides"] = [{"title": s.title.as_dict(), "text": s.text.as_dict(),
                       "start": s.start.isoformat() if s.start else None,
                       "end": s.end.isoformat() if s.end else None} for s in display.slides]
    return data
