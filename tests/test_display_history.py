"""The lobby's history of calls (firmware/display/history.py) over any morning: the newest
call first, each number once at its newest call, as many as the setting; from the
controller's `recent` list when it sends one, from what the display has seen when not.
And the ticket's language: the voice says it first, the screen names the room in it."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.display.flow import Say, State
from firmware.display.history import RecentCall, calls_in, each_number_once, langs_of
from mqtt_bridge.messages import Snapshot
from tests.test_display_flow import CONFIG, Lobby, call_id, shown

ROOMS = ("1", "2", "3", "4", "5")


def controller_snapshot(calls: list[tuple[str, str, str]], *, recent: bool = False
                        ) -> dict[str, Any]:
    """The wire's state after `calls` (ticket, room, name), oldest first, as the controller
    makes it: the latest call of each room served, the last call, and (recent=True) its
    last 8 calls newest first, as issue 24's controller sends them."""
    stamp = [f"2026-12-01T10:{n // 60:02d}:{n % 60:02d}+02:00" for n in range(len(calls))]
    rows = [{"ticket": t, "room": r, "call_id": call_id(c), "called_at": stamp[n]}
            for n, (t, r, c) in enumerate(calls)]
    serving = list({row["room"]: row for row in rows}.values())[::-1]
    serving.sort(key=lambda row: row["called_at"], reverse=True)
    wire: dict[str, Any] = {
        "seq": len(calls), "day": "2026-12-01", "services": [], "serving": serving,
        "last_call": ({k: rows[-1][k] for k in ("ticket", "room", "call_id")} | {
            "at": rows[-1]["called_at"]}) if rows else None}
    if recent:
        wire["recent"] = [{"ticket": r["ticket"], "room": r["room"], "call_id": r["call_id"],
                           "at": r["called_at"]} for r in rows[::-1][:8]]
    return wire


def expected(calls: list[tuple[str, str, str]], history: int) -> list[str]:
    """Each number once at its newest call, newest first: the rows a display must show."""
    newest: dict[str, None] = {}
    for ticket, _, _ in reversed(calls):
        newest.setdefault(ticket)
    return list(newest)[:1 + history]


mornings = st.lists(st.tuples(st.sampled_from(["K001", "K002", "T003", "V004", "K005",
                                               "K006", "T007"]),
                              st.sampled_from(ROOMS)), min_size=1, max_size=20)


@settings(max_examples=150, deadline=None)
@given(mornings, st.integers(0, 8))
def test_a_display_that_saw_the_morning_shows_each_number_at_its_newest_call(
        morning: list[tuple[str, str]], history: int) -> None:
    calls = [(t, r, f"call-{n}") for n, (t, r) in enumerate(morning)]
    lobby = Lobby(history=history).ready(controller_snapshot([]))
    for n in range(1, len(calls) + 1):
        lobby.on(State(controller_snapshot(calls[:n])))
    assert [t for t, _ in shown(lobby)] == expected(calls, history)
    assert lobby.view().newest_call_id == call_id(calls[-1][2])
    assert len(lobby.chimes()) == len(calls)  # every call chimed, a recall again


def stand_in(wire: dict[str, Any]) -> Snapshot:
    """The wire's state as messages.Snapshot reads it once it has issue 24's `recent`
    (the field wire24 adds): until then, a Snapshot with the field added here."""
    snapshot = Snapshot.from_wire(wire)
    if "recent" in {f.name for f in dataclasses.fields(Snapshot)}:
        return snapshot
    with_recent = dataclasses.make_dataclass(
        "SnapshotWithRecent", [("recent", tuple, dataclasses.field(default=()))],
        bases=(Snapshot,), frozen=True)
    return with_recent(**{f.name: getattr(snapshot, f.name)
                          for f in dataclasses.fields(Snapshot)},
                       recent=tuple(wire.get("recent", ())))


@settings(max_examples=100, deadline=None)
@given(mornings, st.integers(0, 8))
def test_the_controllers_recent_list_alone_gives_the_same_history(
        morning: list[tuple[str, str]], history: int) -> None:
    calls = [(t, r, f"call-{n}") for n, (t, r) in enumerate(morning)]
    lobby = Lobby(history=history).ready(stand_in(controller_snapshot(calls, recent=True)))
    # Just started: only the controller's last 8 calls to go by, each number once.
    assert [t for t, _ in shown(lobby)] == expected(calls[-8:], history)


def test_recent_reads_each_number_once_and_skips_what_names_no_call() -> None:
    wire = controller_snapshot([("K001", "1", "a"), ("K002", "2", "b"), ("K001", "1", "a2")],
                               recent=True)
    wire["recent"].append({"ticket": "", "room": "1", "call_id": "x"})  # no number
    wire["recent"].append({"ticket": "K009"})  # no room, no call
    calls = calls_in(stand_in(wire))
    assert [c.call_id for c in calls] == [call_id("a2"), call_id("b"), call_id("a")]
    assert [c.ticket for c in each_number_once(calls)] == ["K001", "K002"]


def test_the_tickets_language_names_the_room_and_is_said_first() -> None:
    calls = [("K001", "1", "a"), ("K002", "2", "b")]
    first = controller_snapshot(calls[:1], recent=True)
    then = controller_snapshot(calls, recent=True)
    then["recent"][0]["lang"] = "sv"
    then["recent"][1]["lang"] = "en"
    lobby = Lobby().ready(stand_in(first))
    lobby.on(State(stand_in(then)))
    assert langs_of(stand_in(then)) == {call_id("b"): "sv", call_id("a"): "en"}
    assert lobby.said() == [Say((("Könummer K 2, Rum 2", "sv"),
                                 ("Vuoronumero K 2, Huone 2", "fi"),
                                 ("Queue number K 2, Room 2", "en")), 80)]
    assert shown(lobby) == [("K002", "Rum 2"), ("K001", "Room 1")]
    assert lobby.flow.announced == ["K002 Huone 2"]  # the log's words stay Finnish


def test_a_call_without_a_language_is_finnish_first_as_before() -> None:
    call = RecentCall("K001", "1", "a")
    assert call.lang is None
    lobby = Lobby().ready(controller_snapshot([]))
    lobby.on(State(controller_snapshot([("K001", "1", "a")])))
    assert [lang for _, lang in lobby.said()[0].texts] == ["fi", "sv", "en"]
    assert shown(lobby) == [("K001", CONFIG.room("1").name.fi)]


def test_the_history_setting_is_read_and_checked_at_the_door() -> None:
    from firmware.site_config import parse_site_config
    from tests.test_site_config import problems_of, small_config, to_toml

    data = small_config()
    lobby = data["devices"][0]
    assert parse_site_config(to_toml(data)).device("lobby-1").display.history == 4
    lobby["display"] = {"history": 0}
    assert parse_site_config(to_toml(data)).device("lobby-1").display.history == 0
    lobby["display"] = {"history": 9}
    assert problems_of(data) == {"devices[0].display.history":
                                 "expected a number of calls from 0 to 8, found 9 (an integer)"}
    lobby["display"] = {"history": "4"}
    assert problems_of(data) == {"devices[0].display.history":
                                 'expected a number of calls from 0 to 8 (write it without '
                                 'quotes: 4), found "4" (a text)'}
