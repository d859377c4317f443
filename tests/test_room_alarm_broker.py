"""The silent alarm through a real broker's death: Mosquitto SIGKILLed while the alarm is
unanswered, its persistence lost with it, and started again. The room unit (on its own
loop, as `piste run` runs it, with gpiozero MockFactory pins) reconnects and, once the
retained answer has had its moment to arrive and none did, publishes its raise again: the
broker holds it retained once more, for every console and relay that connects."""

from __future__ import annotations

import dataclasses
import queue
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from firmware.broker import LocalBroker
from firmware.clock import ManualClock
from firmware.room.role import RoomRole
from firmware.runtime import Runtime
from firmware.site_model import RoomUnitConfig
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from mqtt_bridge.messages import AlarmRaised
from testkit.devices import RunningDevice
from testkit.pins import event_pins
from tests.helpers import demo_config

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
ALARM_KEY, ALARM_LED = 16, 20


def next_raise(inbox: queue.Queue[tuple[str, bytes, bool]], within_s: float
               ) -> tuple[AlarmRaised, bool]:
    """The next raise a watch receives (an empty one, a removal, is passed over), and
    whether it came retained."""
    while True:
        try:
            _topic, payload, retained = inbox.get(timeout=within_s)
        except queue.Empty:
            raise AssertionError(f"no alarm raised within {within_s} s") from None
        if payload:
            return AlarmRaised.from_payload(payload), retained


def test_an_unanswered_alarm_is_retained_again_after_the_broker_lost_it(
        private_broker: LocalBroker, tmp_path: Path) -> None:
    config = demo_config(private_broker, tmp_path)
    unit = RoomUnitConfig(alarm_key=ALARM_KEY, alarm_led=ALARM_LED)
    devices = tuple(dataclasses.replace(d, room_unit=unit) if d.id == "room-1" else d
                    for d in config.devices)
    config = dataclasses.replace(config, devices=devices)
    site = config.site.id
    raised_topic = topics.alarm_raised(site, "1")
    pins = event_pins()
    device = config.device("room-1")
    assert device is not None
    runtime = Runtime(config, device, ManualClock(TUESDAY_10), tmp_path / "room-1",
                      [RoomRole(pin_factory=pins)], broker_host=private_broker.host,
                      broker_port=private_broker.port)
    (tmp_path / "room-1").mkdir()
    with RunningDevice(runtime), BlockingClient(private_broker.host, private_broker.port,
                                                site, "guard") as guard:
        raises = guard.watch(raised_topic)
        assert runtime.link.wait_connected(10)
        key = pins.pin(ALARM_KEY)
        key.drive_low()  # held: gpiozero's hold thread raises it after hold_s
        raised, _ = next_raise(raises, within_s=10)
        key.drive_high()
        assert (raised.room, raised.source) == ("1", "key")
        pins.pin(ALARM_LED).wait_states(lambda s: s[-1], what="the LED: sent")

        # A power cut for the broker, and its disk lost with it: the raise is gone (a
        # SIGKILLed Mosquitto saves nothing more, and what it had saved is deleted), so a
        # raise retained after the restart can only be the room unit's own, sent again.
        private_broker.kill()
        for saved in private_broker.workdir.glob("*.db"):
            saved.unlink()
        private_broker.start()

        # Back within the reconnect back-off (at most a few seconds) and the settle time.
        again, _ = next_raise(raises, within_s=20)
        assert again == raised  # the same alarm: a console that had it changes nothing
        with BlockingClient(private_broker.host, private_broker.port, site, "late") as late:
            kept, retained = next_raise(late.watch(raised_topic), within_s=10)
        assert kept == raised and retained  # on the broker, for whoever comes next
