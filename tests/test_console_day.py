"""The console's side of a real day (issue 24), pure: the bodies its actions send, who may
send them, the clerks' languages in the logins file, the lobby's rooms, help requests and
the called ticket's notes, and the sentences said after each answer.

The same actions against the real controller are in tests/test_console_day_live.py.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware.web.accounts import StaffUser, UsersFileError, parse_users, refusal, users_text
from firmware.web.actions import print_job
from firmware.web.app import shape_for
from firmware.web.lobby import LobbyView
from firmware.web.staff_commands import (
    ACTIONS,
    BodyError,
    body_for,
    room_languages,
)
from firmware.web.texts import describe
from mqtt_bridge import topics
from testkit.console_site import site_config
from testkit.site_factory import small_site

SITE = small_site()
CONSOLE_SITE = site_config(Path("/nonexistent"), 1)  # the small site with kiosk-1
CLERK = StaffUser("maija", "clerk", "pbkdf2_sha256$x", "1")
ADVISOR = StaffUser("neuvoja", "advisor", "pbkdf2_sha256$x")
SERVICE = StaffUser("tiimi", "service", "pbkdf2_sha256$x")
HASH = "pbkdf2_sha256$1000$abc$def"


def sent(action: str, **fields: object) -> tuple[str, dict[str, object]]:
    built = body_for(action, {"action": action, **fields}, CONSOLE_SITE)
    return built.command, built.body


# -- the bodies, exactly the spec's -----------------------------------------------------------


def test_the_clerks_actions_send_the_specs_bodies() -> None:
    assert sent("room-state", room="1", state="paused", reason="lunch") == (
        "room/state", {"room": "1", "state": "paused", "reason": "lunch"})
    # Serving and closed carry no reason, whatever the browser sent.
    assert sent("room-state", room="1", state="serving", reason="lunch") == (
        "room/state", {"room": "1", "state": "serving", "reason": None})
    assert sent("room-state", room="1", state="closed") == (
        "room/state", {"room": "1", "state": "closed", "reason": None})
    # In the site's order, each once.
    assert sent("room-languages", room="1", languages=["sv", "fi"]) == (
        "room/languages", {"room": "1", "languages": ["fi", "sv"]})
    assert sent("complete", room="1", then="vero") == (
        topics.COMPLETE, {"room": "1", "then": "vero"})
    assert sent("complete", room="1") == (topics.COMPLETE, {"room": "1"})


def test_the_advisors_actions_send_the_specs_bodies() -> None:
    assert sent("issue", service="kela", lang="sv", assistance=True, then=["vero"],
                print_on="kiosk-1") == (
        topics.ISSUE, {"service": "kela", "lang": "sv", "assistance": True, "then": ["vero"]})
    # Like a kiosk's issue, without the two when the advisor left them out.
    assert sent("issue", service="kela", lang="fi", assistance=False, then=[]) == (
        topics.ISSUE, {"service": "kela", "lang": "fi"})
    assert sent("assist", ticket="K001", assistance=False) == (
        "ticket/assist", {"ticket": "K001", "assistance": False})
    assert sent("assist", ticket="K001", assistance=True) == (
        "ticket/assist", {"ticket": "K001", "assistance": True})
    assert sent("add-service", ticket="K001", service="vero") == (
        "ticket/add-service", {"ticket": "K001", "service": "vero"})
    assert sent("reprint", ticket="K001", device="kiosk-1") == (
        "ticket/reprint", {"ticket": "K001", "device": "kiosk-1"})
    assert sent("help-answer", device="kiosk-1") == ("help/answer", {"device": "kiosk-1"})


@pytest.mark.parametrize(("action", "fields", "key"), [
    ("room-languages", {"room": "1", "languages": []}, "said_pick_language"),
    ("room-languages", {"room": "1", "languages": ["de"]}, "said_unknown"),
    ("room-languages", {"room": "1", "languages": "fi"}, "said_unknown"),
    ("room-state", {"room": "1", "state": "paused"}, "said_unknown"),  # paused: why?
    ("room-state", {"room": "1", "state": "paused", "reason": "nap"}, "said_unknown"),
    ("room-state", {"room": "1", "state": "away"}, "said_unknown"),
    ("complete", {"room": "1", "then": "nowhere"}, "said_no_service"),
    ("issue", {"service": "kela", "then": ["vero", "nowhere"]}, "said_no_service"),
    ("issue", {"service": "kela", "then": "vero"}, "said_unknown"),
    ("issue", {"service": "kela", "then": ["vero"] * 4}, "said_unknown"),
    ("issue", {"service": "kela", "assistance": "yes"}, "said_unknown"),
    ("assist", {"ticket": "K001"}, "said_unknown"),  # mark or unmark: it must say which
    ("assist", {"ticket": "K001", "assistance": 1}, "said_unknown"),
    ("add-service", {"ticket": "K001", "service": "nowhere"}, "said_no_service"),
    ("reprint", {"ticket": "K001", "device": "lobby-1"}, "said_no_kiosk"),  # no printer
    ("reprint", {"ticket": "K001"}, "said_no_kiosk"),
    ("help-answer", {"device": "kiosk-9"}, "said_no_device"),
    ("dance", {}, "said_unknown"),
])
def test_a_field_that_cannot_be_right_is_refused_before_anything_is_sent(
        action: str, fields: dict[str, object], key: str) -> None:
    with pytest.raises(BodyError) as refused:
        sent(action, **fields)
    assert refused.value.key == key


# A shared machine under load draws slowly now and then: that is no fault of the inputs.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["room", "state", "reason", "languages", "ticket",
                                        "service", "device", "then", "assistance", "lang",
                                        "x"]),
                       st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                                 st.lists(st.text(max_size=4), max_size=4))),
       st.sampled_from(sorted(ACTIONS)))
def test_whatever_a_browser_posts_is_a_body_of_the_commands_fields_or_refused_in_words(
        data: dict[str, object], action: str) -> None:
    try:
        built = body_for(action, data, CONSOLE_SITE)
    except BodyError as exc:
        assert exc.key.startswith("said_")
        return
    assert set(built.body) <= set(ACTIONS[action][1])


def test_the_session_starts_in_the_logins_languages_else_the_rooms() -> None:
    assert room_languages(SITE, "1", ("sv",)) == ["sv"]
    assert room_languages(SITE, "1") == ["fi", "sv", "en"]  # a room's default: all three
    swedish = dataclasses.replace(SITE, rooms=tuple(
        dataclasses.replace(r, languages=("sv", "fi")) if r.id == "1" else r
        for r in SITE.rooms))
    assert room_languages(swedish, "1") == ["fi", "sv"]


# -- who may send what ------------------------------------------------------------------------


def test_a_clerk_sets_their_own_rooms_state_and_languages_only() -> None:
    assert refusal(CLERK, "room/state", {"room": "1", "state": "closed"}) is None
    assert refusal(CLERK, "room/languages", {"room": "1", "languages": ["fi"]}) is None
    assert "not room 2" in refusal(CLERK, "room/state", {"room": "2", "state": "closed"})
    assert "not room 2" in refusal(CLERK, "room/languages", {"room": "2", "languages": ["fi"]})
    assert refusal(CLERK, topics.COMPLETE, {"room": "1", "then": "vero"}) is None
    assert refusal(CLERK, "ticket/add-service", {"ticket": "K1", "service": "vero"}) is None
    for command in ("ticket/assist", "ticket/reprint", "help/answer"):
        assert refusal(CLERK, command, {"ticket": "K1"}) is not None


def test_the_advisor_marks_adds_reprints_and_answers_but_acts_for_no_room() -> None:
    for command, body in (("ticket/assist", {"ticket": "K1", "assistance": True}),
                          ("ticket/add-service", {"ticket": "K1", "service": "vero"}),
                          ("ticket/reprint", {"ticket": "K1", "device": "kiosk-1"}),
                          ("help/answer", {"device": "kiosk-1"}),
                          (topics.ISSUE, {"service": "kela", "assistance": True})):
        assert refusal(ADVISOR, command, body) is None, command
        assert refusal(SERVICE, command, body) is not None, command
    assert refusal(ADVISOR, "room/state", {"room": "1", "state": "closed"}) is not None


# -- the logins file ------------------------------------------------------------------------


def test_a_clerks_languages_are_kept_in_the_logins_file() -> None:
    text = ('[[users]]\nname = "maija"\nrole = "clerk"\nroom = "1"\nlanguages = ["sv", "fi"]\n'
            f'password = "{HASH}"\n[[users]]\nname = "neuvoja"\nrole = "advisor"\n'
            f'password = "{HASH}"\n')
    users = parse_users(text, {"1"})
    assert users["maija"].languages == ("fi", "sv") and users["neuvoja"].languages is None
    assert parse_users(users_text(list(users.values())), {"1"}) == users


@pytest.mark.parametrize(("extra", "problem"), [
    ('room = "1"\nlanguages = []', "languages: a list of one to three"),
    ('room = "1"\nlanguages = ["fi", "de"]', "languages: a list of one to three"),
    ('room = "1"\nlanguages = ["fi", "fi"]', "languages: a list of one to three"),
    ('room = "1"\nlanguages = "fi"', "languages: a list of one to three"),
])
def test_a_wrong_languages_list_is_named(extra: str, problem: str) -> None:
    text = f'[[users]]\nname = "maija"\nrole = "clerk"\n{extra}\npassword = "{HASH}"\n'
    with pytest.raises(UsersFileError) as refused:
        parse_users(text, {"1"})
    assert problem in str(refused.value)


def test_only_a_clerk_has_languages() -> None:
    text = f'[[users]]\nname = "n"\nrole = "advisor"\nlanguages = ["fi"]\npassword = "{HASH}"\n'
    with pytest.raises(UsersFileError) as refused:
        parse_users(text)
    assert "only a clerk serves in languages" in str(refused.value)


# -- the lobby: rooms' states, help wanted, the called ticket's notes -------------------------


def state(**parts: object) -> bytes:
    return json.dumps({
        "seq": 5, "day": "2026-11-30", "at": "2026-11-30T11:00:00+02:00",
        "services": [{"id": "kela", "waiting": 1, "eta_minutes": 5, "open": True}],
        "serving": [{"ticket": "K001", "room": "1", "service": "kela", "lang": "sv",
                     "called_at": "2026-11-30T10:58:00+02:00", "call_id": "c1"}],
        "last_call": None, **parts}).encode()


ROOMS = [{"id": "1", "state": "serving", "reason": None, "since": None,
          "languages": ["sv", "fi"]},
         {"id": "2", "state": "paused", "reason": "lunch",
          "since": "2026-11-30T10:30:00+02:00", "languages": ["fi"]}]


def lobby_with(**parts: object) -> LobbyView:
    lobby = LobbyView(SITE)
    lobby.take(topics.queue_state(SITE.site.id), state(**parts))
    return lobby


def test_the_rooms_states_and_languages_and_the_called_tickets_language() -> None:
    view = lobby_with(rooms=ROOMS).view()
    one, two = view["rooms"][0], view["rooms"][1]
    assert (one["state"], one["languages"], one["serving"]["lang"]) == (
        "serving", ["fi", "sv"], "sv")
    assert (two["state"], two["reason"], two["state_since"]) == (
        "paused", "lunch", "2026-11-30T10:30:00+02:00")
    # A controller from before rooms had states: every room serving, in its languages.
    old = lobby_with().view()["rooms"][1]
    assert old["state"] == "serving" and old["reason"] is None and old["languages"]


def test_help_wanted_at_a_kiosk_is_on_the_advisors_view() -> None:
    view = lobby_with(help_wanted=[{"device": "kiosk-1", "since": "2026-11-30T10:59:00+02:00"},
                                   {"since": "no device: left out"}]).view()
    assert view["help_wanted"] == [{"device": "kiosk-1", "since": "2026-11-30T10:59:00+02:00"}]
    assert lobby_with().view()["help_wanted"] == []


def test_the_called_tickets_assistance_and_next_authorities_come_from_answers_and_events(
        ) -> None:
    lobby = lobby_with(rooms=ROOMS)
    lobby.note_ticket({"number": "K001", "service": "kela", "assistance": True,
                       "then": ["vero"], "lang": "sv"})
    serving = lobby.view()["rooms"][0]["serving"]
    assert serving["assistance"] is True and serving["then"] == ["vero"]
    # The advisor unmarks it and adds another authority: the ledger's events say so.
    lobby.take(topics.queue_events(SITE.site.id), json.dumps(
        {"type": "ticket.assistance", "number": "K001", "assistance": False, "seq": 6}).encode())
    lobby.take(topics.queue_events(SITE.site.id), json.dumps(
        {"type": "ticket.leg_added", "number": "K001", "service": "maistraatti",
         "then": ["vero", "maistraatti"], "seq": 7}).encode())
    serving = lobby.view()["rooms"][0]["serving"]
    assert serving["assistance"] is False and serving["then"] == ["vero", "maistraatti"]
    assert serving["service"] == "kela"  # an added leg is for later, not now
    # A new day forgets yesterday's numbers.
    lobby.take(topics.queue_state(SITE.site.id), json.dumps(
        {"seq": 1, "day": "2026-12-01", "services": [], "serving": [], "last_call": None}
    ).encode())
    assert lobby.ticket_notes == {}


def test_assistance_and_next_authorities_reach_only_the_advisor_and_the_rooms_clerk() -> None:
    lobby = lobby_with(rooms=ROOMS)
    lobby.note_ticket({"number": "K001", "service": "kela", "assistance": True,
                       "then": ["vero"]})
    view = lobby.view()
    def serving(user: StaffUser) -> dict[str, object]:
        return shape_for(user)(view)["rooms"][0]["serving"]
    assert serving(ADVISOR)["assistance"] is True
    assert serving(CLERK)["assistance"] is True and serving(CLERK)["then"] == ["vero"]
    other_clerk = StaffUser("pekka", "clerk", "pbkdf2_sha256$x", "2")
    for user in (other_clerk, SERVICE, StaffUser("t", "technician", "pbkdf2_sha256$x")):
        assert "assistance" not in serving(user) and "then" not in serving(user)
        assert serving(user)["number"] == "K001" and serving(user)["lang"] == "sv"
    assert "devices" not in shape_for(CLERK)(view) and "help_wanted" not in \
        shape_for(CLERK)(view)


# -- what the console says, and what it prints --------------------------------------------


def test_the_answers_are_said_in_words() -> None:
    room = {"ok": True, "room": {"id": "1", "state": "paused", "reason": "lunch",
                                 "since": "x", "languages": ["fi", "sv"]}}
    assert describe(room, "room/state", "en") == \
        "Room 1 is paused (lunch); nobody is called to it."
    assert describe(room, "room/state", "fi") == \
        "Huone 1 on tauolla (lounas); sinne ei kutsuta ketään."
    assert describe(room, "room/languages", "sv") == "Rum 1 betjänar på: finska, svenska."
    assert describe({"ok": True}, "help/answer", "en") == \
        "The others know: you are on your way."
    continued = {"ok": True, "ticket": {"number": "K001", "service": "vero",
                                        "status": "waiting", "room": None, "call_id": None,
                                        "leg": 2}}
    assert describe(continued, topics.COMPLETE, "en") == \
        "K001 done; it continues to vero with the same number."
    marked = {"ok": True, "ticket": {"number": "K001", "service": "kela", "status": "waiting",
                                     "room": None, "call_id": None, "assistance": True}}
    assert describe(marked, "ticket/assist", "en") == "K001 marked: needs assistance."
    refused = {"ok": False, "error": {"code": "forbidden", "message": "x"}}
    assert describe(refused, "room/state", "en").startswith("Not done: this is not allowed")


def test_a_reprint_job_is_a_copy_and_no_slip_says_assistance() -> None:
    ticket = {"number": "K001", "service": "kela", "lang": "sv", "assistance": True,
              "ahead": 2, "eta_minutes": 10}
    job = print_job({"request_id": "r"}, ticket, copy=True)
    assert job == {"request_id": "r", "lang": "sv", "copy": True, "ticket": {
        "number": "K001", "service": "kela", "lang": "sv", "ahead": 2, "eta_minutes": 10}}
    issued = print_job({"request_id": "r", "lang": "en"}, ticket, copy=False)
    assert "copy" not in issued and issued["lang"] == "en"
    assert "assistance" not in issued["ticket"]


def test_the_page_facts_preset_the_clerks_languages() -> None:
    from firmware.web.actions import page_facts

    facts = page_facts(SITE, StaffUser("m", "clerk", "h", "1", ("sv",)))
    assert facts["session_languages"] == ["sv"]
    assert page_facts(SITE, ADVISOR)["session_languages"] == []
