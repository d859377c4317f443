"""Issue 24's morning, end to end: a bilingual site where two customers visit two authorities
on one number, a customer who needs assistance goes first, room 1's clerk takes a break with
a long press and room 2's a lunch at the console, and a recall brings a number back on top.

The room unit is driven by its keys (gpiozero mock pins), the staff console by the bodies its
own server builds (firmware/web/staff_commands.body_for) sent under the console's name, the
kiosk by its issue command; the lobby display is the real display role on SDL's dummy driver.
Everything runs on the in-memory broker with a clock that jumps (testkit/jumping.py), and every
message is checked against docs/mqtt-api.yaml after the test. Each step is checked where a
person would see it: the display's calls, the door of the room, and the day report that the
controller appends at the day's end.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.device import build_roles
from firmware.room.role import RoomRole
from firmware.site_model import RoomUnitConfig, SiteConfig
from firmware.web.staff_commands import body_for
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from testkit.jumping import JumpingSite, TestClient
from testkit.pins import event_pins
from tests.helpers import demo_config

HELSINKI = ZoneInfo("Europe/Helsinki")
TUESDAY_9 = datetime(2026, 12, 1, 9, 0, tzinfo=HELSINKI)
KEY_CALL, KEY_RECALL, KEY_DONE, LED = 5, 6, 13, 26


def bilingual_site(tmp_path: Path) -> SiteConfig:
    """The demo site (rooms 1 and 2 serve Kela in Finnish and Swedish, room 3 the Tax
    Administration in Finnish and English) with the controller, the kiosk and the console on
    devices of their own, room 1's unit with its keys, and the waiting area's display."""
    config = demo_config(None, tmp_path)
    lobby = config.device("lobby-1")
    assert lobby is not None
    unit = RoomUnitConfig(key_call_next=KEY_CALL, key_recall=KEY_RECALL, key_complete=KEY_DONE,
                          led_pin=LED, long_press_s=0.5)
    devices = [dataclasses.replace(lobby, roles=("controller",)),
               dataclasses.replace(lobby, id="kiosk-1", roles=("kiosk",)),
               dataclasses.replace(lobby, id="web-1", roles=("web",))]
    for device in config.devices:
        if device.id == "waiting-1":  # no voice: espeak-ng would speak in real seconds
            devices.append(dataclasses.replace(
                device, display=dataclasses.replace(device.display, voice=False)))
        elif device.id == "room-1":
            devices.append(dataclasses.replace(device, room_unit=unit))
    return dataclasses.replace(config, devices=tuple(devices))


class Morning:
    def __init__(self, site: JumpingSite, config: SiteConfig, tmp_path: Path) -> None:
        self.site, self.config = site, config
        self.id = config.site.id
        watcher = site.client(self.id, "watcher")
        self.events = watcher.watch(topics.queue_events(self.id))
        self.controller = ControllerRole()
        site.device(config, "lobby-1", [self.controller], tmp_path / "lobby-1")
        self.display_runtime = site.device(config, "waiting-1",
                                           build_roles(config, "waiting-1"),
                                           tmp_path / "waiting-1", uses_screen=True)
        self.display: Any = next(r for r in self.display_runtime.roles if r.name == "display")
        self.pins = event_pins()
        self.room = RoomRole(pin_factory=self.pins)
        self.room_runtime = site.device(config, "room-1", [self.room], tmp_path / "room-1")
        self.kiosk = site.client(self.id, "kiosk-1")
        self.console = site.client(self.id, "web-1")
        site.run_until(lambda: self.room.screen_state() == "free", what="room 1's door")

    # -- the people ---------------------------------------------------------------------------

    def take_number(self, service: str, lang: str) -> str:
        answer = self.kiosk.request(topics.ISSUE, {"service": service, "lang": lang,
                                                   "device": "kiosk-1"})
        assert answer["ok"], answer
        return str(answer["ticket"]["number"])

    def at_console(self, action: str, **fields: Any) -> dict[str, Any]:
        request = body_for(action, fields, self.config)
        return ask(self.console, request.command, request.body)

    def press(self, pin: int) -> None:
        key = self.pins.pin(pin)
        key.drive_low()  # a Button pulls up: pressed is low; released, the command goes
        key.drive_high()
        self.site.settle()

    def hold(self, pin: int) -> None:
        """Hold a key past long_press_s: gpiozero's own hold thread says so, in real time."""
        sent = len(self.events)
        key = self.pins.pin(pin)
        key.drive_low()
        while len(self.events) == sent:
            self.site.await_post(self.room_runtime, within_s=5, what="the key held long")
        key.drive_high()
        self.site.settle()

    def switch_off_screens(self) -> None:
        for runtime in (self.display_runtime, self.room_runtime):
            self.site.runtimes.remove(runtime)
            runtime.shutdown()

    def pass_minutes(self, minutes: float) -> None:
        self.site.run_for(minutes * 60)

    # -- what people see ----------------------------------------------------------------------

    def display_calls(self) -> list[tuple[str, str]]:
        """The lobby display's calls, newest first: (number, room words)."""
        view = self.display.current_view()
        return [(row.ticket, row.room_name) for row in view.serving]

    def event_list(self) -> list[dict[str, Any]]:
        return [json.loads(payload) for _, payload, _ in self.events]

    def last(self, kind: str) -> dict[str, Any]:
        return [e for e in self.event_list() if e["type"] == kind][-1]


def ask(client: TestClient, command: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.request(command, body)
    assert answer["ok"], answer
    return answer


def test_a_bilingual_morning_from_the_room_keys_and_the_console(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    config = bilingual_site(tmp_path)
    with JumpingSite(ManualClock(TUESDAY_9), memory_broker) as site:
        day = Morning(site, config, tmp_path)
        # The clerk of room 2 signs in at the console in Finnish and Swedish.
        day.at_console("room-languages", room="2", languages=["fi", "sv"])

        # Early customers: in English first, then Finnish and Swedish.
        english = day.take_number("kela", "en")
        day.pass_minutes(1)
        finnish = day.take_number("kela", "fi")
        day.pass_minutes(1)
        # The advisor issues a number for a customer who needs assistance and who will see
        # the Tax Administration after Kela.
        helped = day.at_console("issue", service="kela", lang="sv", assistance=True,
                                then=["vero"])["ticket"]
        assert helped["assistance"] is True and helped["then"] == ["vero"]
        helped_number = helped["number"]
        day.pass_minutes(1)

        # Room 1's clerk presses call-next: assistance goes first, by the site's rule.
        day.press(KEY_CALL)
        called = day.last("ticket.called")
        assert called["number"] == helped_number and called.get("by_assistance") is True
        assert day.display_calls()[0][0] == helped_number
        chimes = day.display.chimes

        # The customer does not come: the clerk recalls; the number is on top again, chimed.
        day.pass_minutes(1)
        day.press(KEY_RECALL)
        assert day.last("ticket.recalled")["number"] == helped_number
        assert day.display_calls()[0][0] == helped_number
        assert day.display.chimes == chimes + 1

        # Served: the key completes, and the visit goes on to the Tax Administration by
        # itself, with the same number.
        day.pass_minutes(6)
        day.press(KEY_DONE)
        continued = day.last("ticket.continued")
        assert continued["number"] == helped_number and continued["to_service"] == "vero"

        # Room 2 (console) calls: Finnish before English, because the room serves no English
        # and the English ticket has not been passed over for ten minutes yet.
        call = day.at_console("call", room="2", services=[])["ticket"]
        assert call["number"] == finnish
        assert day.last("ticket.called").get("by_language") is True
        assert english in day.last("ticket.called")["passed_over"]
        # The second visit to two authorities: completed at the console, on to Vero.
        day.pass_minutes(8)
        done = day.at_console("complete", room="2", then="vero")["ticket"]
        assert done["number"] == finnish and done["service"] == "vero"

        # Room 3's clerk (console) calls the Tax Administration: the first visitor's number
        # is called to its new room and shows on the display there.
        vero_call = day.at_console("call", room="3", services=[])["ticket"]
        assert vero_call["number"] == helped_number
        assert day.display_calls()[0][0] == helped_number
        assert "3" in day.display_calls()[0][1]

        # Room 1 takes a break with a long press: the door says so; nobody is called there.
        day.hold(KEY_CALL)
        assert day.last("room.state")["state"] == "paused"
        site.run_until(lambda: day.room.screen_state() == "paused", what="the paused door")
        refused = day.console.request(topics.CALL, {"room": "1", "services": [],
                                                    "ticket": english})
        assert refused["ok"] is False and refused["error"]["code"] == "room_busy"

        # Room 2 goes to lunch at the console for half an hour; the English customer, passed
        # over, is owed a call now: room 2's clerk calls them after lunch despite the language.
        day.at_console("room-state", room="2", state="paused", reason="lunch")
        day.pass_minutes(30)
        back = day.at_console("call", room="2", services=[])["ticket"]
        assert back["number"] == english
        assert day.last("room.state")["state"] == "serving"  # the call resumed the room

        # Room 1's clerk is back: a short press calls again (nobody waits for Kela now).
        day.pass_minutes(5)
        day.press(KEY_CALL)
        assert [e for e in day.event_list() if e["type"] == "room.state"
                and e["room"] == "1"][-1]["state"] == "serving"

        # The day ends at the site's closing time: its report says what happened. The
        # screens are switched off for the afternoon (their clocks would tick every second
        # of it); the controller alone closes the day.
        day.switch_off_screens()
        site.run_until(lambda: any(e["type"] == "day.closed" for e in day.event_list()),
                       within_s=10 * 3600, what="the day's end")
        report = day.last("day.closed")["report"]
    assert report["visits"]["several_authorities"] == 2
    assert report["assistance"]["tickets"] == 1
    languages = {row["lang"]: row for row in report["languages"]}
    assert {lang: row["customers"] for lang, row in languages.items()} == {
        "fi": 1, "sv": 1, "en": 1}
    assert languages["fi"]["decided_by_language"] == 1
    rooms = {row["room"]: row for row in report["rooms"]}
    assert rooms["2"]["paused_by_reason"]["lunch"] == 30.0
    assert rooms["1"]["paused_by_reason"]["break"] > 0
    vero = next(row for row in report["authorities"] if row["service"] == "vero")
    assert vero["legs_continued_in"] == 2
    assert json.dumps(report).count(helped_number) == 0  # no numbers: nothing personal
