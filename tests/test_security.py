"""Attacks from the lobby, each with a device's own login, on a real Mosquitto that runs the
generated ACL as in production (issue 15): the broker and the controller refuse them all."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware.broker import LocalBroker
from firmware.clock import ManualClock
from firmware.controller import ledger as ledger_module
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import CODE_TRIES_PER_MINUTE, Controller
from firmware.core.phone_tokens import key_of
from mqtt_bridge import topics
from mqtt_bridge.acl import acl_text, broker_conf
from mqtt_bridge.blocking import BlockingClient, BrokerUnreachable
from mqtt_bridge.payloads import Command
from testkit.site_factory import MONDAY, at, small_site
from tests.conftest import ROOT
from tests.secured_site import (
    drain,
    login,
    running_controller,
    secured_config,
    write_access_files,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    config = secured_config()
    where = tmp_path_factory.mktemp("secured")
    with LocalBroker(where / "broker", extra_conf=write_access_files(config, where)) as broker:
        yield config, broker


@pytest.fixture
def lobby(site, tmp_path: Path) -> Iterator[tuple]:
    config, broker = site
    with running_controller(config, broker, tmp_path) as (device, role), \
            login(broker, config, "collector") as watcher:
        everything = watcher.watch(f"piste/v1/{config.site.id}/#")
        drain(everything, 0.5)  # the retained messages of earlier tests
        yield config, broker, device, role, everything


def events_of(seen: list[tuple[str, bytes]], site: str) -> list[str]:
    return [json.loads(p)["type"] for t, p in seen if t == topics.queue_events(site)]


def test_answers_go_only_to_the_askers_own_reply_topic(lobby) -> None:
    config, broker, _device, _role, everything = lobby
    site = config.site.id
    targets = [topics.device_status(site, "waiting-1"), topics.queue_state(site),
               topics.alert(site, "congestion"), topics.reply(site, "room-1"),
               f"piste/v1/{site}/reply/room-1/x"]
    with login(broker, config, "kiosk-2") as kiosk:
        for n, target in enumerate(targets):
            kiosk.publish_raw(topics.command(site, topics.ISSUE, "kiosk-2"), json.dumps(
                {"request_id": f"evil-{n}", "service": "kela", "lang": "fi"}).encode(),
                correlation=b"c", response_topic=target)
        seen = drain(everything)
    answers = [json.loads(p) for t, p in seen if t == topics.reply(site, "kiosk-2")]
    assert len(answers) == len(targets)
    assert all(a["error"]["code"] == "forbidden" for a in answers)
    assert events_of(seen, site) == []  # no ticket was issued for any of them
    misdirected = [t for t, _ in seen if t in targets]
    assert misdirected == []  # nothing reached a display's status, the state, an alert ...


def test_a_wildcard_response_topic_gets_nothing_anywhere(lobby) -> None:
    config, broker, _device, _role, everything = lobby
    site = config.site.id
    with login(broker, config, "kiosk-2") as kiosk:
        for n, target in enumerate((f"piste/v1/{site}/reply/#", f"piste/v1/{site}/+/state")):
            # the broker may hang up on a wildcard; the device goes on
            with contextlib.suppress(Exception):
                kiosk.publish_raw(topics.command(site, topics.ISSUE, "kiosk-2"), json.dumps(
                    {"request_id": f"wild-{n}", "service": "kela", "lang": "fi"}).encode(),
                    correlation=b"c", response_topic=target)
        seen = drain(everything)
    assert events_of(seen, site) == []
    assert [t for t, _ in seen if "#" in t or "+" in t] == []


def test_nobody_takes_over_the_controllers_client_id(lobby) -> None:
    config, broker, device, _role, everything = lobby
    site = config.site.id
    controller_id = f"piste-{site}-lobby-1"
    with login(broker, config, "room-1", client_id=controller_id) as attacker:
        assert attacker.request(topics.CALL, {"room": "1", "services": []})["ok"]
        seen = drain(everything, 1.5)
    statuses = [json.loads(p)["state"] for t, p in seen
                if t == topics.device_status(site, "lobby-1")]
    assert statuses == []  # the controller never went offline (no will, no new "online")
    assert device.runtime.link.connected
    conf = (ROOT / "config" / "mosquitto" / "piste-production.conf").read_text()
    assert conf == broker_conf()  # the repo's file is what `piste broker-acl --out` writes
    assert "\nuse_username_as_clientid true\n" in conf


def test_a_room_acts_only_for_its_own_room(lobby) -> None:
    config, broker, _device, _role, everything = lobby
    site = config.site.id
    with login(broker, config, "kiosk-2") as kiosk, login(broker, config, "room-1") as room, \
            login(broker, config, "clerk-1") as clerk:
        for _ in range(2):
            assert kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"})["ok"]
        refusals = [room.request(topics.CALL, {"room": "2", "services": []}),
                    room.request(topics.RECALL, {"room": "2"}),
                    clerk.request(topics.NO_SHOW, {"room": "2"}),
                    clerk.request(topics.COMPLETE, {"room": "2"}),
                    clerk.request(topics.TRANSFER, {"room": "2", "to_service": "vero"})]
        # The broker itself drops a message that claims another sender in its topic.
        room.publish_raw(topics.command(site, topics.CALL, "room-2"), json.dumps(
            {"request_id": "spoof", "room": "2", "services": []}).encode())
        room.publish_raw(topics.command(site, topics.CALL), json.dumps(
            {"request_id": "bare", "room": "2", "services": []}).encode())
        own = room.request(topics.CALL, {"room": "1", "services": []})
        seen = drain(everything)
    assert [r["error"]["code"] for r in refusals] == ["forbidden"] * 5
    assert "room 1, not for room 2" in refusals[0]["error"]["message"]
    assert own["ok"] and own["ticket"]["room"] == "1"
    calls = [json.loads(p) for t, p in seen if t == topics.queue_events(site)
             and json.loads(p)["type"] == "ticket.called"]
    assert [c["room"] for c in calls] == ["1"]


def test_one_kiosk_cannot_take_every_number(lobby) -> None:
    config, broker, device, role, _everything = lobby
    cap = config.device("kiosk-2").kiosk.tickets_per_minute
    with login(broker, config, "kiosk-2") as flood, login(broker, config, "kiosk-3") as other:
        answers = [flood.request(topics.ISSUE, {"service": "kela", "lang": "fi",
                                                "device": "kiosk-3"}) for _ in range(cap + 20)]
        customer = other.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
    taken = [a for a in answers if a["ok"]]
    refused = [a["error"] for a in answers if not a["ok"]]
    assert len(taken) == cap
    assert {e["code"] for e in refused} == {"rate_limited"}
    assert all(1 <= e["retry_after_s"] <= 60 for e in refused)
    assert customer["ok"]  # the next customer at another kiosk still gets a number
    devices = set(device.on_loop(lambda: [e.data["device"] for e in role.ledger.events_from(0)
                                          if e.type == "ticket.issued"]))
    assert devices == {"kiosk-2", "kiosk-3"}  # recorded by login, not by what the body says


def test_appointment_codes_cannot_be_guessed_through_a_kiosk(lobby) -> None:
    config, broker, _device, _role, _everything = lobby
    with login(broker, config, "kiosk-2") as kiosk, login(broker, config, "kiosk-3") as other:
        tries = [kiosk.request(topics.ISSUE, {"appointment": f"GUESS{n:04d}", "lang": "fi"})
                 for n in range(CODE_TRIES_PER_MINUTE + 3)]
        elsewhere = other.request(topics.ISSUE, {"appointment": "GUESS9999", "lang": "fi"})
    codes = [t["error"]["code"] for t in tries]
    assert codes == (["unknown_appointment"] * CODE_TRIES_PER_MINUTE
                     + ["too_many_attempts"] * 3)
    assert elsewhere["error"]["code"] == "unknown_appointment"  # a customer elsewhere is heard


@pytest.mark.wire_abuse("device/+/health")  # forged health reports, as an attacker's
def test_only_a_kiosk_with_a_printer_raises_printer_alerts(lobby) -> None:
    config, broker, _device, _role, everything = lobby
    site = config.site.id
    noise = "\x1b[2J" + "paper jam\n" * 2000
    with login(broker, config, "waiting-1") as display, login(broker, config, "kiosk-2") as k:
        display.publish_raw(topics.device_health(site, "waiting-1"), json.dumps(
            {"printer": {"state": "paper_out", "detail": "fake"}}).encode(), retain=True)
        k.publish_raw(topics.device_health(site, "kiosk-2"), json.dumps(
            {"printer": {"state": "cover_open", "detail": noise,
                         "last_unprinted": "<script>"}}).encode(), retain=True)
        seen = drain(everything)
    alerts = [json.loads(p) for t, p in seen if t == topics.alert(site, "printer")]
    assert [a["device"] for a in alerts] == ["kiosk-2"]
    assert len(alerts[0]["detail"]) <= 120 and "\x1b" not in alerts[0]["detail"]
    assert "\n" not in alerts[0]["detail"] and "unprinted_ticket" not in alerts[0]


def test_a_replay_from_beyond_any_seq_is_answered(lobby) -> None:
    config, broker, _device, _role, _everything = lobby
    with login(broker, config, "collector") as collector, \
            login(broker, config, "kiosk-2") as kiosk:
        huge = collector.request(topics.REPLAY, {"from_seq": 10**30})
        fine = collector.request(topics.REPLAY, {"from_seq": 2**63 - 1})
        not_a_collector = kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
    assert huge["error"]["code"] == "bad_request" and "from_seq" in huge["error"]["message"]
    assert fine == {"ok": True, "replayed": 0, "last_seq": 2**63 - 2}
    assert not_a_collector["ok"]


def test_refused_commands_keep_the_ledger_bounded(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(ledger_module, "QUIET_KEPT", 300)
    config = small_site()
    ledger = Ledger(tmp_path / "ledger.sqlite")
    controller = Controller(config, ledger, ManualClock(at(MONDAY, 9, 0)), strict=True)

    def refuse(count: int) -> None:
        for _ in range(count):
            answer = controller.handle(Command(topics.CALL, str(uuid.uuid4()),
                                               {"room": "2", "services": []}, client="room-1"))
            assert answer.response["error"]["code"] == "forbidden"

    refuse(600)
    ledger.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = (tmp_path / "ledger.sqlite").stat().st_size
    refuse(1400)
    ledger.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    kept = ledger.db.execute("SELECT COUNT(*) FROM quiet_requests").fetchone()[0]
    assert kept == 300
    assert ledger.db.execute("SELECT COUNT(*) FROM requests").fetchone()[0] == 0
    assert (tmp_path / "ledger.sqlite").stat().st_size <= size * 1.2  # it stopped growing
    assert controller.refusal_counts() == {"forbidden": 2000}
    stranger = controller.handle(Command(topics.ISSUE, "s", {"service": "kela", "lang": "fi",
                                                             "device": "x"}, client="intruder"))
    assert stranger.response["error"]["code"] == "forbidden"


@pytest.mark.wire_abuse("room/+/occupancy")  # a forged occupancy, as an attacker's
def test_devices_write_only_what_their_roles_need(lobby) -> None:
    config, broker, _device, _role, everything = lobby
    site = config.site.id
    with login(broker, config, "waiting-1") as display, login(broker, config, "room-1") as room, \
            login(broker, config, "kiosk-2") as kiosk:
        assert kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"})["ok"]
        # A display may not call a number, nor poison the queue state.
        display.publish_raw(topics.command(site, topics.CALL, "waiting-1"),
                            json.dumps({"request_id": "evil", "room": "1"}).encode(),
                            correlation=b"x", response_topic=topics.reply(site, "waiting-1"))
        display.publish_raw(topics.queue_state(site), b'{"serving": []}', retain=True)
        # A room unit reports its own room, not another.
        room.publish_raw(topics.room_occupancy(site, "1"), b'{"state": "vacant"}', retain=True)
        room.publish_raw(topics.room_occupancy(site, "2"), b'{"state": "in_session"}',
                         retain=True)
        seen = drain(everything)
    topics_seen = [t for t, _ in seen]
    assert topics.command(site, topics.CALL, "waiting-1") not in topics_seen
    assert topics.room_occupancy(site, "1") in topics_seen
    assert topics.room_occupancy(site, "2") not in topics_seen
    states = [json.loads(p) for t, p in seen if t == topics.queue_state(site)]
    assert states and all("seq" in s for s in states)  # only the controller's snapshots
    assert events_of(seen, site) == ["ticket.issued"]  # the display's call did nothing


def test_a_wrong_password_is_refused(site) -> None:
    config, broker = site
    with pytest.raises(BrokerUnreachable):
        BlockingClient(broker.host, broker.port, config.site.id, client="waiting-1",
                       username="waiting-1", password="guess").connect(timeout=2)


def test_only_feedback_devices_and_survey_kiosks_send_answers_and_words_are_masked(
        lobby) -> None:
    config, broker, _device, _role, everything = lobby
    site = config.site.id
    with login(broker, config, "exit-1") as exit_, login(broker, config, "kiosk-2") as kiosk, \
            login(broker, config, "waiting-1") as display:
        said = exit_.request(topics.FEEDBACK, {"lang": "fi", "rating": 2, "device": "kiosk-2",
                                               "words": "soita 040 123 4567, hetu 131052-308T"})
        assert said["ok"]
        survey = {"lang": "en", "ratings": {"7": 9}}
        assert kiosk.request(topics.SURVEY, survey)["ok"]  # the demo's survey runs on kiosks
        with pytest.raises(TimeoutError):  # the broker drops a kiosk's rating: not its topic
            kiosk.request(topics.FEEDBACK, {"lang": "fi", "rating": 1}, timeout=1)
        # The feedback device takes no tickets; a display sends no answers.
        exit_.publish_raw(topics.command(site, topics.ISSUE, "exit-1"),
                          json.dumps({"request_id": "t", "service": "kela"}).encode(),
                          correlation=b"x", response_topic=topics.reply(site, "exit-1"))
        display.publish_raw(topics.command(site, topics.SURVEY, "waiting-1"),
                            json.dumps({"request_id": "d", **survey}).encode(),
                            correlation=b"y", response_topic=topics.reply(site, "waiting-1"))
        seen = drain(everything)
    assert events_of(seen, site) == ["feedback.given", "survey.answered"]
    given = next(json.loads(p) for t, p in seen if t == topics.queue_events(site)
                 and b"feedback.given" in p)
    assert given["device"] == "exit-1"  # who the broker vouches for, not what the body says
    assert "123 4567" not in given["words"] and "131052" not in given["words"]
    assert given["masked"] is True


def test_a_real_days_commands_follow_the_table_of_who_may_send_what(lobby) -> None:
    """Under the generated ACL: a kiosk asks for help as itself but marks no assistance and
    pauses no room; a room unit pauses its own room only and sets no languages."""
    config, broker, _device, _role, everything = lobby
    with login(broker, config, "room-1") as room, login(broker, config, "kiosk-2") as kiosk:
        assert kiosk.request(topics.HELP_REQUEST, {}) == {"ok": True, "recorded": True}
        marked = kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi",
                                              "assistance": True})
        assert marked["error"]["code"] == "forbidden"
        with pytest.raises(TimeoutError):  # the broker drops it: no topic of a kiosk's
            kiosk.request(topics.ROOM_STATE, {"room": "1", "state": "closed"}, timeout=1)
        paused = room.request(topics.ROOM_STATE, {"room": "1", "state": "paused",
                                                  "reason": "break"})
        assert paused["room"]["state"] == "paused"
        other = room.request(topics.ROOM_STATE, {"room": "2", "state": "paused",
                                                 "reason": "break"})
        assert other["error"]["code"] == "forbidden"
        with pytest.raises(TimeoutError):  # a room unit has no languages of its own to set
            room.request(topics.ROOM_LANGUAGES, {"room": "1", "languages": ["sv"]}, timeout=1)
        seen = drain(everything)
    assert events_of(seen, config.site.id) == ["help.requested", "room.state"]


def test_only_the_controller_writes_the_public_ticket_messages(lobby) -> None:
    """Issue 25: the controller's public messages pass the production ACL; a display reads
    none of them and a kiosk cannot forge one; the web device (lobby-1 here, whose login
    the controller holds) is granted the read for its public listener."""
    config, broker, _device, _role, everything = lobby
    site = config.site.id
    forged = topics.public_ticket(site, "0" * 32)
    with login(broker, config, "waiting-1") as display, login(broker, config, "kiosk-2") as kiosk:
        looking = display.watch(topics.public_filter(site))
        answer = kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
        key = key_of(answer["phone"]["url"].rsplit("/", 1)[1])
        kiosk.publish_raw(forged, b'{"v": 1}', retain=True)
        seen = drain(everything)
        assert drain(looking, 0.2) == []
    topics_seen = [t for t, _ in seen]
    assert topics.public_ticket(site, key) in topics_seen and forged not in topics_seen
    lobby_rules = acl_text(config).split("user lobby-1\n", 1)[1].split("\n\n", 1)[0]
    assert f"topic read {topics.public_filter(site)}" in lobby_rules
    assert f"topic write piste/v1/{site}/public/#" in lobby_rules
