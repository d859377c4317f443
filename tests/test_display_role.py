"""The display role end to end on its seams: an in-memory broker and a clock that jumps
(testkit/jumping.py), SDL dummy drivers and gpiozero mock pins. The behaviour itself (which
calls chime, the blink, quiet hours, slides, stale data) is tested on the flow, in
tests/test_display_flow.py; here, that the shell carries it out: the state off the broker
chimes once and is drawn, a reconnect brings no chime, an idle screen draws nothing, a lost
broker is shown with the data's age, and the buzzer sounds on its pin.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from firmware.clock import ManualClock
from firmware.device import build_roles
from firmware.display.flow import BLINK_FOR_S
from firmware.runtime import Runtime
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from testkit.jumping import JumpingSite
from testkit.pins import event_pins
from tests.helpers import demo_config

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


def call_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"piste-test-call:{name}"))


def state(*calls: tuple[str, str, str]) -> bytes:
    """The controller's retained state as the contract has it; each call's id is a UUID made
    from its short name, so the same name is the same call."""
    serving = [{"ticket": t, "room": r, "service": "kela", "call_id": call_id(c),
                "called_at": "2026-12-01T10:00:00+02:00"} for t, r, c in calls]
    last = ({"ticket": serving[0]["ticket"], "room": serving[0]["room"],
             "call_id": serving[0]["call_id"], "at": serving[0]["called_at"]}
            if serving else None)
    return json.dumps({"seq": len(calls), "day": "2026-12-01", "services": [
        {"id": "kela", "waiting": 2, "eta_minutes": 12, "eta_range": [8, 16], "open": True,
         "next_open": None}], "serving": serving, "last_call": last}).encode()


def display_device(memory_broker: MemoryBroker, tmp_path: Path, **display: Any
                   ) -> tuple[JumpingSite, Runtime, Any]:
    config = demo_config(None)
    # No voice: espeak-ng speaks each call for seconds of real time (tests/test_speech.py
    # has it); what these tests watch is the chime, the screen and the blink.
    display = {"voice": False, **display}
    devices = tuple(dataclasses.replace(d, display=dataclasses.replace(d.display, **display))
                    if d.id == "waiting-1" else d for d in config.devices)
    config = dataclasses.replace(config, devices=devices)
    site = JumpingSite(ManualClock(TUESDAY_10), memory_broker)
    runtime = site.device(config, "waiting-1", build_roles(config, "waiting-1"), tmp_path,
                          uses_screen=True)
    return site, runtime, site.client(config.site.id, "controller")


def test_chime_once_per_call_recall_again_text_on_screen_and_idle_draws_nothing(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    site, runtime, controller = display_device(memory_broker, tmp_path, stale_after_s=600)
    topic = topics.queue_state(controller.site_id)
    with site:
        display = next(r for r in runtime.roles if r.name == "display")
        controller.publish_raw(topic, state(("K001", "1", "a")), retain=True)
        site.settle()
        assert display.snapshot.get("serving"), "the first state"
        assert display.chimes == 0  # already on every screen before we started
        controller.publish_raw(topic, state(("K002", "2", "b"), ("K001", "1", "a")),
                               retain=True)
        site.settle()
        assert display.chimes == 1  # the chime for K002
        assert display.announced == ["K002 Huone 2"]
        texts = [i.text for i in display._last_plan.texts]
        assert "K002" in texts and "Huone 2" in texts  # the sound has its text on screen
        # A recall: the same ticket, a new call id: it chimes again.
        controller.publish_raw(topic, state(("K002", "2", "b2"), ("K001", "1", "a")),
                               retain=True)
        site.settle()
        assert display.chimes == 2  # the recall's chime

        # The blink stops after a few seconds; then the screen is idle and draws nothing.
        site.run_for(BLINK_FOR_S + 0.5)
        assert display._last_view.blink_on
        before = display.frames_drawn
        site.run_for(2.5)  # timers tick twice; nothing visible changes within the minute
        drawn = display.frames_drawn - before
        minute_turned = display._last_view.now.minute != 0
        assert drawn == 0 or minute_turned

        # The broker goes and comes back: the retained state again, but no new call.
        memory_broker.stop()
        site.settle()
        assert not runtime.link.connected
        memory_broker.start()
        site.run_for(0.5)
        assert runtime.link.connected
        assert display.chimes == 2


def test_a_lost_broker_is_shown_calmly_with_the_age(memory_broker: MemoryBroker,
                                                    tmp_path: Path) -> None:
    site, runtime, controller = display_device(memory_broker, tmp_path, stale_after_s=5)
    topic = topics.queue_state(controller.site_id)
    with site:
        display = next(r for r in runtime.roles if r.name == "display")
        controller.publish_raw(topic, state(("K001", "1", "a")), retain=True)
        site.settle()
        assert display.snapshot.get("serving")  # the first state
        memory_broker.stop()
        view = site.run_until(lambda: display._last_view if display._last_view.stale_age_s
                              else None, within_s=15, what="the stale notice")
        texts = [i.text for i in display._last_plan.texts]
        assert any("Tietoja päivitetään" in t for t in texts)
        assert any(t.startswith("Viimeisin tieto") and " s sitten" in t for t in texts)
        assert "K001" not in texts  # the old queue is not posed as current
        assert view.stale_age_s >= 5
        memory_broker.start()
        site.run_until(lambda: display._last_view.stale_age_s is None, within_s=20,
                       what="the notice to go")


def test_buzzer_chimes_on_mock_pins_where_there_is_no_speaker() -> None:
    from firmware.display.buzzer import BuzzerChime
    from firmware.signals import DoorSignal

    factory = event_pins()
    buzzer = BuzzerChime(17, pin_factory=factory)
    buzzer.play("x")
    factory.pin(17).wait_states(lambda states: len(states) >= 5, what="two beeps")
    assert [s.state for s in factory.pin(17).states][-4:] == [True, False, True, False]
    door = DoorSignal(22, 23, pin_factory=factory)
    door.signal()
    factory.pin(23).wait_states(any, what="the door beep")
    factory.pin(22).wait_states(any, what="the door LED")
    buzzer.close()
    door.close()
