"""The lobby's history of calls (firmware/display/history.py) over any morning: the newest
call first, each number once at its newest call, as many as the setting; from the
controller's `recent` list when it sends one, from what the display has seen when not.
And the ticket's language: the voice says it first, the screen names the room in it."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.display.flow import Say, State
from firmware.display.history import LobbyCall, calls_in, each_number_once, langs_of
from mqtt_bridge.messages import LastCall, RecentCall, RoomRow, Serving, Snapshot
from tests.test_display_flow import CONFIG, Lobby, call_id, shown

ROOMS = ("1", "2", "3", "4", "5")


def controller_snapshot(calls: list[tuple[str, str, str]], *, recent: bool = False,
                        langs: dict[str, str] | None = None) -> dict[str, Any]:
    """The wire's state after `calls` (ticket, room, name), oldest first, made of the rows
    firmware/controller/snapshot.py makes: the latest call of each room served, the last
    call, every room, and the last 8 calls newest first, each with its time and the ticket's
    language (`langs`, Finnish when not given). recent=False: the state as a controller from
    before issue 24 sent it, with neither `recent` nor languages."""
    made = [RecentCall(ticket, room, call_id(name), f"2026-12-01T10:00:{n:02d}+02:00",
                       (langs or {}).get(ticket, "fi"), "kela")
            for n, (ticket, room, name) in enumerate(calls)]
    served = sorted({call.room: call for call in made}.values(), key=lambda c: c.at,
                    reverse=True)
    lang = (lambda call: call.lang) if recent else (lambda call: None)
    last = made[-1] if made else None
    wire = Snapshot(
        seq=len(calls), day="2026-12-01", at="2026-12-01T11:00:00+02:00",
        serving=tuple(Serving(c.ticket, c.room, c.call_id, c.at, c.service, lang(c))
                      for c in served),
        last_call=LastCall(last.ticket, last.room, last.call_id, last.at, lang(last))
        if last else None,
        recent=tuple(made[::-1][:8]),
        rooms=tuple(RoomRow(room, languages=("fi", "sv", "en")) for room in ROOMS)).to_wire()
    if not recent:
        for field in ("recent", "rooms", "help_wanted", "at"):
            del wire[field]
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


@settings(max_examples=100, deadline=None)
@given(mornings, st.integers(0, 8))
def test_the_controllers_recent_list_alone_gives_the_same_history(
        morning: list[tuple[str, str]], history: int) -> None:
    calls = [(t, r, f"call-{n}") for n, (t, r) in enumerate(morning)]
    lobby = Lobby(history=history).ready(controller_snapshot(calls, recent=True))
    # Just started: only the controller's last 8 calls to go by, each number once.
    assert [t for t, _ in shown(lobby)] == expected(calls[-8:], history)


def test_recent_reads_each_number_once_and_skips_what_names_no_call() -> None:
    wire = controller_snapshot([("K001", "1", "a"), ("K002", "2", "b"), ("K001", "1", "a2")],
                               recent=True)
    # Rows the contract does not allow: no time nor language, no room nor call.
    wire["recent"].append({"ticket": "K003", "room": "1", "call_id": call_id("x")})
    wire["recent"].append({"ticket": "K009"})
    calls = calls_in(Snapshot.from_wire(wire))
    assert [c.call_id for c in calls] == [call_id("a2"), call_id("b"), call_id("a")]
    assert [c.ticket for c in each_number_once(calls)] == ["K001", "K002"]


def test_the_tickets_language_names_the_room_and_is_said_first() -> None:
    calls = [("K001", "1", "a"), ("K002", "2", "b")]
    langs = {"K001": "en", "K002": "sv"}
    then = controller_snapshot(calls, recent=True, langs=langs)
    lobby = Lobby().ready(controller_snapshot(calls[:1], recent=True, langs=langs))
    lobby.on(State(then))
    assert langs_of(Snapshot.from_wire(then)) == {call_id("b"): "sv", call_id("a"): "en"}
    assert lobby.said() == [Say((("Könummer K 2, Rum 2", "sv"),
                                 ("Vuoronumero K 2, Huone 2", "fi"),
                                 ("Queue number K 2, Room 2", "en")), 80)]
    assert shown(lobby) == [("K002", "Rum 2"), ("K001", "Room 1")]
    assert lobby.flow.announced == ["K002 Huone 2"]  # the log's words stay Finnish


def test_a_call_without_a_language_is_finnish_first_as_before() -> None:
    call = LobbyCall("K001", "1", "a")
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
