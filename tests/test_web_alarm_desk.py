"""The console's alarm desk (firmware/web/alarm_desk.py), pure: what it sends for a raise and
an answer, when it removes the raise it sent, and what each role's stream carries."""

from __future__ import annotations

import json

from firmware.core.alarm import moment, new_alarm_id
from firmware.web.alarm_desk import ALREADY, DONE, OVER, SENT, UNKNOWN, AlarmDesk, shape_alarms
from mqtt_bridge import topics
from mqtt_bridge.messages import AlarmAnswer, AlarmRaised
from testkit.site_factory import MONDAY, at, small_site

NOW = at(MONDAY, 9, 0)


def desk() -> tuple[AlarmDesk, list[tuple[str, bytes]]]:
    sent: list[tuple[str, bytes]] = []
    return AlarmDesk(small_site(), lambda topic, payload: sent.append((topic, payload))), sent


def wire(message: AlarmRaised | AlarmAnswer) -> bytes:
    return json.dumps(message.to_wire()).encode()


def test_a_console_raise_is_sent_once_and_removed_once_acknowledged() -> None:
    alarms, sent = desk()
    site = alarms.site
    assert alarms.raise_alarm("1", False, NOW) == SENT
    assert alarms.raise_alarm("1", False, NOW) == ALREADY  # one room, one alarm
    assert len(sent) == 1 and sent[0][0] == topics.alarm_raised(site, "1")
    raised = AlarmRaised.from_payload(sent[0][1])
    assert (raised.source, raised.drill, raised.room) == ("console", False, "1")
    # The broker hands it back (the console reads alarm/#): nothing changes.
    alarms.take(sent[0][0], sent[0][1], NOW)
    assert alarms.board.of_room("1").ringing and len(sent) == 1
    outcome, _ = alarms.answer(raised.alarm, "acknowledged", "guard", NOW)
    assert outcome == DONE
    answer = AlarmAnswer.from_payload(sent[1][1])
    assert (answer.state, answer.by, answer.acknowledged_at) == ("acknowledged", "guard", None)
    assert sent[2] == (topics.alarm_raised(site, "1"), b"")  # its own raise, removed
    assert alarms.answer(raised.alarm, "acknowledged", "advisor", NOW)[0] == ALREADY
    assert alarms.answer(raised.alarm, "cleared", "advisor", NOW)[0] == DONE
    cleared = AlarmAnswer.from_payload(sent[3][1])
    assert (cleared.state, cleared.acknowledged_at) == ("cleared", moment(NOW))
    assert alarms.answer(raised.alarm, "cleared", "advisor", NOW)[0] == OVER
    assert alarms.answer(new_alarm_id(), "cleared", "advisor", NOW)[0] == UNKNOWN
    assert len(sent) == 4


def test_a_room_units_raise_is_its_own_to_remove() -> None:
    alarms, sent = desk()
    raised = AlarmRaised(new_alarm_id(), "2", moment(NOW), "key")
    alarms.take(topics.alarm_raised(alarms.site, "2"), wire(raised), NOW)
    alarms.answer(raised.alarm, "cleared", "guard", NOW)
    assert [topic for topic, _ in sent] == [topics.alarm_answer(alarms.site, "2")]


def test_a_restarted_console_removes_its_answered_raise_whatever_the_order() -> None:
    alarms, sent = desk()
    raised = AlarmRaised(new_alarm_id(), "3", moment(NOW), "console")
    answer = AlarmAnswer(raised.alarm, "3", "acknowledged", moment(NOW), "guard", moment(NOW))
    alarms.take(topics.alarm_answer(alarms.site, "3"), wire(answer), NOW)
    alarms.take(topics.alarm_raised(alarms.site, "3"), wire(raised), NOW)
    assert sent == [(topics.alarm_raised(alarms.site, "3"), b"")]


def test_each_role_sees_its_part() -> None:
    alarms, _ = desk()
    alarms.raise_alarm("1", True, NOW)
    view = alarms.view(NOW)
    assert shape_alarms(view, "guard", None)["alarms"] == view["alarms"]
    assert shape_alarms(view, "advisor", None)["alarm_today"] == view["alarm_today"]
    clerk = shape_alarms(view, "clerk", "1")
    assert set(clerk) == {"alarm_notices", "alarm_own"} and clerk["alarm_notices"] == []
    assert clerk["alarm_own"]["state"] == "raised" and clerk["alarm_own"]["drill"] is True
    assert shape_alarms(view, "clerk", "2")["alarm_own"] is None
    assert shape_alarms(view, "service", None) == {"alarm_notices": []}
