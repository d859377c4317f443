"""Following a ticket on a phone, the controller's side (issue 25), on the in-memory broker
with the jumping clock (testkit.jumping; every message is also checked against
docs/mqtt-api.yaml after each test): the issue's answer carries the QR code's address and
the short code, the retained `public/ticket/{key}` follows the ticket through its day and
goes away, the heartbeat ticks, a restarted controller publishes the same keys, and the
token and the code are nowhere but in the issuing kiosk's answer.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from firmware.clock import ManualClock
from firmware.controller.ledger import Ledger
from firmware.controller.role import PHONES_AFTER_S, ControllerRole
from firmware.core import estimate
from firmware.core.phone_tokens import key_of, normalise_code
from firmware.site_model import Device, PhoneConfig, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from mqtt_bridge.messages import PublicTicket
from testkit.jumping import JumpingSite, TestClient
from testkit.site_factory import MONDAY, at, small_site

BASE_URL = "https://lobby.example.fi:8444/t/"
ISSUE = {"service": "kela", "lang": "sv"}


def phone_site(enabled: bool = True) -> SiteConfig:
    config = small_site()
    devices = (Device("lobby-1", ("controller",)), Device("kiosk-1", ("kiosk",)),
               Device("web-1", ("web",)), Device("room-1", ("room",), room="1"))
    return dataclasses.replace(
        config, devices=devices,
        site=dataclasses.replace(config.site, id=f"t-{uuid.uuid4().hex[:8]}"),
        phone=PhoneConfig(enabled=enabled, base_url=BASE_URL if enabled else "",
                          almost_next=1))


class Lobby:
    """A controller on the broker, its clients, and every message the broker carried."""

    def __init__(self, broker: MemoryBroker, config: SiteConfig, data: Path) -> None:
        self.broker, self.config, self.data = broker, config, data
        self.id = config.site.id
        self.wire: list[tuple[str, bytes, bool]] = []
        broker.taps.append(lambda topic, payload, retain: self.wire.append(
            (topic, payload, retain)))
        self.site: JumpingSite | None = None
        self.clients: dict[str, TestClient] = {}
        self.role: ControllerRole | None = None

    def start(self, clock: ManualClock) -> None:
        self.site = JumpingSite(clock, self.broker)
        self.role = ControllerRole()
        self.site.device(self.config, "lobby-1", [self.role], self.data)
        self.clients = {}

    def stop(self) -> None:
        assert self.site is not None
        self.site.stop()

    def ask(self, client: str, command: str, body: dict[str, Any]) -> dict[str, Any]:
        assert self.site is not None
        if client not in self.clients:
            self.clients[client] = self.site.client(self.id, client)
        return self.clients[client].request(command, body)

    def public(self, key: str) -> dict[str, Any] | None:
        """The retained message of a ticket as a page subscribing a moment from now would
        get it (the controller sends the phones' messages PHONES_AFTER_S after a change)."""
        self.moment()
        payload = self.broker.retained.get(topics.public_ticket(self.id, key))
        return None if payload is None else json.loads(payload)

    def moment(self) -> None:
        assert self.site is not None
        self.site.run_for(PHONES_AFTER_S)

    def public_keys(self) -> set[str]:
        self.moment()
        head = topics.public_ticket(self.id, "")
        return {t[len(head):] for t in self.broker.retained if t.startswith(head)}


@pytest.fixture
def lobby(memory_broker: MemoryBroker, tmp_path: Path) -> Iterator[Lobby]:
    room = Lobby(memory_broker, phone_site(), tmp_path / "lobby-1")
    room.start(ManualClock(at(MONDAY, 9, 0)))
    yield room
    room.stop()


def issued(lobby: Lobby, body: dict[str, Any] = ISSUE) -> tuple[dict[str, Any], str, str]:
    """A kiosk's ticket: its answer, its token and its code."""
    answer = lobby.ask("kiosk-1", topics.ISSUE, body)
    phone = answer["phone"]
    assert phone["url"].startswith(BASE_URL)
    return answer, phone["url"][len(BASE_URL):], phone["code"]


def test_a_ticket_is_followed_from_issue_to_its_removal(lobby: Lobby) -> None:
    answer, token, code = issued(lobby)
    number = answer["ticket"]["number"]
    assert normalise_code(code) == code and len(token) >= 22
    key = key_of(token)
    waiting = lobby.public(key)
    assert waiting is not None
    assert (waiting["number"], waiting["status"], waiting["lang"], waiting["code_key"]) == (
        number, "waiting", "sv", key_of(code))
    assert waiting["service"] == {"id": "kela", "name": {"fi": "Kela", "sv": "FPA",
                                                         "en": "Kela"}}
    assert waiting["ahead"] == 0 and waiting["almost"] is True  # first in line
    assert waiting["room"] is None and waiting["calls"] == 0
    assert waiting["valid_until"] == at(MONDAY, 16, 45).isoformat()  # closing + 30 min

    lobby.ask("room-1", topics.CALL, {"room": "1", "services": []})
    called = lobby.public(key)
    assert called is not None
    assert (called["status"], called["calls"], called["ahead"]) == ("called", 1, None)
    assert called["room"] == {"id": "1", "name": {"fi": "Huone 1", "sv": "Rum 1",
                                                  "en": "Room 1"}}
    lobby.ask("room-1", topics.RECALL, {"room": "1"})
    recalled = lobby.public(key)
    assert recalled is not None
    assert recalled["calls"] == 2 and recalled["call_id"] != called["call_id"]

    lobby.ask("room-1", topics.COMPLETE, {"room": "1"})
    done = lobby.public(key)
    assert done is not None and done["status"] == "done" and done["room"] is None
    assert lobby.site is not None
    lobby.site.run_for(29 * 60)
    assert lobby.public(key) is not None, "a finished ticket stays on the phone a while"
    lobby.site.run_until(lambda: lobby.public(key) is None, within_s=2 * 60,
                         what="the message removed 30 minutes after done")
    removal = [(p, r) for t, p, r in lobby.wire if t == topics.public_ticket(lobby.id, key)]
    assert removal[-1] == (b"", True)  # an empty retained payload


def test_a_message_is_sent_again_only_when_something_but_its_time_changed(
        lobby: Lobby) -> None:
    _, token, _ = issued(lobby)
    topic = topics.public_ticket(lobby.id, key_of(token))
    assert lobby.site is not None
    lobby.site.run_for(5 * 60)  # rechecks every 20 s: the ticket did not move
    assert sum(1 for t, _, _ in lobby.wire if t == topic) == 1
    behind = issued(lobby)[1]  # another ticket changes nothing of the first one's
    assert sum(1 for t, _, _ in lobby.wire if t == topic) == 1
    assert lobby.public(key_of(behind))["ahead"] == 1  # type: ignore[index]


def test_the_day_end_removes_every_ticket(lobby: Lobby) -> None:
    keys = {key_of(issued(lobby)[1]) for _ in range(3)}
    lobby.ask("room-1", topics.CALL, {"room": "1", "services": []})
    assert lobby.public_keys() == keys
    assert lobby.site is not None
    lobby.site.run_until(lambda: not lobby.public_keys(), within_s=9 * 3600,
                         what="every public ticket removed at the day's end")
    assert lobby.site.clock.now().replace(microsecond=0) == at(MONDAY, 16, 45)


def test_a_restarted_controller_publishes_the_same_keys(lobby: Lobby) -> None:
    first, token, code = issued(lobby)
    second = issued(lobby)[1]
    lobby.ask("room-1", topics.CALL, {"room": "1", "services": []})
    before = {key: lobby.public(key) for key in (key_of(token), key_of(second))}
    assert lobby.site is not None
    clock = lobby.site.clock
    lobby.stop()
    for topic in [t for t in lobby.broker.retained if "/public/" in t]:
        del lobby.broker.retained[topic]  # a broker that lost its retained messages
    lobby.start(clock)
    after = {key: lobby.public(key) for key in before}
    assert all(after.values()), "the same keys again"
    assert {k: {**v, "at": None} for k, v in after.items() if v} == {
        k: {**v, "at": None} for k, v in before.items() if v}
    # And a reprint carries the same secrets again.
    reprint = lobby.ask("web-1", topics.REPRINT, {"ticket": first["ticket"]["number"],
                                                  "device": "kiosk-1"})
    assert reprint["phone"] == {"url": BASE_URL + token, "code": code}


def test_the_heartbeat_is_retained_and_kept_fresh(lobby: Lobby) -> None:
    alive = topics.public_alive(lobby.id)
    assert lobby.site is not None
    lobby.site.settle()
    assert lobby.broker.retained.get(alive) is not None
    lobby.site.run_for(95)
    beats = [json.loads(p)["at"] for t, p, _ in lobby.wire if t == alive]
    assert len(beats) >= 4 and beats == sorted(beats)
    assert json.loads(lobby.broker.retained[alive])["at"] == beats[-1]


def test_tokens_and_codes_are_only_in_the_issuing_answer(
        lobby: Lobby, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _, token, code = issued(lobby)
    lobby.ask("room-1", topics.CALL, {"room": "1", "services": []})
    lobby.ask("room-1", topics.COMPLETE, {"room": "1"})
    assert lobby.site is not None
    lobby.site.run_for(40 * 60)
    plain = code.replace("-", "")
    secrets = (token.encode(), code.encode(), plain.encode())
    reply = topics.reply(lobby.id, "kiosk-1")
    carried = [(t, p) for t, p, _ in lobby.wire if any(s in p or s in t.encode()
                                                       for s in secrets)]
    assert carried and {t for t, _ in carried} == {reply}, "only the kiosk's own answer"
    for record in caplog.records:
        text = record.getMessage()
        assert token not in text and code not in text and plain not in text
    ledger = Ledger(lobby.data / "ledger.sqlite")
    try:
        events = json.dumps([e.to_wire() for e in ledger.events_from(0)])
    finally:
        ledger.close()
    assert "ticket.issued" in events and token not in events and plain not in events


def test_a_site_without_phones_sends_nothing_public(memory_broker: MemoryBroker,
                                                    tmp_path: Path) -> None:
    room = Lobby(memory_broker, phone_site(enabled=False), tmp_path / "lobby-1")
    room.start(ManualClock(at(MONDAY, 9, 0)))
    try:
        answer = room.ask("kiosk-1", topics.ISSUE, ISSUE)
        assert answer["ok"] and "phone" not in answer
        room.ask("room-1", topics.CALL, {"room": "1", "services": []})
        assert room.site is not None
        room.site.run_for(60)
    finally:
        room.stop()
    assert not [t for t, _, _ in room.wire if "/public/" in t]
    ledger = Ledger(tmp_path / "lobby-1" / "ledger.sqlite")
    try:
        assert "phone_tickets" not in ledger.db.table_names()  # nothing made unasked
    finally:
        ledger.close()


def test_a_phone_shows_the_same_place_as_the_controllers_forecast(lobby: Lobby) -> None:
    keys = [key_of(issued(lobby, {"service": s, "lang": "fi"})[1])
            for s in ("kela", "vero", "kela", "kela")]
    assert lobby.role is not None and lobby.site is not None
    controller = lobby.role.controller
    plan = estimate.forecast(controller.state, lobby.config, lobby.site.clock.now())
    for key in keys:
        shown = PublicTicket.from_wire(lobby.public(key))
        assert shown.ahead == plan.ahead_of(shown.number)
        assert shown.eta_range == estimate.eta_range(plan.calls.get(shown.number))
