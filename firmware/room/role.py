"""The room role: the screen beside a service-room door, its occupancy sensors, clerk keys.

- Sensors: one adapter per side (a gpiozero presence input or an LD2410 radar); their
  threads only post readings. The pure `RoomOccupancy` debounces them and decides the
  room's state; a change is published retained on `room/{room}/occupancy`. A side that is
  silent, stuck or failed makes the room `unknown` (and shows in `health`), never `vacant`.
- Keys: call next (for the room's services), recall, no-show, complete. Each press sends one
  command; the LED stays lit while it is under way and then blinks once for done or three
  times for a refusal, and the screen shows what happened: a refusal is never swallowed.
- Screen: the number called in, or "please wait" / "closed", from the controller's state.

The controller's side of occupancy (ledger events, pruning, sensor alerts) is in
`firmware.controller.occupancy`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from firmware.core.occupancy import (
    SIDES,
    Debouncer,
    Occupancy,
    OccupancyState,
    RoomOccupancy,
    SensorStatus,
    SideMonitor,
)
from firmware.runtime import Role, Runtime
from firmware.site_model import SensorConfig
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.requester import Requester

log = logging.getLogger(__name__)

MESSAGE_SHOWN_S = 8.0  # a key's confirmation or refusal stays on screen this long
KEYS = ("call_next", "recall", "no_show", "complete")
COMMANDS = {"call_next": topics.CALL, "recall": topics.RECALL, "no_show": topics.NO_SHOW,
            "complete": topics.COMPLETE}

# What the screen says after a key press, fi / sv / en (shown together, the device's first).
DONE = {
    "call_next": ("Kutsuttu {n}", "Uppropad {n}", "Called {n}"),
    "recall": ("Kutsuttu uudelleen {n}", "Uppropad igen {n}", "Called again {n}"),
    "no_show": ("{n} ei saapunut", "{n} kom inte", "{n} did not come"),
    "complete": ("{n} valmis", "{n} klar", "{n} done"),
}
REFUSED = {
    "empty": ("Jono on tyhjä", "Kön är tom", "Nobody is waiting"),
    "no_ticket": ("Ei kutsuttua numeroa", "Inget uppropat nummer", "No number is called"),
    "unreachable": ("Jonopalvelu ei vastaa", "Kötjänsten svarar inte",
                    "The queue service does not answer"),
    "busy": ("Hetki, edellinen on kesken", "Ett ögonblick", "One moment, still working"),
    "other": ("Ei onnistunut: {m}", "Misslyckades: {m}", "Refused: {m}"),
}


def _say(texts: tuple[str, str, str], lang: str, **values: str) -> str:
    order = {"fi": 0, "sv": 1, "en": 2}
    first = order.get(lang, 0)
    picked = [texts[first], *(t for i, t in enumerate(texts) if i != first)]
    return " · ".join(p.format(**values) for p in picked)


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
        self.snapshot: Any = None  # the controller's latest queue state (messages.Snapshot)
        self.number: str | None = None  # the number called into this room now
        self.message = ""
        self.last_answer: dict[str, Any] | None = None
        self.occupancy: RoomOccupancy | None = None
        self.published: Occupancy | None = None
        self.adapters: list[Any] = []
        self.buttons: dict[str, Any] = {}
        self.led: Any = None
        self.screen: Any = None
        self.dirty = True
        self._timer: Any = None
        self._message_timer: Any = None
        self.keys_problem = ""

    # -- start and stop -----------------------------------------------------------------

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        device = runtime.device
        assert device.room is not None  # the config checks that a room unit names its room
        self.room_id = device.room
        room = runtime.config.room(device.room)
        self.room_name = room.name.get(self.lang) if room else device.room
        self.services = list(room.services) if room else []
        self.requester = Requester(runtime.site, device.id, runtime.link.publish,
                                   runtime.call_later)
        runtime.link.subscribe(topics.queue_state(runtime.site))
        runtime.link.subscribe(self.requester.reply_topic)
        self._start_sensors()
        self._start_keys()
        self._start_screen()
        self._start_door_signal()

    def _start_sensors(self) -> None:
        unit = self.runtime.device.room_unit
        if unit.staff.kind == "none" or unit.customer.kind == "none":
            # One side alone cannot tell a session from a clerk at work: publish nothing.
            log.info("room %s: no sensor pair configured; occupancy is not reported",
                     self.room_id)
            return
        now = self.runtime.clock.now()
        self.occupancy = RoomOccupancy(self._monitor(unit.staff, now),
                                       self._monitor(unit.customer, now))
        for side in SIDES:
            self._open_adapter(side, getattr(unit, side))
        self._update()

    @staticmethod
    def _monitor(sensor: SensorConfig, now: datetime) -> SideMonitor:
        return SideMonitor(
            sensor.kind, Debouncer(sensor.on_s, sensor.off_s), now,
            silence_s=sensor.silence_s if sensor.kind == "ld2410" else None,
            stuck_s=sensor.stuck_s)

    def _open_adapter(self, side: str, sensor: SensorConfig) -> None:
        post, clock = self.runtime.post, self.runtime.clock

        def level(present: bool) -> None:  # on the adapter's thread: stamp and hand over
            at = clock.now()
            post(lambda: self._reading(side, present, at))

        def failed(message: str) -> None:
            post(lambda: self._failed(side, message))

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
            self._failed(side, str(exc))

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
                button = Button(pin, bounce_time=0.05, pin_factory=self.pin_factory)
                # gpiozero's thread: hand the press over, nothing else.
                button.when_pressed = lambda a=action: self.runtime.post(lambda: self.press(a))
                self.buttons[action] = button
            if unit.led_pin is not None:
                self.led = LED(unit.led_pin, pin_factory=self.pin_factory)
        except Exception as exc:  # no GPIO on this machine, or a pin in use
            # The room display and the occupancy still run; health says what is missing.
            self.keys_problem = f"clerk keys unavailable: {exc}"
            log.error("room %s: %s", self.room_id, self.keys_problem)

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
        from firmware.core.calls import CallTracker

        self.door_calls = CallTracker()
        self.door: Any = None
        display = self.runtime.device.display
        if display.door_led_pin is None and display.door_buzzer_pin is None:
            return
        from firmware.display.buzzer import DoorSignal

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
        for button in self.buttons.values():
            button.close()
        if self.led is not None:
            self.led.close()
        if self.screen is not None:
            self.screen.close()

    # -- occupancy ----------------------------------------------------------------------

    def _reading(self, side: str, present: bool, at: datetime) -> None:
        assert self.occupancy is not None
        self.occupancy.side(side).reading(present, at)
        self._update()

    def _failed(self, side: str, message: str) -> None:
        if self.occupancy is not None:
            self.occupancy.side(side).failed(message)
            self._update()

    def _update(self) -> None:
        assert self.occupancy is not None
        now = self.runtime.clock.now()
        changed, statuses = self.occupancy.update(now)
        for change in statuses:
            level = logging.INFO if change.status in (SensorStatus.OK,) else logging.WARNING
            log.log(level, "room %s %s sensor: %s (was %s)", self.room_id, change.side,
                    change.status, change.previous)
        if changed is not None:
            self._publish_occupancy()
        if statuses:
            self.runtime.publish_health()
        self._schedule(now)

    def _schedule(self, now: datetime) -> None:
        assert self.occupancy is not None
        if self._timer is not None:
            self._timer.cancel()
        due = self.occupancy.due(now)
        if due is None:
            self._timer = None
            return
        speed = getattr(self.runtime.clock, "speed", 1.0) or 1.0
        delay = max(0.005, (due - now).total_seconds() / speed)
        self._timer = self.runtime.call_later(delay, self._update)

    def occupancy_payload(self) -> dict[str, Any] | None:
        if self.occupancy is None or self.occupancy.current is None:
            return None
        payload = self.occupancy.current.to_wire()
        if self.occupancy.current.state is OccupancyState.UNKNOWN:
            # Which side cannot be trusted and why: the controller's alert names it.
            payload["faults"] = {side: str(status) for side, status in
                                 self.occupancy.statuses.items()
                                 if status not in (SensorStatus.OK, SensorStatus.STARTING)}
        return payload

    def _publish_occupancy(self) -> None:
        payload = self.occupancy_payload()
        if payload is None or not self.runtime.link.connected:
            return  # retained: what is current is published again on link up
        self.runtime.publish_json(topics.room_occupancy(self.runtime.site, self.room_id),
                                  payload, retain=True, qos=1)

    def on_link_up(self) -> None:
        self._publish_occupancy()

    # -- keys -----------------------------------------------------------------------------

    def press(self, action: str) -> None:
        """A clerk key was pressed (on the loop): one command, its answer shown."""
        if self.requester.busy:
            self._show(_say(REFUSED["busy"], self.lang), ok=False)
            return
        body: dict[str, Any] = {"room": self.room_id}
        if action == "call_next":
            body["services"] = self.services
        if self.led is not None:
            self.led.on()  # under way
        self.requester.request(COMMANDS[action], body,
                               lambda answer: self._answered(action, answer))

    def _answered(self, action: str, answer: dict[str, Any] | None) -> None:
        self.last_answer = answer
        if answer is None:
            self._show(_say(REFUSED["unreachable"], self.lang), ok=False)
            return
        if not answer.get("ok"):
            error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
            code = error.get("code", "") if isinstance(error, dict) else ""
            if code == "no_ticket":
                self._show(_say(REFUSED["no_ticket"], self.lang), ok=False)
            else:
                message = str(error.get("message", code) if isinstance(error, dict) else code)
                self._show(_say(REFUSED["other"], self.lang, m=message[:60]), ok=False)
            return
        ticket = answer.get("ticket")
        if not isinstance(ticket, dict):
            self._show(_say(REFUSED["empty"], self.lang), ok=False)
            if action == "call_next":
                self.number = None  # calling next completed the one the room had
            return
        number = str(ticket.get("number", ""))
        self.number = number if action in ("call_next", "recall") else None
        self._show(_say(DONE[action], self.lang, n=number), ok=True)

    def _show(self, message: str, *, ok: bool) -> None:
        self.message = message
        self.dirty = True
        if self.led is not None:
            self.led.off()
            self.led.blink(on_time=0.15, off_time=0.15, n=1 if ok else 3)
        if self._message_timer is not None:
            self._message_timer.cancel()
        self._message_timer = self.runtime.call_later(MESSAGE_SHOWN_S, self._clear_message)

    def _clear_message(self) -> None:
        self.message = ""
        self.dirty = True

    # -- the controller's state and the screen ---------------------------------------------

    def on_message(self, message: Incoming) -> None:
        if self.requester.on_message(message):
            return
        if message.topic != topics.queue_state(self.runtime.site):
            return
        from mqtt_bridge.messages import MessageError, Snapshot

        try:
            snapshot = Snapshot.from_payload(message.payload)
        except MessageError:
            return
        self.snapshot = snapshot
        mine = [r for r in snapshot.serving if r.room == self.room_id]
        self.number = mine[-1].ticket if mine else None
        # A new call (or a recall) to this room, not one received again after a reconnect.
        calls = [r.call_id for r in reversed(mine)]
        if self.door_calls.new_call_ids(calls) and self.door is not None:
            self.door.signal()
        self.dirty = True

    def screen_state(self) -> str:
        if self.snapshot is None or not self.runtime.link.connected:
            return "unknown"
        if self.number:
            return "called"
        return "free" if self.snapshot.open_services() & set(self.services) else "closed"

    def view(self) -> Any:
        from firmware.room.screen import RoomView

        return RoomView(room_name=self.room_name, number=self.number,
                        state=self.screen_state(), message=self.message, lang=self.lang,
                        now=self.runtime.clock.now(), text_px=self.text_px())

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
        report: dict[str, Any] = {}
        if self.occupancy is not None:
            now = self.runtime.clock.now()
            report["sensors"] = {
                side: {"kind": self.occupancy.side(side).kind,
                       "state": str(self.occupancy.side(side).status(now)),
                       **({"error": self.occupancy.side(side).error}
                          if self.occupancy.side(side).error else {})}
                for side in SIDES}
        else:
            report["sensors"] = {"state": "none"}
        if self.screen is not None:
            report["display"] = {"screen": self.screen.problem or "ok"}
        if self.buttons or self.keys_problem:
            report["keys"] = {"state": "error" if self.keys_problem else "ok",
                              **({"error": self.keys_problem} if self.keys_problem else {})}
        return report
