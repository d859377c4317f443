"""Debouncing, sensor health and the combined room state: pure, on a jumping clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from firmware.core.occupancy import (
    Debouncer,
    OccupancyState,
    RoomOccupancy,
    SensorStatus,
    SideMonitor,
    combine,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# A raw signal: (seconds it lasts, level), one after another.
signals = st.lists(st.tuples(st.floats(0.01, 20.0), st.booleans()), min_size=1, max_size=40)


def run(debouncer: Debouncer, signal: list[tuple[float, bool]], step: float = 0.05
        ) -> list[tuple[float, bool | None]]:
    """Feed the signal, asking for the value often; the (time, value) history."""
    history: list[tuple[float, bool | None]] = []
    t = 0.0
    for duration, level in signal:
        debouncer.observe(level, at(t))
        end = t + duration
        while t < end:
            debouncer.settle(at(t))
            history.append((t, debouncer.value))
            t = min(end, t + step)
    return history


@given(signals, st.floats(0.0, 5.0), st.floats(0.0, 5.0))
def test_a_value_is_confirmed_only_after_it_lasted_its_hold(
        signal: list[tuple[float, bool]], on_s: float, off_s: float) -> None:
    debouncer = Debouncer(on_s, off_s)
    # Where each raw level began, to check that every confirmed change had lasted.
    starts, t = [], 0.0
    for duration, level in signal:
        starts.append((t, t + duration, level))
        t += duration
    previous = None
    for moment, value in run(debouncer, signal):
        if value != previous and value is not None:
            hold = on_s if value else off_s
            # the raw level at `moment` began at least `hold` ago and did not change since
            begin = moment
            for s, _end, level in reversed(starts):
                if s <= moment and level == value:
                    begin = s
                elif s <= moment:
                    break
            assert moment - begin >= hold - 1e-6
        previous = value


@given(signals, st.floats(0.0, 5.0), st.floats(0.0, 5.0))
def test_a_level_held_long_enough_is_always_reached(signal: list[tuple[float, bool]],
                                                    on_s: float, off_s: float) -> None:
    debouncer = Debouncer(on_s, off_s)
    final = signal[-1][1]
    run(debouncer, [*signal, (max(on_s, off_s) + 0.1, final)])
    assert debouncer.value is final


@given(st.lists(st.floats(0.01, 1.9), min_size=1, max_size=50))
def test_flicker_shorter_than_the_hold_never_shows(blips: list[float]) -> None:
    debouncer = Debouncer(on_s=2.0, off_s=2.0)
    debouncer.observe(False, at(0))
    debouncer.settle(at(5))
    t = 5.0
    for blip in blips:
        debouncer.observe(True, at(t))
        debouncer.settle(at(t + blip - 0.001))
        t += blip
        debouncer.observe(False, at(t))
        t += 0.5
        debouncer.settle(at(t))
        assert debouncer.value is False


def test_since_is_the_edge_not_the_confirmation() -> None:
    debouncer = Debouncer(on_s=2.0, off_s=30.0)
    debouncer.observe(True, at(10))
    assert not debouncer.settle(at(11))
    assert debouncer.settle(at(12.5))
    assert debouncer.value is True and debouncer.since == at(10)


def test_combine_four_states_and_unknown() -> None:
    assert combine(False, False) is OccupancyState.VACANT
    assert combine(True, False) is OccupancyState.STAFF_ONLY
    assert combine(False, True) is OccupancyState.CUSTOMER_ONLY
    assert combine(True, True) is OccupancyState.IN_SESSION
    assert combine(None, False) is OccupancyState.UNKNOWN
    assert combine(True, None) is OccupancyState.UNKNOWN


def room(silence_s: float | None = 5.0) -> RoomOccupancy:
    return RoomOccupancy(
        staff=SideMonitor("pir", Debouncer(1.0, 10.0), at(0), silence_s=None, stuck_s=3600),
        customer=SideMonitor("ld2410", Debouncer(1.0, 10.0), at(0), silence_s=silence_s,
                             stuck_s=3600),
    )


def test_room_goes_from_unknown_to_vacant_to_session_with_true_times() -> None:
    r = room()
    occupancy, _ = r.update(at(0))
    assert occupancy is not None and occupancy.state is OccupancyState.UNKNOWN
    r.staff.reading(False, at(0))
    r.customer.reading(False, at(0))
    for t in range(1, 6):
        r.customer.reading(False, at(t))  # a radar reports all the time
    assert r.update(at(5))[0] is None  # absence has not lasted 10 s yet
    for t in range(6, 11):
        r.customer.reading(False, at(t))
    occupancy, _ = r.update(at(10))
    assert occupancy is not None and occupancy.state is OccupancyState.VACANT
    r.staff.reading(True, at(20))
    r.customer.reading(True, at(30))
    r.update(at(21))
    r.customer.reading(True, at(30.5))
    occupancy, _ = r.update(at(31))
    assert occupancy is not None and occupancy.state is OccupancyState.IN_SESSION
    assert occupancy.since == at(30)
    assert occupancy.to_wire()["state"] == "in_session"


def test_a_silent_radar_makes_the_room_unknown_not_vacant_and_recovers() -> None:
    r = room()
    r.staff.reading(False, at(0))
    r.customer.reading(False, at(0))
    for t in range(1, 12):
        r.customer.reading(False, at(t))
    occupancy, _ = r.update(at(11))
    assert occupancy is not None and occupancy.state is OccupancyState.VACANT
    occupancy, changes = r.update(at(17))  # last frame at 11 s, silence after 5 s
    assert occupancy is not None and occupancy.state is OccupancyState.UNKNOWN
    assert occupancy.customer is None
    assert [(c.side, c.status) for c in changes] == [("customer", SensorStatus.SILENT)]
    r.customer.reading(False, at(18))
    occupancy, changes = r.update(at(18))
    # back, but what it says must last again before it is believed
    assert occupancy is None and changes[0].status is SensorStatus.STARTING
    for t in range(19, 29):
        r.customer.reading(False, at(t))
    occupancy, changes = r.update(at(28))
    assert occupancy is not None and occupancy.state is OccupancyState.VACANT
    assert [(c.side, c.status) for c in changes] == [("customer", SensorStatus.OK)]


def test_a_stuck_sensor_makes_the_room_unknown() -> None:
    r = room(silence_s=None)
    r.staff.reading(True, at(0))
    r.customer.reading(False, at(0))
    occupancy, _ = r.update(at(60))
    assert occupancy is not None and occupancy.state is OccupancyState.STAFF_ONLY
    occupancy, changes = r.update(at(3601))
    assert occupancy is not None and occupancy.state is OccupancyState.UNKNOWN
    assert changes[0].status is SensorStatus.STUCK


def test_a_failed_adapter_is_unknown_until_it_reads_again() -> None:
    r = room()
    r.staff.reading(False, at(0))
    r.customer.reading(False, at(0))
    r.customer.failed("serial port /dev/ttyAMA0: device disconnected")
    occupancy, changes = r.update(at(1))
    assert occupancy is not None and occupancy.state is OccupancyState.UNKNOWN
    assert changes[-1].status is SensorStatus.FAILED


def test_due_says_when_to_look_again() -> None:
    r = room()
    r.staff.reading(True, at(0))
    r.customer.reading(False, at(0))
    assert r.due(at(0)) == at(1)
    r.update(at(1))
    assert r.due(at(1)) == at(5.001)  # the radar's silence limit
