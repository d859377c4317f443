"""The queue rules in the pure core, with a manual clock: a day in milliseconds."""

from __future__ import annotations

from datetime import date

import pytest

from firmware.clock import ManualClock
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller
from firmware.core import service_hours
from firmware.core.events import EventType
from firmware.core.numbering import next_number
from mqtt_bridge import topics
from mqtt_bridge.payloads import Command
from testkit.site_factory import MONDAY, at, small_site


def cmd(name: str, request_id: str, **body: object) -> Command:
    defaults = {topics.ISSUE: {"lang": "fi", "device": "lobby-1", "appointment": None},
                topics.CALL: {"services": []}}
    return Command(name, request_id, {**defaults.get(name, {}), **body})


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at(MONDAY, 9, 0))


@pytest.fixture
def controller(tmp_path, clock) -> Controller:
    return Controller(small_site(), Ledger(tmp_path / "ledger.sqlite"), clock)


def test_service_hours_follow_weekday_exceptions_and_site_hours() -> None:
    config = small_site()
    kela, vero, migri = config.services
    assert service_hours.is_open(kela, config.site, at(MONDAY, 8, 0))
    assert not service_hours.is_open(kela, config.site, at(MONDAY, 16, 0))
    assert not service_hours.is_open(vero, config.site, at(MONDAY, 8, 59))
    tuesday = date(2026, 12, 1)
    assert not service_hours.is_open(vero, config.site, at(tuesday, 10, 0))
    assert service_hours.is_open(migri, config.site, at(tuesday, 10, 0))
    # Christmas Eve is a Thursday but Kela is closed by the exception; next open is Monday
    # the 28th, since the 25th is a Friday... which Kela's weekly hours do have.
    christmas_eve = date(2026, 12, 24)
    assert not service_hours.is_open(kela, config.site, at(christmas_eve, 10, 0))
    nxt = service_hours.next_open(kela, config.site, at(christmas_eve, 10, 0))
    assert nxt == at(date(2026, 12, 25), 8, 0)
    assert service_hours.next_open(migri, config.site, at(MONDAY, 9, 0)) == at(tuesday, 10, 0)


def test_numbers_are_daily_per_prefix_and_wrap_past_open_tickets() -> None:
    kela = small_site().services[0]
    assert next_number(kela, False, 0, set()) == (1, "K001")
    assert next_number(kela, False, 41, set()) == (42, "K042")
    assert next_number(kela, False, 999, {"K001", "K002"}) == (3, "K003")
    assert next_number(kela, True, 7, set()) == (8, "008")


def test_issue_call_complete_through_the_controller(controller, clock) -> None:
    first = controller.handle(cmd(topics.ISSUE, "r1", service="kela")).response
    assert first["ok"] and first["ticket"]["number"] == "K001"
    assert first["ticket"]["ahead"] == 0
    second = controller.handle(cmd(topics.ISSUE, "r2", service="kela")).response
    assert second["ticket"]["number"] == "K002" and second["ticket"]["ahead"] == 1
    clock.advance(minutes=5)
    called = controller.handle(cmd(topics.CALL, "c1", room="1")).response
    assert called["ticket"]["number"] == "K001" and called["ticket"]["room"] == "1"
    snap = controller.snapshot()
    assert snap["serving"][0]["ticket"] == "K001" and snap["serving"][0]["room"] == "1"
    assert snap["last_call"]["call_id"] == called["ticket"]["call_id"]
    kela_state = next(s for s in snap["services"] if s["id"] == "kela")
    assert kela_state["waiting"] == 1 and kela_state["open"] is True
    done = controller.handle(cmd(topics.COMPLETE, "d1", room="1")).response
    assert done["ok"] and done["ticket"]["number"] == "K001"
    assert controller.snapshot()["serving"] == []


def test_closed_service_is_refused_with_its_next_opening(controller) -> None:
    answer = controller.handle(cmd(topics.ISSUE, "r1", service="migri")).response
    assert answer["ok"] is False
    assert answer["error"]["code"] == "service_closed"
    assert answer["error"]["next_open"].startswith("2026-12-01T10:00")


def test_call_takes_the_oldest_ticket_across_the_rooms_services(controller, clock) -> None:
    controller.handle(cmd(topics.ISSUE, "a", service="vero"))
    clock.advance(minutes=1)
    controller.handle(cmd(topics.ISSUE, "b", service="kela"))
    answer = controller.handle(cmd(topics.CALL, "c", room="2")).response
    assert answer["ticket"]["number"] == "V001"
    # Room 1 serves only Kela.
    answer = controller.handle(cmd(topics.CALL, "d", room="1")).response
    assert answer["ticket"]["number"] == "K001"
    # Nobody left: an empty queue is not an error.
    answer = controller.handle(cmd(topics.CALL, "e", room="1")).response
    assert answer == {"ok": True, "ticket": None}


def test_a_repeated_request_id_never_issues_twice(controller) -> None:
    first = controller.handle(cmd(topics.ISSUE, "same", service="kela"))
    again = controller.handle(cmd(topics.ISSUE, "same", service="kela"))
    assert again.response == first.response
    assert again.events == []
    assert controller.snapshot()["services"][0]["waiting"] == 1


def test_restart_rebuilds_the_same_queue_from_the_ledger(tmp_path, clock) -> None:
    path = tmp_path / "ledger.sqlite"
    config = small_site()
    before = Controller(config, Ledger(path), clock)
    for i in range(5):
        before.handle(cmd(topics.ISSUE, f"i{i}", service="kela" if i % 2 else "vero"))
    before.handle(cmd(topics.CALL, "c1", room="2"))
    before.handle(cmd(topics.CALL, "c2", room="1"))
    before.handle(cmd(topics.COMPLETE, "d1", room="2"))
    expected = before.snapshot()
    before.ledger.close()
    after = Controller(config, Ledger(path), clock)
    assert after.snapshot() == expected
    # and a request answered before the restart is still answered the same
    assert after.handle(cmd(topics.ISSUE, "i0", service="vero")).events == []


def test_the_next_day_starts_clean_and_keeps_yesterday_in_the_ledger(controller, clock) -> None:
    controller.handle(cmd(topics.ISSUE, "r1", service="kela"))
    clock.advance(days=1)
    answer = controller.handle(cmd(topics.ISSUE, "r2", service="kela")).response
    assert answer["ticket"]["number"] == "K001"
    yesterday = controller.ledger.events_of_day(MONDAY.isoformat())
    assert [e.type for e in yesterday] == [EventType.TICKET_ISSUED, EventType.TICKET_CANCELLED,
                                           EventType.DAY_CLOSED]  # its report, late
    assert yesterday[1].data == {"number": "K001", "service": "kela", "reason": "expired"}


def test_an_anonymous_site_hides_the_authority_of_called_numbers(tmp_path, clock) -> None:
    controller = Controller(small_site(anonymous=True), Ledger(tmp_path / "l.sqlite"), clock)
    first = controller.handle(cmd(topics.ISSUE, "a", service="kela")).response
    second = controller.handle(cmd(topics.ISSUE, "b", service="vero")).response
    assert (first["ticket"]["number"], second["ticket"]["number"]) == ("001", "002")
    controller.handle(cmd(topics.CALL, "c", room="1"))
    serving = controller.snapshot()["serving"]
    assert serving[0]["ticket"] == "001" and "service" not in serving[0]


def test_recall_is_a_new_call_of_the_same_ticket(controller, clock) -> None:
    controller.handle(cmd(topics.ISSUE, "i", service="kela"))
    first = controller.handle(cmd(topics.CALL, "c", room="1")).response["ticket"]
    clock.advance(minutes=2)
    again = controller.handle(cmd(topics.RECALL, "r", room="1")).response["ticket"]
    assert again["number"] == first["number"]
    assert again["call_id"] != first["call_id"] and again["calls"] == 2
    assert controller.snapshot()["last_call"]["call_id"] == again["call_id"]


def test_no_show_leaves_the_queue_and_is_reinstated_only_within_grace(controller, clock) -> None:
    for rid in ("i1", "i2", "i3"):
        controller.handle(cmd(topics.ISSUE, rid, service="kela"))
    controller.handle(cmd(topics.CALL, "c1", room="1"))  # K001
    answer = controller.handle(cmd(topics.NO_SHOW, "n1", room="1")).response
    assert answer["ticket"]["status"] == "no_show"
    assert controller.snapshot()["serving"] == []
    assert controller.snapshot()["services"][0]["waiting"] == 2
    clock.advance(minutes=10)  # K001 arrives late, within the 15 minutes of grace
    back = controller.handle(cmd(topics.REINSTATE, "b1", ticket="K001")).response
    assert back["ok"] and back["ticket"]["status"] == "waiting"
    # Back at the place of its original issue time: it is called next.
    assert controller.handle(cmd(topics.CALL, "c2", room="1")).response["ticket"]["number"] \
        == "K001"
    controller.handle(cmd(topics.NO_SHOW, "n2", room="1"))
    clock.advance(minutes=16)
    late = controller.handle(cmd(topics.REINSTATE, "b2", ticket="K001")).response
    assert late["error"]["code"] == "no_ticket" and "new number" in late["error"]["message"]


def test_transfer_keeps_the_number_and_the_place_by_issue_time(controller, clock) -> None:
    controller.handle(cmd(topics.ISSUE, "k", service="kela"))  # 09:00 K001
    clock.advance(minutes=5)
    controller.handle(cmd(topics.ISSUE, "v", service="vero"))  # 09:05 V001
    controller.handle(cmd(topics.CALL, "c", room="1"))  # K001 to room 1 ...
    clock.advance(minutes=10)
    moved = controller.handle(cmd(topics.TRANSFER, "t", room="1", to_service="vero")).response
    assert moved["ticket"]["number"] == "K001" and moved["ticket"]["service"] == "vero"
    # ... and Vero calls K001 before V001: it was issued earlier.
    assert controller.handle(cmd(topics.CALL, "c2", room="2", services=["vero"])) \
        .response["ticket"]["number"] == "K001"


def test_cancel_removes_a_waiting_ticket(controller) -> None:
    controller.handle(cmd(topics.ISSUE, "i", service="kela"))
    assert controller.handle(cmd(topics.CANCEL, "x", ticket="K001")).response["ok"]
    assert controller.handle(cmd(topics.CALL, "c", room="1")).response["ticket"] is None
    again = controller.handle(cmd(topics.CANCEL, "y", ticket="K001")).response
    assert again["error"]["code"] == "no_ticket"


def test_call_a_chosen_ticket(controller) -> None:
    for rid in ("a", "b", "c"):
        controller.handle(cmd(topics.ISSUE, rid, service="kela"))
    answer = controller.handle(cmd(topics.CALL, "x", room="2", ticket="K003")).response
    assert answer["ticket"]["number"] == "K003"


def test_issuing_stops_when_the_queue_cannot_be_served_before_closing(controller, clock) -> None:
    clock.set(at(MONDAY, 15, 20))  # Kela closes at 16:00; 12 min per customer, 2 rooms
    numbers = []
    for i in range(10):
        answer = controller.handle(cmd(topics.ISSUE, f"i{i}", service="kela")).response
        if not answer["ok"]:
            break
        numbers.append(answer["ticket"]["number"])
    assert 3 <= len(numbers) < 10
    assert answer["error"]["code"] == "service_closed"
    assert answer["error"]["next_open"].startswith("2026-12-01T08:00")


def test_estimate_is_unknown_when_no_room_serves_the_service(tmp_path, clock) -> None:
    import dataclasses

    config = small_site()
    config = dataclasses.replace(config, rooms=tuple(
        dataclasses.replace(r, services=tuple(s for s in r.services if s != "vero"))
        for r in config.rooms))
    c = Controller(config, Ledger(tmp_path / "l.sqlite"), clock)
    answer = c.handle(cmd(topics.ISSUE, "i", service="vero")).response
    assert answer["ok"] and answer["ticket"]["eta_minutes"] is None


def test_a_clock_that_jumps_back_keeps_the_day_and_its_numbers(tmp_path, clock) -> None:
    path = tmp_path / "l.sqlite"
    Controller(small_site(), Ledger(path), clock).handle(cmd(topics.ISSUE, "a", service="kela"))
    # A Pi without a real-time clock reboots offline and believes it is 1 January 2026.
    clock.set(at(MONDAY.replace(month=1, day=5), 9, 0))
    again = Controller(small_site(), Ledger(path), clock)
    assert again.state.day == MONDAY.isoformat()
    answer = again.handle(cmd(topics.ISSUE, "b", service="kela")).response
    assert answer["ticket"]["number"] == "K002"  # not a second K001


def test_events_made_before_the_clock_is_synchronised_are_marked(tmp_path, clock) -> None:
    sure = {"value": False}
    c = Controller(small_site(), Ledger(tmp_path / "l.sqlite"), clock,
                   clock_sure=lambda: sure["value"])
    first = c.handle(cmd(topics.ISSUE, "a", service="kela")).events[0]
    sure["value"] = True
    second = c.handle(cmd(topics.ISSUE, "b", service="kela")).events[0]
    assert first.data["clock_unsure"] is True and "clock_unsure" not in second.data
