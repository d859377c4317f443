"""The safety team's alarm figures (firmware/core/alarm_stats.py): per month in the site's
time zone, alarms and drills apart, times to acknowledge as the statistics module gives
them."""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.controller.alarm_record import event_id
from firmware.core.alarm import new_alarm_id
from firmware.core.alarm_stats import ALARM_COLUMNS, alarm_months
from firmware.core.events import Event, EventType

HELSINKI = ZoneInfo("Europe/Helsinki")
START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Episode:
    raised_at: datetime
    drill: bool
    escalated: bool
    after_s: float | None  # acknowledged this long after the raise
    cleared: bool


def events_of(episode: Episode, alarm: str) -> list[Event]:
    """The events the controller records for the episode."""
    base = {"alarm": alarm, "room": "1", "drill": episode.drill}
    day = episode.raised_at.astimezone(HELSINKI).date().isoformat()

    def event(kind: EventType, at: datetime, **more: object) -> Event:
        return Event(event_id(alarm, str(kind)), kind, at, day, {**base, **more})

    result = [event(EventType.ALARM_RAISED, episode.raised_at, source="key")]
    if episode.escalated:
        result.append(event(EventType.ALARM_ESCALATED, episode.raised_at
                            + timedelta(seconds=20), relay=True))
    if episode.after_s is not None:
        result.append(event(EventType.ALARM_ACKNOWLEDGED, episode.raised_at
                            + timedelta(seconds=episode.after_s), after_s=episode.after_s))
    if episode.cleared:
        result.append(event(EventType.ALARM_CLEARED, episode.raised_at
                            + timedelta(minutes=30)))
    return result


episodes = st.builds(
    Episode,
    # A year and a bit, to the second: months and year ends in both time zones.
    raised_at=st.integers(0, 400 * 86400).map(lambda s: START + timedelta(seconds=s)),
    drill=st.booleans(), escalated=st.booleans(),
    after_s=st.none() | st.integers(0, 6000).map(lambda tenths: tenths / 10),
    cleared=st.booleans())


def month_of(episode: Episode) -> str:
    return episode.raised_at.astimezone(HELSINKI).strftime("%Y-%m")


@settings(max_examples=200, deadline=None)
@given(st.lists(episodes, max_size=40), st.randoms(use_true_random=False))
def test_every_episode_counts_once_in_its_month_and_kind(
        given_episodes: list[Episode], rng: random.Random) -> None:
    events = [e for episode in given_episodes for e in events_of(episode, new_alarm_id())]
    rng.shuffle(events)  # the central store's order is by site and seq, not by time
    rows = alarm_months(events, HELSINKI)

    assert all(list(row) == ALARM_COLUMNS for row in rows)
    assert sum(r["count"] for r in rows if r["kind"] == "alarm") == sum(
        not e.drill for e in given_episodes)
    assert sum(r["count"] for r in rows if r["kind"] == "drill") == sum(
        e.drill for e in given_episodes)
    months = sorted({month_of(e) for e in given_episodes})
    assert [(r["month"], r["kind"]) for r in rows] == [
        (m, kind) for m in months for kind in ("alarm", "drill")]
    for row in rows:
        mine = [e for e in given_episodes if month_of(e) == row["month"]
                and e.drill == (row["kind"] == "drill")]
        times = [e.after_s for e in mine if e.after_s is not None]
        assert row["count"] == len(mine)
        assert row["escalated"] == sum(e.escalated for e in mine)
        assert row["acknowledged"] == len(times)
        assert row["cleared_unacknowledged"] == sum(e.cleared and e.after_s is None
                                                    for e in mine)
        if not times:
            assert row["ack_median_s"] is row["ack_p90_s"] is row["ack_longest_s"] is None
            continue
        assert row["ack_median_s"] == round(statistics.median(times), 1)
        p90 = times[0] if len(times) == 1 else statistics.quantiles(
            times, n=10, method="inclusive")[8]
        assert row["ack_p90_s"] == round(p90, 1)
        assert row["ack_longest_s"] == max(times)
        assert row["ack_median_s"] <= row["ack_p90_s"] <= row["ack_longest_s"]


def test_a_month_is_the_sites_own_and_the_raise_decides_it() -> None:
    # 23:30 UTC on the last of November is half past one on 1 December in Helsinki; its
    # acknowledgement and clear come later still.
    late = Episode(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), False, True, 42.3, True)
    # Raised on 31 December at 23:59:50 in Helsinki, acknowledged in the new year.
    new_year = Episode(datetime(2026, 12, 31, 23, 59, 50, tzinfo=HELSINKI), False, False,
                       15.0, False)
    drill = Episode(datetime(2026, 12, 3, 10, tzinfo=HELSINKI), True, True, None, True)
    rows = alarm_months([*events_of(late, new_alarm_id()), *events_of(new_year, new_alarm_id()),
                         *events_of(drill, new_alarm_id())], HELSINKI)
    assert rows == [
        {"month": "2026-12", "kind": "alarm", "count": 2, "escalated": 1, "acknowledged": 2,
         "ack_median_s": 28.6, "ack_p90_s": 39.6, "ack_longest_s": 42.3,
         "cleared_unacknowledged": 0},
        {"month": "2026-12", "kind": "drill", "count": 1, "escalated": 1, "acknowledged": 0,
         "ack_median_s": None, "ack_p90_s": None, "ack_longest_s": None,
         "cleared_unacknowledged": 1}]
    assert [r["month"] for r in alarm_months(events_of(late, new_alarm_id()), UTC)] == [
        "2026-11", "2026-11"]


def test_other_events_and_unreadable_alarm_events_are_passed_over() -> None:
    at = datetime(2026, 12, 3, 10, tzinfo=HELSINKI)
    alarm = new_alarm_id()
    events = [
        Event("t", EventType.TICKET_ISSUED, at, "2026-12-03", {"number": "A1", "service": "k"}),
        Event("a", EventType.ALARM_RAISED, at, "2026-12-03", {"room": "1", "drill": False}),
        Event("b", EventType.ALARM_ACKNOWLEDGED, at, "2026-12-03",
              {"alarm": alarm, "room": "1", "drill": False, "after_s": "soon"}),
        Event("c", EventType.ALARM_ACKNOWLEDGED, at, "2026-12-03",
              {"alarm": alarm, "room": "1", "drill": False, "after_s": float("nan")}),
        # Times at the calendar's ends, which no month of Helsinki holds.
        Event("d", EventType.ALARM_RAISED, datetime(1, 1, 1, tzinfo=timezone(timedelta(
            hours=5))), "0001-01-01", {"alarm": alarm, "room": "1", "drill": False}),
        Event("e", EventType.ALARM_ACKNOWLEDGED, datetime(1, 1, 1, tzinfo=UTC), "0001-01-01",
              {"alarm": "1" * 32, "room": "1", "drill": False, "after_s": 30.0}),
    ]
    assert alarm_months(events, HELSINKI) == []
