"""Congestion alerts rise past the threshold, clear below a lower line, and never flap."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from firmware.core.congestion import CongestionMonitor
from firmware.site_model import QueueRules

RULES = QueueRules(congestion_waiting=10, congestion_eta_minutes=60, congestion_clear_ratio=0.7)


def row(waiting: int, eta: int | None = 0) -> list[dict]:
    return [{"id": "kela", "waiting": waiting, "eta_minutes": eta}]


def test_raise_then_clear_with_hysteresis() -> None:
    monitor = CongestionMonitor(RULES)
    assert monitor.update(row(9)) == []
    [raised] = monitor.update(row(10))
    assert raised.raised and raised.waiting == 10
    assert monitor.update(row(9)) == []  # hovering just under the line: no clearing
    assert monitor.update(row(8)) == []
    [cleared] = monitor.update(row(6))
    assert not cleared.raised
    assert monitor.update(row(9, eta=61))[0].raised  # a long estimate alone raises it too


def test_messages_come_in_three_languages() -> None:
    from tests.site_factory import small_site

    [change] = CongestionMonitor(RULES).update(row(12, 75))
    payload = change.payload(small_site(), "id-1", datetime.now())
    assert set(payload["message"]) == {"fi", "sv", "en"}
    assert "12" in payload["message"]["sv"] and "FPA" in payload["message"]["sv"]


@given(st.lists(st.integers(0, 30), max_size=60))
def test_alerts_alternate_and_never_repeat(waiting_counts: list[int]) -> None:
    monitor = CongestionMonitor(RULES)
    states = [c.raised for w in waiting_counts for c in monitor.update(row(w))]
    assert all(a != b for a, b in pairwise(states))
    assert not states or states[0] is True
