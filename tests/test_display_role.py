"""The display role on real parts: a real Mosquitto, SDL dummy drivers, gpiozero mock pins.

What a waiting customer notices: every call chimes once (a recall again, a reconnect never),
every sound has its text on screen, the newest call blinks briefly and then stops, a lost
controller is said calmly with the data's age, and an idle screen draws nothing.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from gpiozero.pins.mock import MockFactory

from firmware.clock import ShiftedClock
from firmware.device import build_runtime
from firmware.display.role import BLINK_FOR_S, announcement
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from tests.helpers import RunningDevice, demo_config, wait_for

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


def display_device(broker, tmp_path, **display):
    config = demo_config(broker)
    devices = tuple(dataclasses.replace(d, display=dataclasses.replace(d.display, **display))
                    if d.id == "waiting-1" else d for d in config.devices)
    config = dataclasses.replace(config, devices=devices)
    runtime = build_runtime(config, "waiting-1", clock=ShiftedClock(TUESDAY_10),
                            data_dir=tmp_path)
    return config, runtime


def test_chime_once_per_call_recall_again_text_on_screen_and_idle_draws_nothing(
        private_broker, tmp_path) -> None:
    config, runtime = display_device(private_broker, tmp_path, stale_after_s=600)
    topic = topics.queue_state(config.site.id)
    with RunningDevice(runtime) as device, BlockingClient(
            private_broker.host, private_broker.port, config.site.id) as controller:
        display = device.role("display")
        controller.publish_raw(topic, state(("K001", "1", "a")), retain=True)
        wait_for(lambda: display.snapshot.get("serving"), what="the first state")
        assert display.chimes == 0  # already on every screen before we started
        controller.publish_raw(topic, state(("K002", "2", "b"), ("K001", "1", "a")),
                               retain=True)
        wait_for(lambda: display.chimes == 1, what="the chime for K002")
        assert display.announced == ["K002 Huone 2"]
        texts = device.on_loop(lambda: [i.text for i in display._last_plan.texts])
        assert "K002" in texts and "Huone 2" in texts  # the sound has its text on screen
        # A recall: the same ticket, a new call id: it chimes again.
        controller.publish_raw(topic, state(("K002", "2", "b2"), ("K001", "1", "a")),
                               retain=True)
        wait_for(lambda: display.chimes == 2, what="the recall's chime")

        # The blink stops after a few seconds; then the screen is idle and draws nothing.
        time.sleep(BLINK_FOR_S + 0.5)
        assert device.on_loop(lambda: display._last_view.blink_on)
        before = display.frames_drawn
        time.sleep(2.5)  # timers tick twice; nothing visible changes within the minute
        drawn = display.frames_drawn - before
        minute_turned = device.on_loop(lambda: display._last_view.now.minute) != 0
        assert drawn == 0 or minute_turned

        # The broker goes and comes back: the retained state again, but no new call.
        private_broker.kill()
        wait_for(lambda: not runtime.link.connected, what="the link to drop")
        private_broker.start()
        wait_for(lambda: runtime.link.connected, timeout=15, what="the link to return")
        time.sleep(0.5)
        device.on_loop(lambda: None)
        assert display.chimes == 2


def test_blinks_at_most_three_times_a_second_and_stops(private_broker, tmp_path) -> None:
    config, runtime = display_device(private_broker, tmp_path, stale_after_s=600)
    topic = topics.queue_state(config.site.id)
    with RunningDevice(runtime) as device, BlockingClient(
            private_broker.host, private_broker.port, config.site.id) as controller:
        display = device.role("display")
        controller.publish_raw(topic, state(), retain=True)
        wait_for(lambda: display.tracker.primed, what="the first state")
        controller.publish_raw(topic, state(("K003", "3", "c")), retain=True)
        phases: list[tuple[float, bool]] = []
        end = time.monotonic() + BLINK_FOR_S + 1.5
        while time.monotonic() < end:
            view = display._last_view
            if view is not None and view.serving and (not phases or phases[-1][1]
                                                      != view.blink_on):
                phases.append((time.monotonic(), view.blink_on))
            time.sleep(0.01)
        changes = len(phases) - 1
        assert changes >= 4  # it did blink
        assert changes / 2 <= 3 * (BLINK_FOR_S + 1.5)  # never faster than 3 Hz
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(phases)]
        assert min(gaps) >= 1 / 6 - 0.05  # each phase lasts at least 1/6 s
        assert phases[-1][1] is True  # it ends steady, on the accent


def test_a_lost_broker_is_shown_calmly_with_the_age(private_broker, tmp_path) -> None:
    config, runtime = display_device(private_broker, tmp_path, stale_after_s=5)
    topic = topics.queue_state(config.site.id)
    with RunningDevice(runtime) as device, BlockingClient(
            private_broker.host, private_broker.port, config.site.id) as controller:
        display = device.role("display")
        controller.publish_raw(topic, state(("K001", "1", "a")), retain=True)
        wait_for(lambda: display.snapshot.get("serving"), what="the first state")
        private_broker.kill()
        view = wait_for(lambda: display._last_view if display._last_view.stale_age_s
                        else None, timeout=15, what="the stale notice")
        texts = device.on_loop(lambda: [i.text for i in display._last_plan.texts])
        assert any("Tietoja päivitetään" in t for t in texts)
        assert any(t.startswith("Viimeisin tieto") and " s sitten" in t for t in texts)
        assert "K001" not in texts  # the old queue is not posed as current
        assert view.stale_age_s >= 5
        private_broker.start()
        wait_for(lambda: display._last_view.stale_age_s is None, timeout=20,
                 what="the notice to go")


def test_buzzer_chimes_on_mock_pins_where_there_is_no_speaker(private_broker, tmp_path
                                                              ) -> None:
    from firmware.display.buzzer import BuzzerChime, DoorSignal

    factory = MockFactory()
    buzzer = BuzzerChime(17, pin_factory=factory)
    buzzer.play("x")
    wait_for(lambda: len(factory.pin(17).states) >= 5, what="two beeps")
    assert [s.state for s in factory.pin(17).states][-4:] == [True, False, True, False]
    door = DoorSignal(22, 23, pin_factory=factory)
    door.signal()
    wait_for(lambda: any(s.state for s in factory.pin(23).states), what="the door beep")
    wait_for(lambda: any(s.state for s in factory.pin(22).states), what="the door LED")
    buzzer.close()
    door.close()


def test_announcement_texts() -> None:
    names = {"fi": "Huone 5", "sv": "Rum 5", "en": "Room 5"}
    assert announcement("K042", names) == [
        ("Vuoronumero K 42, Huone 5", "fi"),
        ("Könummer K 42, Rum 5", "sv"),
        ("Queue number K 42, Room 5", "en"),
    ]
    assert announcement("017", names)[0][0] == "Vuoronumero 17, Huone 5"
