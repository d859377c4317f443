"""A real day's commands over the wire (issue 24): each answered as docs/mqtt-api.yaml says
(every message on the in-memory broker is checked against it after the test), its events on
queue/events, who may not send what refused `forbidden` in plain words, a kiosk's help key
raising and an advisor's answer clearing the alert, and the day's end at closing time.

The site's clock jumps from timer to timer (testkit.jumping): no sleeps.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.site_model import Device, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from testkit.jumping import JumpingSite, TestClient, latest_json
from testkit.site_factory import MONDAY, at, small_site


def real_day_site() -> SiteConfig:
    """The small site with a controller of its own, a kiosk, the staff console and room
    1's unit; room 2's clerk is `clerk-2`, as every room's."""
    config = small_site()
    devices = (Device("lobby-1", ("controller",)), Device("kiosk-1", ("kiosk",)),
               Device("web-1", ("web",)), Device("room-1", ("room",), room="1"))
    return dataclasses.replace(config, devices=devices, site=dataclasses.replace(
        config.site, id=f"t-{uuid.uuid4().hex[:8]}"))


class Day:
    def __init__(self, site: JumpingSite, config: SiteConfig, role: ControllerRole) -> None:
        self.site, self.config, self.role = site, config, role
        self.id = config.site.id
        self.clients: dict[str, TestClient] = {}
        watcher = site.client(self.id, "watcher")
        self.events = watcher.watch(topics.queue_events(self.id))
        self.state = watcher.watch(topics.queue_state(self.id))
        self.alerts = watcher.watch(topics.alert(self.id, "help_wanted"))

    def ask(self, client: str, command: str, body: dict[str, Any]) -> dict[str, Any]:
        if client not in self.clients:
            self.clients[client] = self.site.client(self.id, client)
        return self.clients[client].request(command, body)

    def event_types(self) -> list[str]:
        return [json.loads(payload)["type"] for _, payload, _ in self.events]

    def last(self, event_type: str) -> dict[str, Any]:
        return [e for e in map(json.loads, (p for _, p, _ in self.events))
                if e["type"] == event_type][-1]

    def snapshot(self) -> dict[str, Any]:
        self.site.settle()
        found = latest_json(self.state)
        assert found is not None
        return found


@pytest.fixture
def day(memory_broker: MemoryBroker, tmp_path: Path) -> Any:
    config = real_day_site()
    role = ControllerRole()
    with JumpingSite(ManualClock(at(MONDAY, 9, 0)), memory_broker) as site:
        site.device(config, "lobby-1", [role], tmp_path / "lobby-1")
        yield Day(site, config, role)


ISSUE = {"service": "kela", "lang": "fi"}


def test_the_advisor_issues_for_two_authorities_and_marks_assistance(day: Day) -> None:
    first = day.ask("web-1", topics.ISSUE, {**ISSUE, "lang": "sv", "assistance": True,
                                             "then": ["vero"]})["ticket"]
    assert (first["lang"], first["assistance"], first["then"]) == ("sv", True, ["vero"])
    issued = day.last("ticket.issued")
    assert issued["assistance"] is True and issued["then"] == ["vero"]

    plain = day.ask("kiosk-1", topics.ISSUE, ISSUE)["ticket"]
    assert plain["lang"] == "fi" and "assistance" not in plain  # a kiosk is no staff
    marked = day.ask("web-1", topics.ASSIST, {"ticket": plain["number"], "assistance": True})
    assert marked["ok"] and marked["ticket"]["assistance"] is True
    assert day.last("ticket.assistance") == {**day.last("ticket.assistance"),
                                             "number": plain["number"], "assistance": True}
    added = day.ask("clerk-2", topics.ADD_SERVICE, {"ticket": plain["number"],
                                                    "service": "vero"})
    assert added["ticket"]["then"] == ["vero"]
    assert day.last("ticket.leg_added")["then"] == ["vero"]
    # Nothing about assistance or a visit's authorities on the public state.
    assert "assistance" not in json.dumps(day.snapshot())


def test_a_kiosk_may_not_mark_assistance_nor_plan_a_visit(day: Day) -> None:
    for extra, words in (({"assistance": True}, "needing assistance"),
                         ({"then": ["vero"]}, "another authority")):
        refused = day.ask("kiosk-1", topics.ISSUE, {**ISSUE, **extra})
        assert refused["error"]["code"] == "forbidden"
        assert words in refused["error"]["message"] and "kiosk-1" in refused["error"]["message"]
    assert day.ask("kiosk-1", topics.ASSIST, {"ticket": "K001", "assistance": True}
                   )["error"]["code"] == "forbidden"
    assert "ticket.issued" not in day.event_types()  # nothing was created


def test_completing_continues_the_visit_with_the_same_number(day: Day) -> None:
    ticket = day.ask("web-1", topics.ISSUE, {**ISSUE, "then": ["vero"]})["ticket"]
    day.site.run_for(60)
    assert day.ask("clerk-1", topics.CALL, {"room": "1", "services": []})["ticket"][
        "number"] == ticket["number"]
    done = day.ask("clerk-1", topics.COMPLETE, {"room": "1"})["ticket"]
    assert (done["number"], done["status"], done["service"], done["leg"], done["room"]) == (
        ticket["number"], "waiting", "vero", 2, None)
    assert day.event_types()[-2:] == ["ticket.completed", "ticket.continued"]
    continued = day.last("ticket.continued")
    assert (continued["from_service"], continued["to_service"], continued["leg"],
            continued["place"], continued["then"]) == ("kela", "vero", 2, "arrival", [])
    # Room 2 serves vero: the same number is called to the next room.
    called = day.ask("clerk-2", topics.CALL, {"room": "2", "services": ["vero"]})["ticket"]
    assert called["number"] == ticket["number"] and called["leg"] == 2
    last = day.ask("clerk-2", topics.COMPLETE, {"room": "2"})["ticket"]
    assert last["status"] == "done" and "leg" in last


def test_a_clerk_sends_on_at_completion_and_a_room_unit_may_not(day: Day) -> None:
    ticket = day.ask("kiosk-1", topics.ISSUE, ISSUE)["ticket"]
    day.ask("room-1", topics.CALL, {"room": "1", "services": []})
    refused = day.ask("room-1", topics.COMPLETE, {"room": "1", "then": "vero"})
    assert refused["error"]["code"] == "forbidden" and "clerk" in refused["error"]["message"]
    sent = day.ask("clerk-1", topics.COMPLETE, {"room": "1", "then": "vero"})["ticket"]
    assert (sent["number"], sent["service"], sent["leg"]) == (ticket["number"], "vero", 2)


def test_a_reprint_answers_where_the_ticket_stands_now(day: Day) -> None:
    for _ in range(3):
        day.ask("kiosk-1", topics.ISSUE, ISSUE)
    copy = day.ask("web-1", topics.REPRINT, {"ticket": "K003", "device": "kiosk-1"})["ticket"]
    assert copy["number"] == "K003" and copy["status"] == "waiting"
    assert copy["ahead"] == 2 and copy["eta_minutes"] is not None and copy["eta_range"]
    assert day.last("ticket.reprinted")["device"] == "kiosk-1"
    assert day.ask("web-1", topics.REPRINT, {"ticket": "K003", "device": "room-1"}
                   )["error"]["code"] == "bad_request"  # a room unit prints nothing
    assert day.ask("kiosk-1", topics.REPRINT, {"ticket": "K003", "device": "kiosk-1"}
                   )["error"]["code"] == "forbidden"


def test_a_room_pauses_for_lunch_and_its_clerk_calling_again_resumes_it(day: Day) -> None:
    day.ask("kiosk-1", topics.ISSUE, ISSUE)
    paused = day.ask("room-1", topics.ROOM_STATE, {"room": "1", "state": "paused",
                                                   "reason": "lunch"})
    assert paused["room"]["state"] == "paused" and paused["room"]["reason"] == "lunch"
    assert paused["room"]["since"] == at(MONDAY, 9, 0).isoformat()
    assert day.last("room.state")["by"] == "room-1"
    row = next(r for r in day.snapshot()["rooms"] if r["id"] == "1")
    assert (row["state"], row["reason"]) == ("paused", "lunch")
    assert day.ask("web-1", topics.CALL, {"room": "1", "ticket": "K001"})["error"][
        "code"] == "room_busy"  # nobody is called to a room at lunch

    called = day.ask("room-1", topics.CALL, {"room": "1", "services": []})
    assert called["ticket"]["number"] == "K001"
    assert day.event_types()[-2:] == ["room.state", "ticket.called"]
    assert day.last("room.state")["state"] == "serving"


@pytest.mark.wire_abuse("cmd/room/languages/clerk-3")  # a language no room serves, on purpose
def test_a_room_acts_for_itself_only_and_a_clerk_sets_the_languages(day: Day) -> None:
    other = day.ask("room-1", topics.ROOM_STATE, {"room": "2", "state": "paused",
                                                  "reason": "break"})
    assert other["error"]["code"] == "forbidden" and "room 2" in other["error"]["message"]
    languages = day.ask("room-1", topics.ROOM_LANGUAGES, {"room": "1", "languages": ["sv"]})
    assert languages["error"]["code"] == "forbidden"
    chosen = day.ask("clerk-2", topics.ROOM_LANGUAGES, {"room": "2", "languages": ["sv", "en"]})
    assert chosen["room"]["languages"] == ["sv", "en"] and chosen["room"]["state"] == "serving"
    assert day.last("room.languages") == {**day.last("room.languages"), "room": "2",
                                          "languages": ["sv", "en"]}
    assert next(r for r in day.snapshot()["rooms"] if r["id"] == "2")["languages"] == [
        "sv", "en"]
    bad = day.ask("clerk-3", topics.ROOM_LANGUAGES, {"room": "3", "languages": ["de"]})
    assert bad["error"]["code"] == "bad_request" and "fi, sv, en" in bad["error"]["message"]


def test_the_help_key_raises_the_alert_and_the_advisors_answer_clears_it(day: Day) -> None:
    assert day.ask("kiosk-1", topics.HELP_REQUEST, {}) == {"ok": True, "recorded": True}
    day.site.run_until(lambda: day.alerts, what="the help_wanted alert")
    raised = json.loads(day.alerts[-1][1])
    assert (raised["kind"], raised["state"], raised["device"]) == ("help_wanted", "raised",
                                                                  "kiosk-1")
    assert raised["message"] == {"fi": "Apua tarvitaan: kiosk-1", "sv": "Hjälp behövs: kiosk-1",
                                 "en": "Help wanted at kiosk-1"}
    assert [h["device"] for h in day.snapshot()["help_wanted"]] == ["kiosk-1"]
    day.ask("kiosk-1", topics.HELP_REQUEST, {})  # pressed again: still the one request
    assert day.event_types().count("help.requested") == 1

    assert day.ask("kiosk-1", topics.HELP_ANSWER, {"device": "kiosk-1"})["error"][
        "code"] == "forbidden"
    assert day.ask("web-1", topics.HELP_ANSWER, {"device": "kiosk-1"})["ok"]
    day.site.run_until(lambda: len(day.alerts) >= 2, what="the alert cleared")
    cleared = json.loads(day.alerts[-1][1])
    assert (cleared["state"], cleared["device"], cleared["by"]) == ("cleared", "kiosk-1",
                                                                    "web-1")
    assert day.snapshot()["help_wanted"] == []
    assert day.last("help.answered")["by"] == "web-1"


def test_the_day_ends_at_closing_time_with_open_tickets_closed(day: Day) -> None:
    for _ in range(3):
        day.ask("kiosk-1", topics.ISSUE, ISSUE)
    day.ask("clerk-1", topics.CALL, {"room": "1", "services": []})
    day.ask("clerk-1", topics.COMPLETE, {"room": "1"})
    day.ask("clerk-1", topics.CALL, {"room": "1", "services": []})  # K002 still in the room
    day.site.run_until(lambda: "day.closed" in day.event_types(), within_s=9 * 3600,
                       what="the day's end")
    # The site closes at 16:15; the day ends 30 minutes later, not at midnight.
    assert day.site.clock.now().replace(microsecond=0) == at(MONDAY, 16, 45)
    events = [json.loads(p) for _, p, _ in day.events]
    closing = [e for e in events if e["type"] == "ticket.cancelled"]
    assert sorted(e["number"] for e in closing) == ["K002", "K003"]
    assert {e["reason"] for e in closing} == {"closed"}
    assert events[-1]["type"] == "day.closed"  # after the closing of the open tickets
    report = events[-1]["report"]
    assert report["day"] == MONDAY.isoformat()
    assert datetime.fromisoformat(report["closed_at"]) == at(MONDAY, 16, 45)
    assert "K00" not in json.dumps(report)  # no numbers: nothing personal
    assert day.snapshot()["serving"] == []

    day.site.run_for(9 * 3600)  # past midnight: the day is not closed twice, nothing expires
    types = day.event_types()
    assert types.count("day.closed") == 1 and types.count("ticket.cancelled") == 2


def test_a_day_without_opening_hours_ends_at_midnight_as_before(memory_broker: MemoryBroker,
                                                                tmp_path: Path) -> None:
    config = real_day_site()
    sunday = at(MONDAY, 9, 0).replace(day=MONDAY.day - 1)
    role = ControllerRole()
    with JumpingSite(ManualClock(sunday), memory_broker) as site:
        site.device(config, "lobby-1", [role], tmp_path / "lobby-1")
        assert role.controller.day_end_due() is None
        site.run_for(16 * 3600)
        assert role.controller.state.day_closed is None


def test_an_answer_is_made_on_a_copy_and_the_queue_moves_only_with_the_ledger(
        tmp_path: Path) -> None:
    """The controller answers before the ledger takes the events (fold_ahead); a complete
    that continues the visit must not move the live queue until then."""
    from firmware.controller.ledger import Ledger
    from firmware.controller.use_cases import Controller, fold_ahead
    from firmware.core import rules
    from mqtt_bridge.payloads import Command

    config = real_day_site()
    controller = Controller(config, Ledger(tmp_path / "ledger.sqlite"),
                            ManualClock(at(MONDAY, 9, 0)))
    issue = {**ISSUE, "device": "web-1", "appointment": None, "then": ["vero"]}
    controller.handle(Command(topics.ISSUE, "i1", issue))
    controller.handle(Command(topics.CALL, "c1", {"room": "1", "services": []}))
    state = controller.state
    decisions = rules.complete_and_continue(state, config, "1")
    ahead = fold_ahead(state, decisions, controller.clock.now())
    assert (ahead.tickets["K001"].service, ahead.tickets["K001"].legs) == ("vero", 2)
    assert (state.tickets["K001"].service, state.tickets["K001"].legs) == ("kela", 1)
    assert "1" in state.serving and "1" not in ahead.serving
    assert state.waiting_count("vero") == 0 and ahead.waiting_count("vero") == 1
    # The day's sets too (visits with authorities to come; tickets owed a call by language).
    assert state.chained == {"K001"} and ahead.chained == set()


def test_a_day_the_controller_was_off_at_its_end_gets_its_report_the_next_morning(
        tmp_path: Path) -> None:
    """A power cut over the afternoon: the controller starts again the next morning, the
    day's open tickets expire and its report is appended as at its end (16:45), once."""
    from firmware.controller.ledger import Ledger
    from firmware.controller.use_cases import Controller
    from mqtt_bridge.payloads import Command

    config = real_day_site()
    ledger = Ledger(tmp_path / "ledger.sqlite")
    clock = ManualClock(at(MONDAY, 9, 0))
    monday = Controller(config, ledger, clock)
    for n in range(2):
        monday.handle(Command(topics.ISSUE, f"i{n}", {**ISSUE, "device": "kiosk-1",
                                                      "appointment": None}))
    clock.advance(hours=23)  # Tuesday 08:00: the controller starts again
    Controller(config, ledger, clock)
    Controller(config, ledger, clock)  # and once more: nothing twice
    events = list(ledger.events_from(0, limit=100))
    closed = [e for e in events if e.type == "day.closed"]
    assert len(closed) == 1 and closed[0].day == MONDAY.isoformat()
    report = closed[0].data["report"]
    assert datetime.fromisoformat(report["closed_at"]) == at(MONDAY, 16, 45)
    kela = next(row for row in report["authorities"] if row["service"] == "kela")
    assert kela["customers"] == 2 and kela["open_at_close"] == 2
    assert [e.data["reason"] for e in events if e.type == "ticket.cancelled"] == [
        "expired", "expired"]
    ledger.close()
