"""Times on the wire: sent with seconds (RFC 3339, as the contract says), read with or without
them, since a controller of an older version sent `next_open` and `appointment_at` to the
minute (`2026-12-03T09:00+02:00`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from firmware.display.lobby_screen import _parse_time
from firmware.kiosk.wire import clock_text, moment
from tests.wire_contract import check

# Whole minutes in the offsets Finland and its neighbours use, and UTC.
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=3)),
                         timezone(timedelta(hours=-5))])
MINUTES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                       timezones=ZONES).map(lambda d: d.replace(second=0, microsecond=0))


@given(MINUTES)
def test_a_time_reads_the_same_with_or_without_seconds(at: datetime) -> None:
    old, new = at.isoformat(timespec="minutes"), at.isoformat(timespec="seconds")
    assert moment(old) == moment(new) == at
    assert _parse_time(old) == _parse_time(new) == at
    assert clock_text(old) == clock_text(new) == f"{at.hour}.{at.minute:02d}"


@given(st.text(max_size=40) | st.integers() | st.none() | st.floats())
def test_anything_else_reads_as_no_time(value: object) -> None:
    parsed = moment(value)
    assert parsed is None or isinstance(parsed, datetime)
    assert _parse_time(value) == parsed
    if isinstance(value, str):
        clock_text(value)  # never raises


@given(MINUTES)
def test_only_the_time_with_seconds_is_what_the_contract_sends(at: datetime) -> None:
    state = {"seq": 1, "day": at.date().isoformat(), "services": [
        {"id": "kela", "waiting": 0, "eta_minutes": None, "open": False,
         "next_open": at.isoformat(timespec="seconds")}], "serving": [], "last_call": None}
    assert check("piste/v1/s1/queue/state", json.dumps(state).encode()).ok
    state["services"][0]["next_open"] = at.isoformat(timespec="minutes")
    assert not check("piste/v1/s1/queue/state", json.dumps(state).encode()).ok
