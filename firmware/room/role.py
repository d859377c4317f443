"""The room role: the shell around the room unit's flow (flow.py) on the hardware beside a
service-room door: the screen, the clerk's keys and LED, the door signal, the occupancy
sensors.

What the room unit does is decided in `RoomFlow`, which is pure and tested alone
(tests/test_room_flow.py). This shell only translates: a key press, a sensor's reading or
failure, the controller's answer or state (read by wire.py), the link and the timers become
the flow's events, and the flow's effects are carried out here: the command through the
requester, the LED, the door signal, the retained occupancy, timers on the runtime's loop,
a redraw, `health`.

Everything here runs on the runtime's loop. gpiozero's key and pin callbacks and the LD2410
reader's thread only post to the inbox (sensors/: one adapter per side).

The controller's side of occupancy (ledger events, pruning, sensor alerts) is in
`firmware.controller.occupancy`.

The silent alarm (issue 26; rules in alarm.py): the alarm key is a gpiozero Button held
`[alarm] hold_s`; the raise goes out retained at QoS 1 on the room's own alarm topic, and
the broker's acknowledgement of that publish (the link's `Delivered`, matched by its paho
message id) is what lights the key's LED. The unanswered raise is kept in
`{data_dir}/alarm-{room}.json`, so that a room unit that restarts sends it again.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from firmware.core.occupancy import SIDES
from firmware.room import flow as rf
from firmware.room.alarm import AlarmPattern
from firmware.room.flow import RoomFlow, has_sensor_pair
from firmware.room.texts import ALARM_FAULTS, in_words
from firmware.room.wire import answer_event, state_event
from firmware.runtime import Role, Runtime
from firmware.site_model import SensorConfig
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.messages import AlarmRaised
from mqtt_bridge.requester import Requester

log = logging.getLogger(__name__)

BLINK_S = 0.15  # the clerk's LED: on and off this long for each blink
ALARM_HOLD_S = 2.0  # `[alarm] hold_s` until the site's [alarm] table is read (issue 26)
ALARM_BLIP_S, ALARM_BLIP_EVERY_S = 0.1, 2.0  # the alarm LED once acknowledged: "seen"
ALARM_MIDS_REMEMBERED = 64  # raises published and not yet acknowledged by the broker


class RoomRole(Role):
    name = "room"

    def __init__(self, frames_dir: Path | None = None, pin_factory: Any = None,
                 lang: str = "fi", serial_factory: Callable[[str], Any] | None = None
                 ) -> None:
        self.frames_dir = frames_dir
        self.pin_factory = pin_factory  # None: gpiozero's own choice (lgpio on a Pi 5)
        # None: pyserial opens the configured port; tests give a radar double by its name.
        self.serial_factory = serial_factory
        self.lang = lang
        self.adapters: list[Any] = []
        self.buttons: dict[str, Any] = {}
        self.led: Any = None
        self.door: Any = None
        self.screen: Any = None
        self.dirty = True
        self._timers: dict[rf.Timer, Any] = {}
        self.keys_problem = ""
        self.alarm_key: Any = None
        self.alarm_led: Any = None
        self.alarm_problems: dict[str, str] = {}  # "key" / "led": why it could not be opened
        self._alarm_mids: dict[int, str] = {}  # paho message id -> the raise it published

    # -- start and stop -----------------------------------------------------------------

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        device = runtime.device
        assert device.room is not None  # the config checks that a room unit names its room
        self.room_id = device.room
        room = runtime.config.room(device.room)
        self.room_name = room.name.get(self.lang) if room else device.room
        self.flow = RoomFlow(device.room, list(room.services) if room else [],
                             device.room_unit, runtime.clock.now(), lang=self.lang)
        self.requester = Requester(runtime.site, device.id, runtime.link.publish,
                                   runtime.call_later)
        runtime.link.subscribe(topics.queue_state(runtime.site))
        runtime.link.subscribe(self.requester.reply_topic)
        self._start_sensors()
        self._start_keys()
        self._start_alarm()
        self._start_screen()
        self._start_door_signal()
        self.feed(rf.Started(link_up=runtime.link.connected))

    def _start_sensors(self) -> None:
        unit = self.runtime.device.room_unit
        if has_sensor_pair(unit):
            for side in SIDES:
                self._open_adapter(side, getattr(unit, side))

    def _open_adapter(self, side: str, sensor: SensorConfig) -> None:
        post, clock = self.runtime.post, self.runtime.clock

        def level(present: bool) -> None:  # on the adapter's thread: stamp and hand over
            at = clock.now()
            post(lambda: self.feed(rf.Reading(side, present, at)))

        def failed(message: str) -> None:
            post(lambda: self.feed(rf.SensorFailed(side, message)))

        try:
            if sensor.kind == "ld2410":
                from firmware.room.sensors.ld2410 import LD2410Reader

                port = (self.serial_factory(sensor.serial_port) if self.serial_factory
                        else sensor.serial_port)
                reader = LD2410Reader(port, lambda r: level(r.present), failed,
                                      monotonic=self.runtime.monotonic)
                reader.open()
                self.adapters.append(reader)
            else:
                from firmware.room.sensors.pir import DigitalPresence

                assert sensor.pin is not None
                pin_input = DigitalPresence(sensor.pin, level, kind=sensor.kind,
                                            active_high=sensor.active_high,
                                            pin_factory=self.pin_factory)
                self.adapters.append(pin_input)
                pin_input.announce()
        except Exception as exc:  # a missing port or a pin in use: unknown, and said so
            log.error("room %s: the %s sensor could not be opened: %s", self.room_id, side, exc)
            self.feed(rf.SensorFailed(side, str(exc)))

    def _start_keys(self) -> None:
        unit = self.runtime.device.room_unit
        from_config = {"call_next": unit.key_call_next, "recall": unit.key_recall,
                       "no_show": unit.key_no_show, "complete": unit.key_complete}
        if not any(pin is not None for pin in from_config.values()) and unit.led_pin is None:
            return
        from gpiozero import LED, Button

        try:
            for action, pin in from_config.items():
                if pin is None:
                    continue
                button = Button(pin, bounce_time=0.05, hold_time=unit.long_press_s,
                                pin_factory=self.pin_factory)
                # gpiozero's thread: hand the press over, nothing else.
                if action in rf.HOLDABLE:
                    # gpiozero times the hold: held long, the room pauses or resumes; let
                    # go sooner, it calls next (so the call waits for the key to come up).
                    button.when_held = lambda a=action: self.runtime.post(lambda: self.hold(a))
                    button.when_released = lambda a=action: self.runtime.post(
                        lambda: self.release(a))
                else:
                    button.when_pressed = lambda a=action: self.runtime.post(
                        lambda: self.press(a))
                self.buttons[action] = button
            if unit.led_pin is not None:
                self.led = LED(unit.led_pin, pin_factory=self.pin_factory)
        except Exception as exc:  # no GPIO on this machine, or a pin in use
            # The room display and the occupancy still run; health says what is missing.
            self.keys_problem = f"clerk keys unavailable: {exc}"
            log.error("room %s: %s", self.room_id, self.keys_problem)

    def _start_alarm(self) -> None:
        """The alarm key and its LED, each on its own: one that cannot be opened is a fault
        in `health`, and the rest of the room unit (and the other part) still works."""
        unit = self.runtime.device.room_unit
        if unit.alarm_key is None and unit.alarm_led is None:
            return
        self.runtime.link.subscribe(topics.alarm_filter(self.runtime.site, self.room_id))
        kept = self._alarm_file()
        if kept.exists():  # raised before a restart and not yet answered: sent again
            try:
                self.feed(rf.AlarmKept(kept.read_bytes()))
            except OSError as exc:
                log.error("room %s: the kept alarm could not be read: %s", self.room_id, exc)
        from gpiozero import LED, Button

        if unit.alarm_key is not None:
            # Until helper A's [alarm] table is merged, its default (issue 26).
            alarm = getattr(self.runtime.config, "alarm", None)
            hold_s = alarm.hold_s if alarm is not None else ALARM_HOLD_S
            try:
                self.alarm_key = Button(unit.alarm_key, hold_time=hold_s,
                                        pin_factory=self.pin_factory)
                # gpiozero's hold thread: hand over, nothing else. A shorter press is no
                # event at all.
                self.alarm_key.when_held = lambda: self.runtime.post(
                    lambda: self.feed(rf.AlarmKeyHeld()))
            except Exception as exc:  # no GPIO on this machine, or the pin in use
                self._alarm_fault("key", exc)
        if unit.alarm_led is not None:
            try:
                self.alarm_led = LED(unit.alarm_led, pin_factory=self.pin_factory)
            except Exception as exc:
                self._alarm_fault("led", exc)

    def _alarm_fault(self, part: str, exc: Exception) -> None:
        self.alarm_problems[part] = str(exc)
        log.error("room %s: the alarm %s could not be opened: %s", self.room_id, part, exc)

    def _alarm_file(self) -> Path:
        return self.runtime.data_dir / f"alarm-{self.room_id}.json"

    def _keep_alarm(self, message: AlarmRaised) -> None:
        """Into the file, whole or not at all (a power cut while writing leaves the old)."""
        path = self._alarm_file()
        part = path.with_name(path.name + ".part")
        try:
            with open(part, "wb") as out:
                out.write(json.dumps(message.to_wire(), separators=(",", ":")).encode())
                out.flush()
                os.fsync(out.fileno())
            os.replace(part, path)
        except OSError as exc:  # a full or read-only card: it is still sent, not kept
            log.error("room %s: the alarm could not be kept: %s", self.room_id, exc)

    def _forget_alarm(self) -> None:
        try:
            self._alarm_file().unlink(missing_ok=True)
        except OSError as exc:
            log.error("room %s: the answered alarm could not be forgotten: %s",
                      self.room_id, exc)

    def _alarm_light(self, pattern: AlarmPattern) -> None:
        if self.alarm_led is None:
            return
        if pattern is AlarmPattern.ON:
            self.alarm_led.on()
        elif pattern is AlarmPattern.BLIP:
            self.alarm_led.blink(on_time=ALARM_BLIP_S,
                                 off_time=ALARM_BLIP_EVERY_S - ALARM_BLIP_S)
        else:
            self.alarm_led.off()

    def _start_screen(self) -> None:
        try:
            from firmware.screen import Screen
        except ImportError as exc:  # pygame missing: the keys and sensors still work
            log.warning("room %s has no screen: %s", self.room_id, exc)
            return
        device = self.runtime.device
        self.screen = Screen(f"room-{device.id}", (device.screen.width, device.screen.height),
                             fullscreen=device.screen.fullscreen, frames_dir=self.frames_dir)

    def _start_door_signal(self) -> None:
        """An LED and a short beep at the door when this room calls: it helps customers who
        do not see well find the right door."""
        display = self.runtime.device.display
        if display.door_led_pin is None and display.door_buzzer_pin is None:
            return
        from firmware.signals import DoorSignal

        try:
            self.door = DoorSignal(display.door_led_pin, display.door_buzzer_pin,
                                   pin_factory=self.pin_factory)
        except Exception as exc:  # no GPIO here: the screen still shows the call
            log.warning("door signal unavailable: %s", exc)

    def stop(self) -> None:
        if self.door is not None:
            self.door.close()
        for adapter in self.adapters:
            adapter.close()
        for part in (*self.buttons.values(), self.led, self.alarm_key, self.alarm_led):
            if part is not None:
                part.close()
        if self.screen is not None:
            self.screen.close()

    # -- events in ------------------------------------------------------------------------

    def feed(self, event: rf.Event) -> None:
        """Give the flow one event and carry out what it answers."""
        for effect in self.flow.on(event, self.runtime.clock.now()):
            self._carry_out(effect)

    def press(self, action: str) -> None:
        """A clerk key was pressed (on the loop)."""
        self.feed(rf.KeyPressed(action))

    def hold(self, action: str) -> None:
        """A holdable key was held `long_press_s` (on the loop)."""
        self.feed(rf.KeyHeld(action))

    def release(self, action: str) -> None:
        """A holdable key came up (on the loop)."""
        self.feed(rf.KeyReleased(action))

    def on_message(self, message: Incoming) -> None:
        if self.requester.on_message(message):
            return
        alarm = topics.parse_alarm(self.runtime.site, message.topic)
        if alarm is not None:
            self.feed(rf.AlarmMessage(*alarm, message.payload))
            return
        if message.topic == topics.queue_state(self.runtime.site):
            state = state_event(message.payload, self.room_id)
            if state is not None:
                self.feed(state)

    def on_link_up(self) -> None:
        self.feed(rf.LinkUp())

    def on_link_down(self) -> None:
        self.feed(rf.LinkDown())

    def on_delivered(self, mid: int) -> None:
        alarm = self._alarm_mids.pop(mid, None)
        if alarm is not None:
            self.feed(rf.AlarmDelivered(alarm))

    # -- effects out ----------------------------------------------------------------------

    def _carry_out(self, effect: rf.Effect) -> None:
        match effect:
            case rf.Send(command, body, action):
                self.requester.request(
                    command, body, lambda answer: self.feed(answer_event(action, answer)))
            case rf.Light(on):
                if self.led is not None:
                    self.led.on() if on else self.led.off()
            case rf.Blink(times):
                if self.led is not None:
                    self.led.blink(on_time=BLINK_S, off_time=BLINK_S, n=times)
            case rf.SignalDoor():
                if self.door is not None:
                    self.door.signal()
            case rf.PublishOccupancy(payload):
                self.runtime.publish_json(topics.room_occupancy(self.runtime.site,
                                                                self.room_id),
                                          payload, retain=True, qos=1)
            case rf.StartTimer(name, delay_s, device_clock):
                self._start_timer(name, delay_s, device_clock)
            case rf.CancelTimer(name):
                self._cancel_timer(name)
            case rf.Redraw():
                self.dirty = True
            case rf.HealthChanged():
                self.runtime.publish_health()
            case rf.PublishAlarm(message):
                body = json.dumps(message.to_wire(), separators=(",", ":")).encode()
                # Made while the link is down, paho keeps it and sends it once it is back;
                # its acknowledgement names this id then.
                info = self.runtime.link.publish(
                    topics.alarm_raised(self.runtime.site, self.room_id), body, qos=1,
                    retain=True)
                self._alarm_mids[info.mid] = message.alarm
                while len(self._alarm_mids) > ALARM_MIDS_REMEMBERED:  # never acknowledged
                    del self._alarm_mids[next(iter(self._alarm_mids))]
            case rf.RemoveAlarm():
                self.runtime.link.publish(topics.alarm_raised(self.runtime.site, self.room_id),
                                          b"", qos=1, retain=True)
            case rf.AlarmLight(pattern):
                self._alarm_light(pattern)
            case rf.KeepAlarm(message):
                self._keep_alarm(message)
            case rf.ForgetAlarm():
                self._forget_alarm()

    def _start_timer(self, name: rf.Timer, delay_s: float, device_clock: bool) -> None:
        self._cancel_timer(name)
        if device_clock:  # the runtime's timers count real seconds
            speed = getattr(self.runtime.clock, "speed", 1.0) or 1.0
            delay_s = max(0.005, delay_s / speed)
        self._timers[name] = self.runtime.call_later(delay_s, lambda: self._timer_due(name))

    def _timer_due(self, name: rf.Timer) -> None:
        self._timers.pop(name, None)
        self.feed(rf.TimerDue(name))

    def _cancel_timer(self, name: rf.Timer) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.cancel()

    # -- drawing and health ---------------------------------------------------------------

    def screen_state(self) -> str:
        return self.flow.screen_state()

    def occupancy_payload(self) -> dict[str, Any] | None:
        return self.flow.occupancy_payload()

    def view(self) -> Any:
        from firmware.room.screen import RoomView

        paused = self.flow.screen_state() == "paused"
        return RoomView(room_name=self.room_name,
                        number=self.flow.last_call() if paused else self.flow.number,
                        state=self.flow.screen_state(), message=self.flow.message,
                        lang=self.lang, now=self.runtime.clock.now(), text_px=self.text_px())

    def text_px(self) -> int:
        """The smallest readable font on this door screen (0.7 degrees at the door)."""
        from firmware.room.screen import room_text_px

        device = self.runtime.device
        return room_text_px(device.room_unit, (device.screen.width, device.screen.height))

    def render(self) -> None:
        if self.screen is None or not self.dirty:
            return
        self.dirty = False
        from firmware.room.screen import render_room

        render_room(self.screen.surface, self.view())
        self.screen.present()

    def health(self) -> dict[str, Any]:
        report: dict[str, Any] = {"sensors": self.flow.sensor_health(self.runtime.clock.now())}
        if self.screen is not None:
            report["display"] = {"screen": self.screen.problem or "ok"}
        if self.buttons or self.keys_problem:
            report["keys"] = {"state": "error" if self.keys_problem else "ok",
                              **({"error": self.keys_problem} if self.keys_problem else {})}
        unit = self.runtime.device.room_unit
        if unit.alarm_key is not None or unit.alarm_led is not None:
            report["alarm"] = self.alarm_health()
        return report

    def alarm_health(self) -> dict[str, Any]:
        """The alarm key's part of `health`: a part that could not be opened, in words for
        the service team (the device's own error beside them)."""
        if not self.alarm_problems:
            return {"state": "ok"}
        words = [in_words(ALARM_FAULTS[part]) for part in self.alarm_problems]
        return {"state": "error",
                "message": {lang: " ".join(w[lang] for w in words) for lang in words[0]},
                "error": "; ".join(f"{part}: {why}" for part, why in self.alarm_problems.items())}
