"""Attacks on the silent alarm, each with a real credential of the site, on a real Mosquitto
that runs the generated ACL as in production (`piste broker-acl`: a login per device and per
clerk console, client ids bound to user names, `check_retain_source`).

Only room units (each for its own room) and the staff console raise an alarm; only the
staff console answers it; only an `alarm`-role device escalates it. Every other login tries
to raise, hide (an empty retained payload on a live raise), acknowledge, escalate and flood:
the broker answers each publish with PUBACK 0x87 (Mosquitto 2 to an MQTT 5 client) and
nothing reaches the guard's console. Displays, kiosks and feedback devices may not even read
an alarm."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest

from firmware.broker import LocalBroker
from firmware.site_model import Device, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.messages import RecordedAnswer
from tests.alarm_wire import (
    ACCEPTED,
    NOT_AUTHORIZED,
    Login,
    answer,
    escalated,
    raised,
    status_of,
)
from tests.secured_site import secured_config, write_access_files

GUARD = "web-1"  # a device with the web role only: the guards' and advisors' console
RELAY = "relay-1"  # a device with the alarm role only
CONTROLLER = "ctrl-1"  # a device with the controller role only
FLOOD = 200

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SiteConfig, LocalBroker]]:
    config = secured_config()
    more = (Device(GUARD, ("web",)), Device(RELAY, ("alarm",)),
            Device(CONTROLLER, ("controller",)))
    config = dataclasses.replace(config, devices=(*config.devices, *more))
    where = tmp_path_factory.mktemp("alarm-secured")
    with LocalBroker(where / "broker", extra_conf=write_access_files(config, where)) as broker:
        yield config, broker


@pytest.fixture
def alarm_in_room_1(site) -> Iterator[dict]:
    """A live alarm of room 1, raised by its room unit and kept by the broker."""
    config, broker = site
    message = raised("1")
    with Login(broker, "room-1") as room:
        assert room.publish(topics.alarm_raised(config.site.id, "1"), message) in ACCEPTED
    yield message
    with Login(broker, "room-1") as room:  # the unit removes its raise once it is answered
        assert room.publish(topics.alarm_raised(config.site.id, "1"), b"") in ACCEPTED


def marker(site: str, user: str) -> tuple[str, str, dict]:
    """(who publishes it, topic, message): a message `user` may read and that a login may
    write, to show that everything sent before it has arrived. A device's own status; for
    the logins without a device, a status they watch or an answer on their reply topic."""
    if user == "technician":
        return "room-1", topics.device_status(site, "room-1"), status_of("room-1")
    if user.startswith("clerk-"):
        return "lobby-1", topics.reply(site, user), RecordedAnswer().to_wire()
    return user, topics.device_status(site, user), status_of(user)


def settled(login: Login, site: str) -> list[tuple[str, bytes, bool]]:
    """What the login has got until now: a marker published after it comes after all of it
    (the broker keeps the order of one subscriber's messages)."""
    sender, topic, message = marker(site, login.user)
    if sender == login.user:
        assert login.publish(topic, message, retain=False) in ACCEPTED
    else:
        with Login(login.broker, sender) as other:
            assert other.publish(topic, message, retain=False) in ACCEPTED
    return login.until(topic)[:-1]


def watching(broker: LocalBroker, config: SiteConfig, user: str = GUARD) -> Login:
    """A login with every alarm of the site and its own status subscribed, caught up."""
    login = Login(broker, user).__enter__()
    login.subscribe(topics.alarm_filter(config.site.id),
                    topics.device_status(config.site.id, user))
    settled(login, config.site.id)
    return login


def retained_alarms(broker: LocalBroker, config: SiteConfig) -> dict[str, dict]:
    """The site's retained alarm messages as a fresh reader finds them, topic -> message."""
    with Login(broker, "lobby-1") as fresh:  # a console's login too (lobby-1 has the web role)
        fresh.subscribe(topics.alarm_filter(config.site.id),
                        topics.device_status(config.site.id, "lobby-1"))
        return {t: json.loads(p) for t, p, _ in settled(fresh, config.site.id)}


ATTACKERS = ["kiosk-2", "waiting-1", "exit-1", "room-2", CONTROLLER, "collector", "technician",
             "clerk-1"]


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_no_other_login_raises_hides_answers_escalates_or_floods(
        site, alarm_in_room_1: dict, attacker: str) -> None:
    config, broker = site
    s = config.site.id
    alarm = alarm_in_room_1["alarm"]
    guard = watching(broker, config)
    try:
        with Login(broker, attacker) as evil:
            refused = {
                "raise": evil.publish(topics.alarm_raised(s, "1"), raised("1", "console")),
                "raise a drill": evil.publish(topics.alarm_raised(s, "3"),
                                              raised("3", drill=True)),
                "hide": evil.publish(topics.alarm_raised(s, "1"), b""),
                "acknowledge": evil.publish(topics.alarm_answer(s, "1"), answer("1", alarm)),
                "clear": evil.publish(topics.alarm_answer(s, "1"),
                                      answer("1", alarm, "cleared")),
                "escalate": evil.publish(topics.alarm_escalated(s, "1"),
                                         escalated("1", alarm, attacker)),
            }
            flood = evil.flood(topics.alarm_raised(s, "1"), [raised("1")] * FLOOD)
        assert refused == dict.fromkeys(refused, NOT_AUTHORIZED)
        assert flood == [NOT_AUTHORIZED] * FLOOD
        assert settled(guard, s) == []  # the guard's console heard nothing of it
    finally:
        guard.close()
    # The clerk's alarm is still there, as its room unit sent it, and nothing else is.
    assert retained_alarms(broker, config) == {topics.alarm_raised(s, "1"): alarm_in_room_1}


@pytest.mark.parametrize("reader", ["kiosk-2", "waiting-1", "exit-1", "technician", "clerk-1",
                                    "room-2"])
def test_public_devices_and_other_logins_cannot_read_an_alarm(
        site, alarm_in_room_1: dict, reader: str) -> None:
    config, broker = site
    s = config.site.id
    with Login(broker, reader) as public:
        public.subscribe(topics.alarm_filter(s), topics.alarm_filter(s, "1"),
                         f"{topics.PREFIX}/{s}/alarm/#", marker(s, reader)[1])
        # Neither the retained raise of room 1 nor a new one reaches it.
        with Login(broker, "room-1") as room:
            assert room.publish(topics.alarm_raised(s, "1"), alarm_in_room_1) in ACCEPTED
        assert settled(public, s) == []


def test_a_room_unit_raises_only_for_its_own_room_and_reads_only_its_own(
        site, alarm_in_room_1: dict) -> None:
    config, broker = site
    s = config.site.id
    guard = watching(broker, config)
    try:
        with Login(broker, "room-1") as room:
            assert room.publish(topics.alarm_raised(s, "2"), raised("2")) == NOT_AUTHORIZED
            alarm = alarm_in_room_1["alarm"]
            assert room.publish(topics.alarm_answer(s, "1"), answer("1", alarm)) \
                == NOT_AUTHORIZED  # its own alarm is answered by a guard, never by the unit
            assert room.publish(topics.alarm_escalated(s, "1"), escalated("1", alarm)) \
                == NOT_AUTHORIZED
            assert settled(guard, s) == []
            # It reads its own room's alarm, and not room 3's that the console raises.
            room.subscribe(topics.alarm_filter(s), topics.device_status(s, "room-1"))
            with Login(broker, GUARD) as console:
                other = raised("3", "console")
                assert console.publish(topics.alarm_raised(s, "3"), other) in ACCEPTED
                mine = [(t, json.loads(p)) for t, p, _ in settled(room, s)]
                assert console.publish(topics.alarm_raised(s, "3"), b"") in ACCEPTED
        assert mine == [(topics.alarm_raised(s, "1"), alarm_in_room_1)]
    finally:
        guard.close()


def test_the_console_raises_and_answers_and_the_relay_device_escalates(site) -> None:
    config, broker = site
    s = config.site.id
    message = raised("5", "console", drill=True)
    alarm = message["alarm"]
    acknowledged, went_up = answer("5", alarm), escalated("5", alarm, RELAY)
    with Login(broker, CONTROLLER) as controller, Login(broker, RELAY) as relay:
        for reader in (controller, relay):  # both read every alarm of the site
            reader.subscribe(topics.alarm_filter(s), topics.device_status(s, reader.user))
            settled(reader, s)
        with Login(broker, GUARD) as console:
            assert console.publish(topics.alarm_raised(s, "5"), message) in ACCEPTED
            assert relay.publish(topics.alarm_escalated(s, "5"), went_up) in ACCEPTED
            assert console.publish(topics.alarm_answer(s, "5"), acknowledged) in ACCEPTED
            # The console may not escalate, the relay device may neither raise nor answer.
            assert console.publish(topics.alarm_escalated(s, "5"), went_up) == NOT_AUTHORIZED
            assert relay.publish(topics.alarm_raised(s, "5"), message) == NOT_AUTHORIZED
            assert relay.publish(topics.alarm_answer(s, "5"), acknowledged) == NOT_AUTHORIZED
            expected = [(topics.alarm_raised(s, "5"), message),
                        (topics.alarm_escalated(s, "5"), went_up),
                        (topics.alarm_answer(s, "5"), acknowledged)]
            for reader in (controller, relay):
                assert [(t, json.loads(p)) for t, p, _ in settled(reader, s)] == expected
            # Cleared and tidied up: the console removes its raise and answer ...
            assert console.publish(topics.alarm_raised(s, "5"), b"") in ACCEPTED
            assert console.publish(topics.alarm_answer(s, "5"), b"") in ACCEPTED
        assert relay.publish(topics.alarm_escalated(s, "5"), b"") in ACCEPTED
    assert retained_alarms(broker, config) == {}
