"""The lobby display's behaviour on its pure flow (firmware/display/flow.py), and the
announcer's on its own (firmware/announcer/flow.py), in milliseconds: the controller's
state, its status and the link in; chimes, words, redraws and timers out; and the view the
screen would show.

What a waiting customer notices: every new call chimes once (a recall again; the first
state and a state received again after a reconnect never), the words come in fi, sv and en,
the newest call blinks briefly and then stays steady, quiet hours are quiet, the slides turn
one language at a time, and a lost controller is said calmly with the data's age. The
timers are kept by the test's own clock (`Lobby.advance`), which fires them in order.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import subprocess
import sys
import uuid
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.announcer import flow as af
from firmware.announcer.config import AnnouncerConfig
from firmware.announcer.flow import AnnouncerFlow
from firmware.core.calls import CallFollower, announcement
from firmware.display import flow as df
from firmware.display.flow import (
    BLINK_FOR_S,
    Chime,
    ControllerStatus,
    DisplayFlow,
    LinkDown,
    LinkUp,
    Now,
    Say,
    Started,
    StartTimer,
    State,
    Timer,
    read_state,
    read_status,
)
from firmware.display.lobby_screen import LobbyView
from firmware.site_config import load_site_config
from firmware.site_model import SiteConfig, TimeRange
from mqtt_bridge.messages import RecentCall, Snapshot
from tests.helpers import DEMO_SITE

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
CONFIG: SiteConfig = load_site_config(DEMO_SITE)
LOBBY = next(d for d in CONFIG.devices if d.id == "waiting-1").display  # the demo's display
QUIET = (TimeRange(time(9, 0), time(12, 0)),)  # TUESDAY_10 is in it
K002_SAID = (("Vuoronumero K 2, Huone 2", "fi"), ("Könummer K 2, Rum 2", "sv"),
             ("Queue number K 2, Room 2", "en"))


def call_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"piste-test-call:{name}"))


def snapshot(*calls: tuple[str, str, str], day: str = "2026-12-01") -> dict[str, Any]:
    """The controller's retained state as the contract has it, in the shape a controller from
    before issue 24 sends (no `recent`, no `lang`: displays still read it, and it is the
    display's own history that shows then); each call's id is a UUID made from its short
    name, so the same name is the same call. Newest call first."""
    serving = [{"ticket": t, "room": r, "service": "kela", "call_id": call_id(c),
                "called_at": "2026-12-01T10:00:00+02:00"} for t, r, c in calls]
    last = ({"ticket": serving[0]["ticket"], "room": serving[0]["room"],
             "call_id": serving[0]["call_id"], "at": serving[0]["called_at"]}
            if serving else None)
    return {"seq": len(calls), "day": day, "services": [
        {"id": "kela", "waiting": 2, "eta_minutes": 12, "eta_range": [8, 16], "open": True,
         "next_open": None}], "serving": serving, "last_call": last}


class Lobby:
    """One display's flow, its two clocks and the timers it asked for."""

    def __init__(self, **display: Any) -> None:
        self.flow = DisplayFlow(CONFIG, dataclasses.replace(LOBBY, **display))
        self.wall, self.mono = TUESDAY_10, 1000.0
        self.timers: dict[Timer, float] = {}
        self.effects: list[df.Effect] = []

    def now(self) -> Now:
        return Now(self.wall, self.mono)

    def on(self, event: df.Event) -> list[df.Effect]:
        effects = self.flow.on(event, self.now())
        for effect in effects:
            if isinstance(effect, StartTimer):
                self.timers[effect.name] = self.mono + effect.delay_s
        self.effects += effects
        return effects

    def advance(self, seconds: float, watch: Any = None) -> None:
        """Let `seconds` pass, firing every timer due on the way; `watch(self)` after each."""
        end = self.mono + seconds
        while self.timers and min(self.timers.values()) <= end:
            name, due = min(self.timers.items(), key=lambda item: item[1])
            del self.timers[name]
            self._move_to(due)
            self.on(df.TimerDue(name))
            if watch is not None:
                watch(self)
        self._move_to(end)

    def _move_to(self, mono: float) -> None:
        self.wall += timedelta(seconds=mono - self.mono)
        self.mono = mono

    def view(self) -> LobbyView:
        return self.flow.current_view(self.now())

    def chimes(self) -> list[Chime]:
        return [e for e in self.effects if isinstance(e, Chime)]

    def said(self) -> list[Say]:
        return [e for e in self.effects if isinstance(e, Say)]

    def ready(self, first: dict[str, Any] | None = None) -> Lobby:
        """Started, connected, and the first (retained) state received."""
        self.on(Started())
        self.on(LinkUp())
        self.on(ControllerStatus({"state": "online"}))
        self.on(State(first if first is not None else snapshot()))
        return self


def test_the_flow_imports_no_hardware_or_network_library() -> None:
    code = ("import sys, firmware.display.flow, firmware.announcer.flow; print(sorted(m for m "
            "in ('pygame', 'gpiozero', 'paho', 'espeakng') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_a_new_call_chimes_once_a_recall_again_and_the_first_state_never() -> None:
    lobby = Lobby().ready(snapshot(("K001", "1", "a")))
    assert lobby.chimes() == []  # already on every screen before we started
    assert lobby.view().serving[0].ticket == "K001"  # shown all the same
    lobby.on(State(snapshot(("K002", "2", "b"), ("K001", "1", "a"))))
    assert lobby.chimes() == [Chime(call_id("b"), 80)]
    assert lobby.flow.announced == ["K002 Huone 2"]
    view = lobby.view()
    assert (view.serving[0].ticket, view.serving[0].room_name) == ("K002", "Huone 2")
    assert view.newest_call_id == call_id("b")  # the sound has its text on screen, on top
    lobby.on(State(snapshot(("K002", "2", "b"), ("K001", "1", "a"))))  # the same, again
    assert len(lobby.chimes()) == 1
    # A recall: the same ticket, a new call id: it chimes again.
    lobby.on(State(snapshot(("K002", "2", "b2"), ("K001", "1", "a"))))
    assert lobby.chimes()[-1] == Chime(call_id("b2"), 80)
    assert lobby.flow.announced == ["K002 Huone 2", "K002 Huone 2"]


def test_a_reconnect_brings_the_retained_state_again_and_no_chime() -> None:
    lobby = Lobby().ready(snapshot(("K001", "1", "a")))
    lobby.on(State(snapshot(("K002", "2", "b"), ("K001", "1", "a"))))
    lobby.on(LinkDown())
    lobby.advance(3)
    lobby.on(LinkUp())
    lobby.on(State(snapshot(("K002", "2", "b"), ("K001", "1", "a"))))  # retained, again
    assert [c.call_id for c in lobby.chimes()] == [call_id("b")]


def test_each_call_is_said_after_its_chime_in_finnish_swedish_and_english() -> None:
    lobby = Lobby().ready()
    effects = lobby.on(State(snapshot(("K002", "2", "b"))))
    sounds = [e for e in effects if isinstance(e, Chime | Say)]
    assert sounds == [Chime(call_id("b"), 80), Say(K002_SAID, 80)]


def test_announcement_texts() -> None:
    names = {"fi": "Huone 5", "sv": "Rum 5", "en": "Room 5"}
    assert announcement("K042", names) == [
        ("Vuoronumero K 42, Huone 5", "fi"),
        ("Könummer K 42, Rum 5", "sv"),
        ("Queue number K 42, Room 5", "en"),
    ]
    assert announcement("017", names)[0][0] == "Vuoronumero 17, Huone 5"


def test_a_call_is_said_in_the_tickets_language_first_then_the_other_two() -> None:
    names = {"fi": "Huone 5", "sv": "Rum 5", "en": "Room 5"}
    fi, sv, en = announcement("K042", names)
    assert announcement("K042", names, "fi") == [fi, sv, en]
    assert announcement("K042", names, "sv") == [sv, fi, en]
    assert announcement("K042", names, "en") == [en, fi, sv]
    assert announcement("K042", names, "de") == [fi, sv, en]  # not ours to speak: fi first


def test_the_follower_says_each_call_in_its_tickets_language_first() -> None:
    follower = CallFollower(CONFIG)
    follower.follow([(call_id("a"), "K001", "1")])  # the first state: already announced
    calls = [(call_id("b"), "K002", "2"), (call_id("c"), "T003", "3"),
             (call_id("d"), "K004", "1")]
    said = follower.follow(calls, {call_id("b"): "sv", call_id("c"): "en"})
    assert [[lang for _, lang in a.texts] for a in said] == [
        ["sv", "fi", "en"], ["en", "fi", "sv"], ["fi", "sv", "en"]]  # d: a language unknown
    assert said[0].texts[0] == ("Könummer K 2, Rum 2", "sv")


def test_a_call_the_screen_cannot_show_makes_no_sound() -> None:
    lobby = Lobby().ready()
    lobby.on(State(snapshot(("K009", "no-such-room", "x"))))
    assert lobby.chimes() == [] and lobby.flow.announced == []
    assert lobby.view().serving == ()  # a number with no room cannot guide anyone


def test_the_newest_call_blinks_at_most_three_times_a_second_and_stops() -> None:
    lobby = Lobby().ready()
    assert lobby.view().blink_on  # nothing blinks before a call
    lobby.on(State(snapshot(("K003", "3", "c"))))
    phases = [(lobby.mono, lobby.view().blink_on)]

    def look(lobby: Lobby) -> None:  # after every timer: what the screen shows
        shown = lobby.view().blink_on
        if phases[-1][1] != shown:
            phases.append((lobby.mono, shown))

    lobby.advance(BLINK_FOR_S + 1.5, look)
    changes = len(phases) - 1
    assert changes >= 4  # it did blink
    assert changes / 2 <= 3 * (BLINK_FOR_S + 1.5)  # never faster than 3 Hz
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(phases)]
    assert min(gaps) >= 1 / 6 - 0.05  # each phase lasts at least 1/6 s
    assert phases[-1][1] is True  # it ends steady, on the accent
    assert phases[-1][0] <= phases[0][0] + BLINK_FOR_S
    assert Timer.BLINK not in lobby.timers  # and asks for no more blink phases


def test_an_idle_screen_shows_the_same_view_within_the_minute() -> None:
    lobby = Lobby().ready(snapshot(("K001", "1", "a")))
    lobby.on(State(snapshot(("K002", "2", "b"), ("K001", "1", "a"))))
    lobby.advance(BLINK_FOR_S + 0.5)
    before = lobby.view()
    lobby.advance(2.5)  # the clock ticks twice: nothing visible changes within the minute
    assert lobby.view() == before
    lobby.advance(60)
    assert lobby.view().now.minute == before.now.minute + 1  # the minute on screen turns


def test_quiet_hours_are_silent_but_the_call_is_shown_and_blinks() -> None:
    lobby = Lobby(quiet_hours=QUIET, quiet_volume=0).ready()
    lobby.on(State(snapshot(("K002", "2", "b"))))
    assert lobby.chimes() == [] and lobby.said() == []
    assert lobby.flow.announced == ["K002 Huone 2"]
    assert lobby.view().serving[0].ticket == "K002"
    assert Timer.BLINK in lobby.timers


def test_quiet_hours_with_a_quiet_volume_chime_and_speak_softly() -> None:
    lobby = Lobby(quiet_hours=QUIET, quiet_volume=20).ready()
    lobby.on(State(snapshot(("K002", "2", "b"))))
    assert lobby.chimes() == [Chime(call_id("b"), 20)]
    assert lobby.said() == [Say(K002_SAID, 20)]
    lobby.advance(2 * 3600)  # past noon: the configured volume again
    lobby.on(State(snapshot(("K003", "3", "c"), ("K002", "2", "b"))))
    assert lobby.chimes()[-1] == Chime(call_id("c"), LOBBY.volume)


def test_the_slides_turn_one_language_at_a_time() -> None:
    lobby = Lobby(slide_seconds=10.0).ready()
    shown = [lobby.view().slide]
    for _ in range(6):
        lobby.advance(10)
        shown.append(lobby.view().slide)
    assert shown[0] is not None
    # The survey month's announcement first, then the demo's drop-box notice: fi, sv, en.
    assert [s.title for s in shown[:6]] == [
        ("Asiakaskysely on käynnissä",), ("Kundenkäten pågår",),
        ("Our customer survey is on",), ("Asiakirjat",), ("Dokument",), ("Documents",)]
    assert shown[6] == shown[0]  # and round again


def test_the_pages_of_authorities_turn_with_the_slides() -> None:
    lobby = Lobby(slide_seconds=10.0)
    lobby.flow.page_count = lambda view: 2  # a screen too small for every authority
    lobby.ready()
    pages = [lobby.view().service_page]
    for _ in range(3):
        lobby.advance(10)
        pages.append(lobby.view().service_page)
    assert pages == [0, 1, 0, 1]


def test_a_lost_controller_is_said_after_stale_after_s_and_cleared_by_the_link() -> None:
    lobby = Lobby(stale_after_s=5.0).ready(snapshot(("K001", "1", "a")))
    lobby.on(LinkDown())
    lobby.advance(4)
    assert lobby.view().stale_age_s is None  # not yet: a blip is not news
    lobby.advance(2)
    assert lobby.view().stale_age_s == 6.0
    lobby.advance(120)
    assert lobby.view().stale_age_s == 120.0  # in whole minutes past the first
    lobby.on(LinkUp())
    assert lobby.view().stale_age_s is None


def test_a_controller_gone_offline_is_stale_until_it_is_back() -> None:
    lobby = Lobby(stale_after_s=5.0).ready(snapshot(("K001", "1", "a")))
    lobby.on(read_status(json.dumps({"state": "offline"}).encode()))  # its last will
    lobby.advance(6)
    assert lobby.view().stale_age_s == 6.0
    lobby.on(ControllerStatus({"state": "online"}))
    assert lobby.view().stale_age_s is None


def test_yesterdays_queue_is_stale_until_todays_arrives() -> None:
    lobby = Lobby(stale_after_s=5.0).ready(snapshot(("K001", "1", "a"), day="2026-11-30"))
    lobby.view()  # noticed now
    lobby.advance(6)
    assert lobby.view().stale_age_s == 6.0
    lobby.on(State(snapshot(("K001", "1", "a"))))  # fresh data
    assert lobby.view().stale_age_s is None


def test_this_devices_refused_controller_is_said_on_its_own_screen_only() -> None:
    refused = ControllerStatus({"state": "online", "controller": "refused"})
    own = Lobby()
    own.flow.own_controller = True
    own.ready()
    own.on(refused)
    assert own.view().not_serving
    other = Lobby().ready()
    other.on(refused)
    assert not other.view().not_serving


def test_what_is_not_a_queue_state_is_no_event() -> None:
    assert read_state(b"not json") is None
    assert read_state(b"[1, 2]") is None
    assert read_state(json.dumps(snapshot()).encode()) == State(Snapshot.from_wire(snapshot()))
    assert read_status(b"\xff") == ControllerStatus({})


calls = st.sampled_from([("K001", "1"), ("K002", "2"), ("T003", "3"), ("K004", "1")])
steps = st.lists(st.one_of(
    st.lists(st.tuples(st.sampled_from("abcdefgh"), calls), max_size=4,
             unique_by=lambda c: c[0]),  # a state: the calls it shows, newest first
    st.just("reconnect"), st.just("again")), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_chimes_are_the_distinct_new_call_ids_after_the_first_state(
        sequence: list[Any]) -> None:
    lobby = Lobby()
    lobby.on(Started())
    lobby.on(LinkUp())
    first: set[str] | None = None
    seen: set[str] = set()
    last: dict[str, Any] | None = None
    for step in sequence:
        if step == "reconnect":
            lobby.on(LinkDown())
            lobby.advance(1)
            lobby.on(LinkUp())
        if step in ("reconnect", "again"):
            if last is not None:
                lobby.on(State(last))  # the retained state, once more
            continue
        last = snapshot(*((t, r, name) for name, (t, r) in step))
        lobby.on(State(last))
        ids = {call_id(name) for name, _ in step}
        if first is None:
            first = ids
        seen |= ids
    new = seen - (first or set())
    assert sorted(c.call_id for c in lobby.chimes()) == sorted(new)
    assert len(lobby.said()) == len(new)


# -- the announcer: the same calls followed, said without a screen ---------------------------


def test_the_announcer_says_each_new_call_once_in_three_languages() -> None:
    flow = AnnouncerFlow(CONFIG, AnnouncerConfig(volume=60))
    assert flow.on(af.State(snapshot(("K001", "1", "a"))), TUESDAY_10) == []  # already called
    said = flow.on(af.State(snapshot(("K002", "2", "b"), ("K001", "1", "a"))), TUESDAY_10)
    assert [(s.shown, s.texts, s.volume) for s in said] == [("K002 Huone 2", K002_SAID, 60)]
    assert flow.on(af.State(snapshot(("K002", "2", "b"), ("K001", "1", "a"))),
                   TUESDAY_10) == []  # received again: not said again


def test_the_announcers_quiet_hours_are_quiet_or_soft() -> None:
    silent = AnnouncerFlow(CONFIG, AnnouncerConfig(quiet_hours=QUIET))
    silent.on(af.State(snapshot()), TUESDAY_10)
    assert silent.on(af.State(snapshot(("K003", "3", "c"))), TUESDAY_10) == []
    assert call_id("c") in silent.follower.tracker.seen  # followed, not said
    soft = AnnouncerFlow(CONFIG, AnnouncerConfig(quiet_hours=QUIET, quiet_volume=25))
    soft.on(af.State(snapshot()), TUESDAY_10)
    said = soft.on(af.State(snapshot(("K003", "3", "c"))), TUESDAY_10)
    assert [s.volume for s in said] == [25]
    assert said[0].texts[0] == ("Vuoronumero K 3, Huone 3", "fi")


def test_the_demo_display_is_silent_at_night() -> None:
    assert LOBBY.quiet_volume == 0  # the demo's own quiet hours: 16.30-23.59, silent
    lobby = Lobby()
    lobby.wall = TUESDAY_10.replace(hour=17)
    lobby.ready()
    lobby.on(State(snapshot(("K002", "2", "b"))))
    assert lobby.chimes() == []


# -- the history: the newest call large, the ones before it below, each number once --------


def shown(lobby: Lobby) -> list[tuple[str, str]]:
    return [(row.ticket, row.room_name) for row in lobby.view().serving]


def test_the_history_keeps_calls_served_since_newest_first() -> None:
    lobby = Lobby().ready(snapshot(("K001", "1", "a")))
    lobby.on(State(snapshot(("K002", "2", "b"), ("K001", "1", "a"))))
    # Room 1 served K001 and called K003: K001 is no longer served, still on screen.
    lobby.on(State(snapshot(("K003", "1", "c"), ("K002", "2", "b"))))
    lobby.on(State(snapshot(("T004", "3", "d"), ("K003", "1", "c"), ("K002", "2", "b"))))
    assert shown(lobby) == [("T004", "Huone 3"), ("K003", "Huone 1"), ("K002", "Huone 2"),
                            ("K001", "Huone 1")]
    assert lobby.view().newest_call_id == call_id("d")
    assert [c.call_id for c in lobby.chimes()] == [call_id("b"), call_id("c"), call_id("d")]


def test_a_recall_moves_the_number_to_the_top_chimes_and_is_shown_once() -> None:
    lobby = Lobby().ready(snapshot(("K001", "1", "a")))
    lobby.on(State(snapshot(("K002", "2", "b"), ("K001", "1", "a"))))
    lobby.on(State(snapshot(("T003", "3", "c"), ("K002", "2", "b"), ("K001", "1", "a"))))
    # K001 has not come in: room 1 calls it again (a new call id).
    effects = lobby.on(State(snapshot(("K001", "1", "a2"), ("T003", "3", "c"),
                                      ("K002", "2", "b"))))
    assert [e for e in effects if isinstance(e, Chime)] == [Chime(call_id("a2"), 80)]
    assert shown(lobby) == [("K001", "Huone 1"), ("T003", "Huone 3"), ("K002", "Huone 2")]
    assert lobby.view().newest_call_id == call_id("a2")  # on the band, and it blinks again
    assert Timer.BLINK in lobby.timers


def test_the_history_shows_as_many_earlier_calls_as_the_setting() -> None:
    states = [snapshot(*((f"K{n:03d}", str(1 + n % 5), f"c{n}") for n in range(k, 0, -1)))
              for k in range(1, 8)]
    for history, rows in ((0, 1), (2, 3), (4, 5), (8, 7)):
        lobby = Lobby(history=history).ready(states[0])
        for state in states[1:]:
            lobby.on(State(state))
        assert [t for t, _ in shown(lobby)] == [f"K{n:03d}" for n in range(7, 7 - rows, -1)]
        assert len(lobby.chimes()) == 6  # every call chimes, shown below or not


def test_a_new_day_starts_with_no_history() -> None:
    lobby = Lobby().ready(snapshot(("K001", "1", "a"), day="2026-11-30"))
    lobby.on(State(snapshot(("K002", "2", "b"), ("K001", "1", "a"), day="2026-11-30")))
    lobby.on(State(snapshot(("K001", "3", "z"))))  # today's first call: yesterday's gone
    assert shown(lobby) == [("K001", "Huone 3")]


def test_the_display_shows_the_controllers_recent_calls_when_it_sends_them() -> None:
    """A controller of issue 24 sends `recent`, its last calls newest first, a recall a
    new entry: the history then survives the display's own restart."""
    wire = snapshot(("K003", "1", "c"), ("K001", "2", "a2"), ("K002", "3", "b"))
    wire["recent"] = [RecentCall(ticket, room, call_id(name), f"2026-12-01T10:0{n}:00+02:00",
                                 lang, "kela").to_wire()
                      for n, (ticket, room, name, lang) in enumerate([
                          ("K001", "1", "a", "sv"),  # K001's first call
                          ("K002", "3", "b", "fi"),
                          ("K001", "2", "a2", "sv"),  # K001 recalled to another room
                          ("K003", "1", "c", "en")])][::-1]
    lobby = Lobby().ready(wire)  # just started: the controller's memory, not its own
    assert shown(lobby) == [("K003", "Room 1"), ("K001", "Rum 2"), ("K002", "Huone 3")]


def test_many_recalls_of_one_number_push_no_other_number_off() -> None:
    lobby = Lobby(history=1).ready(snapshot(("K002", "1", "b")))
    for n in range(20):  # K001 recalled again and again: each a new call id, each chimes
        lobby.on(State(snapshot(("K001", "1", f"a{n}"))))
    assert shown(lobby) == [("K001", "Huone 1"), ("K002", "Huone 1")]
    assert len(lobby.chimes()) == 20


def test_an_old_state_received_again_moves_no_number_up() -> None:
    lobby = Lobby().ready(snapshot(("K001", "1", "a")))
    old = snapshot(("K002", "2", "b"), ("K001", "1", "a"))
    lobby.on(State(old))
    lobby.on(State(snapshot(("K001", "1", "a2"), ("K002", "2", "b"))))  # K001 recalled
    lobby.on(State(snapshot(("T003", "3", "c"), ("K001", "1", "a2"), ("K002", "2", "b"))))
    lobby.on(State(old))  # a stale copy, delivered late: K001's first call, K002's
    assert shown(lobby) == [("T003", "Huone 3"), ("K001", "Huone 1"), ("K002", "Huone 2")]
