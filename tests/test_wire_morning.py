"""A whole morning of the demo site on a real Mosquitto speaks nothing but the contract.

Every device of config/demo-site.toml runs (the lobby's controller, kiosk, display and staff
console; the waiting-area display; the six room units; the feedback device by the exit),
customers touch the kiosk, the console issues a ticket and prints it on the kiosk, clerks
call, recall, send away, take back, transfer, cancel and complete, the exit device takes a
rating and the console a survey answer, a collector asks for a replay, some ask what they
may not, a technician pushes the site config. Everything on the broker is then checked
against docs/mqtt-api.yaml, and every channel of the document must have been seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pygame
import pytest

from firmware.admin.config_push import push_main
from firmware.alarm.config import AlarmRelayConfig
from firmware.clock import ShiftedClock
from firmware.device import build_runtime
from firmware.site_model import RoomUnitConfig, SensorConfig
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from tests import wire_contract
from tests.conftest import DEMO_SITE
from tests.helpers import RunningDevice, demo_config, wait_for
from tests.wire_spy import WireSpy

# A Tuesday of the survey month (the enforcement desk is closed on Tuesdays).
TUESDAY_0930 = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Europe/Helsinki"))
BAD_CLIENT = "clerk-garbled"


def touch(lobby: RunningDevice, service_id: str) -> None:
    """A finger on the authority's button of the lobby kiosk."""
    kiosk = lobby.role("kiosk")
    pos = wait_for(lambda: lobby.on_loop(lambda: kiosk.button_center(service_id)),
                   what=f"a button for {service_id}")
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        pygame.event.post(pygame.event.Event(kind, pos=pos, button=1,
                                             window=kiosk.screen.window))


def morning_site(broker, tmp_path):
    config = demo_config(broker, tmp_path)
    # The demo's own site id (the broker is the test's own): `piste config push` of the
    # demo file then speaks to this site. Home Assistant discovery on, and a small
    # congestion limit, so that their messages are on the wire too.
    site = dataclasses.replace(config.site, id="lappeenranta", home_assistant_discovery=True)
    rules = dataclasses.replace(config.rules, congestion_waiting=3)
    # Room 1's unit with presence sensors on gpiozero's mock pins (GPIOZERO_PIN_FACTORY=mock),
    # quick to settle, so that it tells the room's occupancy.
    quick = {"on_s": 0.2, "off_s": 0.2}
    sensors = RoomUnitConfig(staff=SensorConfig(kind="pir", pin=17, **quick),
                             customer=SensorConfig(kind="gpio", pin=27, **quick))
    devices = tuple(dataclasses.replace(d, room_unit=sensors) if d.id == "room-1" else d
                    for d in config.devices)
    # Every device in one process shares gpiozero's mock pins: the guard desk's relay on a
    # pin no other device of the demo uses here. Its alarm escalates after the shortest
    # time the config allows.
    devices = tuple(dataclasses.replace(d, more=tuple(
        (key, AlarmRelayConfig(relay_pin=4) if key == "alarm" else table)
        for key, table in d.more)) if "alarm" in d.roles else d for d in devices)
    alarm = dataclasses.replace(config.alarm, escalate_after_s=5.0)
    return dataclasses.replace(config, site=site, rules=rules, devices=devices, alarm=alarm)


@pytest.mark.slow
@pytest.mark.wire_abuse(f"cmd/events/replay/{BAD_CLIENT}")  # one garbled replay on purpose
def test_a_morning_of_every_demo_device_speaks_only_the_contract(private_broker,
                                                                   tmp_path) -> None:
    config = morning_site(private_broker, tmp_path)
    spy = WireSpy(private_broker.host, private_broker.port).start()
    try:
        seen = a_morning(config, private_broker, tmp_path, spy)
    finally:
        spy.close()

    verdicts = [wire_contract.check(topic, payload, retained) for topic, payload, retained
                in seen if BAD_CLIENT not in topic]
    failures = [f"{v.topic}: {v.error}" for v in verdicts if not v.ok]
    assert not failures, "\n".join(failures[:30])
    unseen = {c.name for c in wire_contract.channels()} - {v.channel for v in verdicts}
    assert not unseen, f"channels of the document nobody used this morning: {sorted(unseen)}"


def a_morning(config, private_broker, tmp_path, spy: WireSpy) -> list[tuple[str, bytes, bool]]:
    site = config.site.id
    clock = ShiftedClock(TUESDAY_0930)
    with contextlib.ExitStack() as stack:
        devices: dict[str, RunningDevice] = {}
        for device in config.devices:
            runtime = build_runtime(config, device.id, clock=clock,
                                    data_dir=tmp_path / device.id)
            # Only the lobby reads SDL's one event queue; the others draw off-screen, as in
            # `piste demo` (the feedback device takes its presses through its inbox).
            runtime.uses_screen = device.id == "lobby-1"
            devices[device.id] = stack.enter_context(RunningDevice(runtime))
        for running in devices.values():
            wait_for(lambda r=running: r.runtime.link.connected, what="every device online")
        lobby = devices["lobby-1"]
        console = lobby.role("web")
        clerk = stack.enter_context(BlockingClient(private_broker.host, private_broker.port,
                                                   site, client="demo-clerk-1"))
        collector = stack.enter_context(BlockingClient(
            private_broker.host, private_broker.port, site, client="collector"))

        # Customers at the kiosk, each waiting for the slip before the next touches.
        for n in range(1, 4):
            touch(lobby, "kela")
            wait_for(lambda n=n: len(list((tmp_path / "lobby-1" / "tickets").glob("*.escpos")))
                     >= n, what=f"slip {n}")
            lobby.on_loop(lambda: lobby.role("kiosk").back_to_start())
        # The advisor issues at the console and prints on the kiosk; a closed desk refuses.
        issued = asyncio.run(console.command(topics.ISSUE, {
            "request_id": str(uuid.uuid4()), "service": "vero", "lang": "sv"}))
        assert issued and issued["ok"]
        console.print_on_kiosk("lobby-1", {"request_id": str(uuid.uuid4()), "lang": "sv",
                                           "ticket": issued["ticket"]})
        closed = clerk.request(topics.ISSUE, {"service": "ulosotto", "lang": "fi"})
        assert closed["error"]["code"] == "service_closed" and closed["error"]["next_open"]

        # The clerks' morning: from a clerk's terminal, a room unit's keys and the console.
        first = clerk.request(topics.CALL, {"room": "1", "services": ["kela"]})["ticket"]
        assert clerk.request(topics.RECALL, {"room": "1"})["ok"]
        assert clerk.request(topics.NO_SHOW, {"room": "1"})["ok"]
        assert clerk.request(topics.REINSTATE, {"ticket": first["number"]})["ok"]
        devices["room-2"].on_loop(lambda: devices["room-2"].role("room").press("call_next"))
        wait_for(lambda: any(s["room"] == "2" for s in lobby.on_loop(
            lambda: lobby.role("display").snapshot.get("serving", []))), what="room 2 calls")
        assert asyncio.run(console.command(topics.TRANSFER, {
            "request_id": str(uuid.uuid4()), "room": "2", "to_service": "vero"}))["ok"]
        waiting = clerk.request(topics.CALL, {"room": "3", "services": []})["ticket"]
        assert clerk.request(topics.TRANSFER, {"room": "3", "to_service": "dvv"})["ok"]
        assert clerk.request(topics.CANCEL, {"ticket": waiting["number"]})["ok"]
        assert clerk.request(topics.CALL, {"room": "1", "services": []})["ok"]
        assert clerk.request(topics.COMPLETE, {"room": "1"})["ok"]
        assert clerk.request(topics.COMPLETE, {"room": "6"})["error"]["code"] == "no_ticket"

        # A real day: the advisor issues for two authorities with assistance, marks,
        # reprints on the kiosk as a copy; a clerk adds an authority and sets the room's
        # languages; room 4 goes to lunch and is back; the exit device's help key is answered.
        def console_says(name: str, body: dict) -> dict:
            answer = asyncio.run(console.command(name, {"request_id": str(uuid.uuid4()),
                                                        **body}))
            assert answer and answer["ok"], answer
            return answer
        chained = console_says(topics.ISSUE, {"service": "kela", "lang": "sv",
                                              "assistance": True, "then": ["dvv"]})["ticket"]
        console_says(topics.ASSIST, {"ticket": chained["number"], "assistance": False})
        assert clerk.request(topics.ADD_SERVICE, {"ticket": chained["number"],
                                                  "service": "vero"})["ok"]
        copy = console_says(topics.REPRINT, {"ticket": chained["number"], "device": "lobby-1"})
        console.print_on_kiosk("lobby-1", {"request_id": str(uuid.uuid4()), "lang": "sv",
                                           "copy": True, "ticket": {**copy["ticket"],
                                                                    "copy": True}})
        assert clerk.request(topics.ROOM_LANGUAGES, {"room": "4", "languages": ["fi", "en"]})[
            "room"]["languages"] == ["fi", "en"]
        assert clerk.request(topics.ROOM_STATE, {"room": "4", "state": "paused",
                                                 "reason": "lunch"})["room"]["state"] == "paused"
        assert clerk.request(topics.ROOM_STATE, {"room": "4", "state": "serving"})["ok"]
        with BlockingClient(private_broker.host, private_broker.port, site,
                            client="exit-1") as exit_device:
            assert exit_device.request(topics.HELP_REQUEST, {})["ok"]
        console_says(topics.HELP_ANSWER, {"device": "exit-1"})

        # By the exit: a face pressed; the console hands in a paper survey.
        exit_ = devices["exit-1"]
        exit_.on_loop(lambda: exit_.role("feedback").on_face_key(4))
        survey = asyncio.run(console.command(topics.SURVEY, {
            "request_id": str(uuid.uuid4()), "lang": "en", "self_service": False,
            "documents": False, "ratings": {"1": 9, "2": None}}))
        assert survey and survey["ok"]

        # The collector's replay; a room unit may not ask for one; a garbled one is refused.
        replay = collector.request(topics.REPLAY, {"from_seq": 1})
        assert replay["ok"] and replay["replayed"] > 10
        with BlockingClient(private_broker.host, private_broker.port, site,
                            client="room-4") as room:
            assert room.request(topics.REPLAY, {"from_seq": 1})["error"]["code"] == "forbidden"
        with BlockingClient(private_broker.host, private_broker.port, site,
                            client=BAD_CLIENT) as garbled:
            refused = garbled.request(topics.REPLAY, {"from_seq": "yesterday"})
            assert refused["error"]["code"] == "bad_request"

        # The silent alarm: a drill from the console for room 2; nobody acknowledges it in
        # time, so the guard desk's relay device escalates it; the advisor clears it.
        drill = asyncio.run(console.alarm(lambda desk, now: desk.raise_alarm("2", True, now)))
        assert drill == "sent", drill
        escalated = wait_for(lambda: next((a for a in console.view().get("alarms", [])
                                           if a.get("escalated_at")), None),
                             timeout=config.alarm.escalate_after_s + 10, what="the escalation")
        asyncio.run(console.alarm(lambda desk, now: desk.answer(
            escalated["alarm"], "cleared", "advisor", now)))

        # A technician pushes the site config (the demo file, as it is).
        assert push_main(DEMO_SITE, private_broker.url, "", "", wait_s=0.2) in (0, 1)

        for what, part in (("the congestion alert", "/alert/congestion"),
                           ("room 1's occupancy", "/room/1/occupancy")):
            wait_for(lambda p=part: spy.flush() and any(p in t for t, _, _ in spy.since(0)),
                     what=what)
    spy.flush()  # the devices' last words ("stopped") too
    return spy.since(0)
