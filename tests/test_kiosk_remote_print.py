"""A ticket the advisor issues at the staff console, printed on a kiosk (issue 13).

The print job's parser is fed garbage by hypothesis; the kiosk's own role with its controller,
the file printer (and python-escpos's Dummy that fails on cue) takes jobs on the in-memory
broker and the jumping clock (testkit/lobby_kiosk.py); and a real Mosquitto that runs the
generated ACL with passwords lets only the console send jobs, each kiosk read only its own,
and a kiosk with its login prints what the console sends it."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gpiozero.pins.mock import MockFactory
from hypothesis import given, settings
from hypothesis import strategies as st
from paho.mqtt.client import topic_matches_sub

from firmware.broker import LocalBroker
from firmware.clock import ManualClock, ShiftedClock
from firmware.kiosk.remote_print import (
    MAX_BYTES,
    BadJob,
    PrintJob,
    RemotePrints,
    parse_job,
)
from firmware.kiosk.role import KioskRole
from firmware.runtime import Runtime
from firmware.site_model import Device, ScreenConfig, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.acl import acl_text
from mqtt_bridge.blocking import BlockingClient
from mqtt_bridge.memory import MemoryBroker
from mqtt_bridge.messages import Ticket
from testkit.jumping import JumpingSite, latest_json
from testkit.lobby_kiosk import LobbyKiosk
from tests.helpers import RunningDevice, demo_config, wait_for
from tests.secured_site import (
    TUESDAY_10,
    drain,
    login,
    running_controller,
    secured_config,
    write_access_files,
)
from tests.test_mqtt_api_doc import check
from ticket_printer.connection import TicketPrinter
from ticket_printer.decode import decode_ticket
from ticket_printer.fault_printer import FaultPrinter
from ticket_printer.slip import TicketSlip

TICKET = {"number": "K042", "service": "kela", "issued_at": "2026-12-01T10:00:00+02:00",
          "ahead": 3, "eta_minutes": 25, "eta_range": [15, 35], "appointment": False}


def job(request_id: str = "r-1", lang: str = "fi", ticket: Any = None, **extra: Any) -> bytes:
    body = {"request_id": request_id, "lang": lang,
            "ticket": TICKET if ticket is None else ticket, **extra}
    return json.dumps(body).encode()


# -- the parser: pure, strict, never more than BadJob ------------------------------------------

def test_a_job_from_the_console_is_read_with_only_what_the_slip_needs() -> None:
    parsed = parse_job(job("abc", "sv"))
    assert parsed == PrintJob("abc", "sv", Ticket(
        number="K042", service="kela", issued_at="2026-12-01T10:00:00+02:00", ahead=3,
        eta_minutes=25))
    again = parse_job(job(ticket={**TICKET, "ahead": None, "eta_minutes": None, "again": True}))
    assert again.ticket.ahead == 0 and again.ticket.eta_minutes is None
    check("PrintJob", json.loads(job()))  # the contract's schema says the same


def test_what_is_wrong_is_named_and_the_input_is_not_echoed() -> None:
    cases = {
        b"\xff\xfe": "UTF-8", b"{": "JSON", b"[1]": "object", job(request_id=""): "request_id",
        job(request_id="x" * 65): "request_id", job(request_id="a\nb"): "request_id",
        job(lang="de"): "lang", job(lang=["fi"]): "lang", job(ticket="K042"): "ticket",
        job(ticket={**TICKET, "number": "K０４２"}): "number",  # full-width digits
        job(ticket={**TICKET, "number": "K٤٢٣"}): "number",  # Arabic-Indic digits
        job(ticket={**TICKET, "service": "ZZTOP; rm"}): "service",
        job(ticket={**TICKET, "issued_at": "2026-12-01T10:00:00"}): "offset",
        job(ticket={**TICKET, "issued_at": "ZZTOP"}): "issued_at",
        job(ticket={**TICKET, "ahead": True}): "ahead",
        job(ticket={**TICKET, "ahead": -1}): "ahead",
        job(ticket={**TICKET, "eta_minutes": 2.5}): "eta_minutes",
        b'{"request_id": "r", "lang": "fi", "ticket": {"number": "K001", "ahead": NaN}}':
            "service",
        b"[" * 5000 + b"]" * 5000: "JSON",  # deeper than Python's recursion, under 16 KiB
        b"1" * 5000: "JSON",  # an int longer than Python reads from text
        job(padding="x" * MAX_BYTES): "too large",
    }
    for payload, word in cases.items():
        with pytest.raises(BadJob) as refused:
            parse_job(payload)
        assert word in str(refused.value), (payload[:40], str(refused.value))
        assert "ZZTOP" not in str(refused.value)


def test_a_reprint_is_read_as_a_copy_beside_the_ticket() -> None:
    assert parse_job(job()).copy is False  # the advisor's own issue: no mark
    assert parse_job(job(copy=True)).copy is True
    check("PrintJob", json.loads(job(copy=True)))  # as the contract's document has it
    # The ticket is the controller's answer, which never says "copy": only the job does.
    assert parse_job(job(ticket={**TICKET, "copy": True})).copy is False
    assert parse_job(job(copy=None)).copy is False  # null: as without it
    for payload in (job(copy="yes"), job(copy=1), job(copy=[True]), job(copy={"x": 1})):
        with pytest.raises(BadJob, match="copy: not true or false"):
            parse_job(payload)


def test_a_copy_prints_its_mark_and_the_same_number_on_the_escpos_dummy() -> None:
    from escpos.printer import Dummy

    from ticket_printer.escpos_render import print_slip
    from ticket_printer.slip import COPY_MARK

    for lang in ("fi", "sv", "en"):
        parsed = parse_job(job(lang=lang, copy=True))
        original, copy = Dummy(profile="TM-T20II"), Dummy(profile="TM-T20II")
        print_slip(original, _slip(parse_job(job(lang=lang))))
        print_slip(copy, dataclasses.replace(_slip(parsed), copy=parsed.copy))
        before, after = decode_ticket(original.output), decode_ticket(copy.output)
        assert COPY_MARK not in before.text
        marks = [line for line in after.lines if line.text == COPY_MARK]
        assert len(marks) == 2 and marks[0].size == 2 and marks[0].bold  # big, top and foot
        number = [line.text for line in after.lines if line.size > 2]
        assert number == [line.text for line in before.lines if line.size > 2] == ["K042"]
        # Nothing else changes: the copy is the original with the two marks.
        assert [t for t in after.text.split("\n") if t and t != COPY_MARK] == [
            t for t in before.text.split("\n") if t]


@given(st.binary(max_size=4096))
def test_any_bytes_give_a_job_or_a_bad_job(payload: bytes) -> None:
    try:
        parse_job(payload)
    except BadJob as exc:
        assert str(exc)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.sampled_from(["request_id", "lang", "ticket", "extra"]),
                       json_values, max_size=4),
       st.dictionaries(st.sampled_from(list(TICKET)), json_values, max_size=7))
def test_wrong_types_anywhere_are_refused_by_name(body: dict, ticket: dict) -> None:
    for data in (body, {**json.loads(job()), **body}, {**json.loads(job()), "ticket":
                                                      {**TICKET, **ticket}}):
        try:
            parsed = parse_job(json.dumps(data).encode())
        except BadJob as exc:
            assert any(w in str(exc) for w in ("request_id", "lang", "ticket", "JSON"))
        else:
            assert isinstance(parsed.ticket.ahead, int)
            assert parsed.ticket.eta_minutes is None or isinstance(
                parsed.ticket.eta_minutes, int)


@settings(max_examples=30)
@given(st.integers(min_value=MAX_BYTES + 1, max_value=4 * MAX_BYTES))
def test_a_huge_job_is_refused_before_it_is_read(size: int) -> None:
    with pytest.raises(BadJob, match="too large"):
        parse_job(job(padding="x" * size))


def _slip(parsed: PrintJob) -> TicketSlip:
    from datetime import datetime

    return TicketSlip("Site", parsed.ticket.number, parsed.ticket.service,
                      datetime.fromisoformat(parsed.ticket.issued_at),
                      parsed.ticket.ahead, parsed.ticket.eta_minutes, parsed.lang)


@given(st.lists(st.binary(max_size=64) | st.sampled_from([job("a"), job("b"), job("a")]),
                max_size=12), st.booleans())
def test_the_kiosk_side_counts_everything_and_prints_each_job_once(payloads: list[bytes],
                                                                   retained: bool) -> None:
    remote = RemotePrints()
    slips = [remote.take(p, retained, _slip) for p in payloads]
    printed = [s for s in slips if s is not None]
    assert remote.jobs == len(printed) and len(printed) <= 2
    assert remote.jobs + remote.refused + remote.repeated == len(payloads)
    if retained:
        assert printed == [] and remote.refused == len(payloads)


def test_a_job_no_slip_can_be_made_of_is_refused_and_may_come_again() -> None:
    remote = RemotePrints()

    def broken(_job: PrintJob) -> TicketSlip:
        raise KeyError("service")

    assert remote.take(job("a"), False, broken) is None
    assert remote.health()["refused"] == 1 and "no slip" in remote.last_refused
    assert remote.take(job("a"), False, _slip) is not None  # not taken for a repeat
    assert remote.take(job("a"), False, _slip) is None
    assert remote.health() == {"jobs": 1, "refused": 1, "repeated": 1,
                               "last_refused": remote.last_refused}
    small = RemotePrints(remembered=2)
    for request_id in ("a", "b", "c"):
        small.take(job(request_id), False, _slip)
    assert small.take(job("a"), False, _slip) is not None  # only the last ones are kept


# -- the kiosk with its controller, on the in-memory broker and the jumping clock -------------

@contextlib.contextmanager
def lobby_kiosk(memory_broker: MemoryBroker, tmp_path: Path,
                printer: FaultPrinter | None = None) -> Iterator[LobbyKiosk]:
    """The demo site's lobby device as controller and kiosk, headless; without `printer`
    the kiosk prints with the site's file printer into `tmp_path/tickets`."""
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        kiosk = LobbyKiosk(site, demo_config(None, tmp_path), tmp_path,
                           screen=ScreenConfig(800, 480, fullscreen=False),
                           printer=None if printer is None else
                           TicketPrinter(printer, description="fault printer"))
        yield kiosk.ready()


def printed_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "tickets").glob("*.escpos"))


def remote_health(kiosk: LobbyKiosk) -> dict[str, Any]:
    return kiosk.runtime.health()["remote_print"]


def test_the_advisors_ticket_is_printed_once_on_the_kiosk(memory_broker, tmp_path) -> None:
    with lobby_kiosk(memory_broker, tmp_path) as kiosk:
        site = kiosk.config.site.id
        console = kiosk.site.client(site, "web-1")
        answer = console.request(topics.ISSUE, {"service": "kela", "lang": "sv"})
        assert answer["ok"]
        body = {"request_id": str(uuid.uuid4()), "lang": "sv", "ticket": answer["ticket"]}
        check("PrintJob", body)
        for _ in range(2):  # QoS 1 may deliver it twice
            console.publish_raw(topics.kiosk_print(site, "lobby-1"), json.dumps(body).encode())
        kiosk.printed()
        assert remote_health(kiosk)["repeated"] == 1  # the repeat counted, not printed
        files = printed_files(tmp_path)
        assert len(files) == 1
        text = decode_ticket(files[0].read_bytes()).text
        number = answer["ticket"]["number"]
        assert number in text and "FPA" in text and "Du är näst på tur" in text  # nobody ahead
        assert remote_health(kiosk) == {"jobs": 1, "refused": 0, "repeated": 1,
                                        "last_refused": ""}
        # The customer at the screen was not disturbed, and the slip counts as the kiosk's own.
        assert (kiosk.role.phase, kiosk.role.ticket) == ("start", None)
        assert kiosk.role.printed == [number]


@pytest.mark.wire_abuse("kiosk/+/print")  # its last job's `copy` is malformed on purpose
def test_a_reprint_from_the_console_prints_a_marked_copy_of_the_same_number(
        memory_broker, tmp_path) -> None:
    from ticket_printer.slip import COPY_MARK

    with lobby_kiosk(memory_broker, tmp_path) as kiosk:
        site = kiosk.config.site.id
        console = kiosk.site.client(site, "web-1")
        answer = console.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
        number = answer["ticket"]["number"]
        topic = topics.kiosk_print(site, "lobby-1")
        console.publish_raw(topic, json.dumps({"request_id": "first", "lang": "fi",
                                               "ticket": answer["ticket"]}).encode())
        kiosk.printed()
        console.publish_raw(topic, json.dumps({"request_id": "again", "lang": "en",
                                               "ticket": answer["ticket"],
                                               "copy": True}).encode())
        kiosk.printed()
        # The copy has a file of its own beside the original's: nothing is overwritten.
        files = sorted(printed_files(tmp_path), key=lambda f: f.name.endswith("-copy.escpos"))
        assert [f.name.endswith("-copy.escpos") for f in files] == [False, True]
        first, copy = (decode_ticket(f.read_bytes()).text for f in files)
        assert COPY_MARK not in first and first.count(number) == 1
        assert copy.count(COPY_MARK) == 2 and copy.count(number) == 1
        console.publish_raw(topic, json.dumps({"request_id": "bad", "lang": "en",
                                               "ticket": answer["ticket"],
                                               "copy": "yes"}).encode())
        kiosk.site.settle()
        assert remote_health(kiosk)["refused"] == 1  # refused by name, nothing printed
        assert "copy" in remote_health(kiosk)["last_refused"]
        assert len(printed_files(tmp_path)) == 2


@pytest.mark.wire_abuse("kiosk/+/print")  # the garbage is the point
def test_garbage_is_refused_and_counted_and_the_kiosk_goes_on(memory_broker, tmp_path) -> None:
    # Over 16 KiB for the kiosk, under the 64 KiB that Mosquitto itself lets through.
    garbage = [b"", b"\x00\xff" * 100, b"null", b'{"request_id": 5}', job(lang="de"),
               job(ticket={**TICKET, "number": 42}), b"[" * 8000, job(padding="x" * 30000)]
    with lobby_kiosk(memory_broker, tmp_path) as kiosk:
        site = kiosk.config.site.id
        topic = topics.kiosk_print(site, "lobby-1")
        console = kiosk.site.client(site)
        for payload in garbage:
            console.publish_raw(topic, payload)
        kiosk.site.settle()
        assert remote_health(kiosk)["refused"] == len(garbage)  # every bad job refused
        assert "too large" in remote_health(kiosk)["last_refused"]
        console.publish_raw(topic, job("good"))
        kiosk.printed()
        assert "K042" in decode_ticket(printed_files(tmp_path)[0].read_bytes()).text
        assert not kiosk.runtime.stopped and kiosk.runtime.link.connected
        health = kiosk.runtime.health()
        assert health["remote_print"]["jobs"] == 1
        assert health["display"]["phase"] == "start"
        check("DeviceHealth", health)


def test_a_job_left_retained_on_the_broker_is_not_printed_at_start(memory_broker,
                                                                    tmp_path) -> None:
    config = demo_config(None, tmp_path)
    topic = topics.kiosk_print(config.site.id, "lobby-1")
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        console = site.client(config.site.id)
        console.publish_raw(topic, job("kept"), retain=True)  # it would print at every start
        kiosk = LobbyKiosk(site, config, tmp_path).ready()
        assert remote_health(kiosk)["refused"] == 1  # the kept job refused
        assert "retained" in remote_health(kiosk)["last_refused"]
        assert remote_health(kiosk)["jobs"] == 0 and printed_files(tmp_path) == []
        console.publish_raw(topic, b"", retain=True)  # the broker forgets it


def test_a_printer_fault_is_reported_as_for_the_kiosks_own_tickets(memory_broker,
                                                                    tmp_path) -> None:
    with lobby_kiosk(memory_broker, tmp_path, FaultPrinter("paper_out")) as kiosk:
        site = kiosk.config.site.id
        console = kiosk.site.client(site)
        alerts = console.watch(topics.alert(site, "printer"))
        console.publish_raw(topics.kiosk_print(site, "lobby-1"), job())
        kiosk.printed()
        alert = latest_json(alerts)
        assert alert is not None, "the printer alert"
        assert alert["severity"] == "critical" and alert["unprinted_ticket"] == "K042"
        health = kiosk.runtime.health()
        assert health["printer"]["state"] == "paper_out"
        assert health["printer"]["last_unprinted"] == "K042"
        assert kiosk.role.led.state == "fault"


def subscribed(client: BlockingClient, site: str, device: str) -> None:
    """Wait until the device's link has made its subscriptions: it sends them before its
    "online" status on the same connection, and the broker handles a connection in order."""
    statuses = client.watch(topics.device_status(site, device))
    wait_for(lambda: json.loads(statuses.get(timeout=5)[1])["state"] == "online",
             what=f"{device} online")


# -- the ACL: only the console sends jobs, each kiosk reads its own -----------------------------

CONSOLE = "console-1"


def console_site() -> SiteConfig:
    config = secured_config()
    console = Device(CONSOLE, ("web",))
    kiosks = tuple(dataclasses.replace(d, screen=ScreenConfig(800, 480, fullscreen=False))
                   if d.id in ("kiosk-2", "kiosk-3") else d for d in config.devices)
    return dataclasses.replace(config, devices=(*kiosks, console))


def web_devices(config: SiteConfig) -> set[str]:
    """The consoles: a console of its own, and the demo's lobby-1 that serves one too."""
    return {d.id for d in config.devices if "web" in d.roles}


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    config = console_site()
    where = tmp_path_factory.mktemp("secured-print")
    with LocalBroker(where / "broker", extra_conf=write_access_files(config, where)) as broker:
        yield config, broker


def print_writers(config: SiteConfig, kiosk: str) -> set[str]:
    """The users the generated ACL lets write `kiosk`'s print topic."""
    writers: dict[str, list[str]] = {}
    user = ""
    for line in acl_text(config).splitlines():
        if line.startswith("user "):
            user = line.split()[1]
        elif line.startswith("topic ") and "write" in line.split()[1]:
            writers.setdefault(user, []).append(line.split()[2])
    target = topics.kiosk_print(config.site.id, kiosk)
    return {u for u, patterns in writers.items()
            if any(topic_matches_sub(p, target) for p in patterns)}


def test_only_the_console_may_write_a_kiosks_print_topic() -> None:
    config = console_site()
    assert CONSOLE in web_devices(config)
    assert print_writers(config, "kiosk-2") == web_devices(config)
    # Without the web role the lobby's controller, kiosk and display may not make one print.
    lobby = dataclasses.replace(config.device("lobby-1"),
                                roles=("controller", "kiosk", "display"))
    plain = dataclasses.replace(config, devices=tuple(
        lobby if d.id == lobby.id else d for d in config.devices))
    assert print_writers(plain, "kiosk-2") == print_writers(plain, "lobby-1") == {CONSOLE}


def test_the_broker_lets_only_the_console_make_a_kiosk_print(secured) -> None:
    config, broker = secured
    site = config.site.id
    own, other = topics.kiosk_print(site, "kiosk-2"), topics.kiosk_print(site, "kiosk-3")
    intruders = ["kiosk-3", "room-1", "waiting-1", "clerk-1", "collector", "technician",
                 "exit-1"]
    assert not web_devices(config) & set(intruders)
    with login(broker, config, "kiosk-2") as kiosk:
        jobs = kiosk.watch(own)
        others = kiosk.watch(other)  # another kiosk's jobs: the broker gives it none
        time.sleep(0.3)
        for user in intruders:
            with login(broker, config, user) as intruder:
                intruder.publish_raw(own, job(f"from-{user}"), retain=True)
        assert drain(jobs, 0.5) == []
        with login(broker, config, CONSOLE) as console:
            console.publish_raw(own, job("mine"))
            console.publish_raw(other, job("theirs"))
        assert [json.loads(p)["request_id"] for _, p in drain(jobs)] == ["mine"]
        assert drain(others, 0.3) == []
    with login(broker, config, "kiosk-2") as late:  # nothing the intruders sent was kept
        assert drain(late.watch(own), 0.5) == []


def test_the_console_sees_the_lobby_and_a_kiosk_prints_its_job(secured, tmp_path) -> None:
    config, broker = secured
    site = config.site.id
    for part in ("controller", "kiosk"):
        (tmp_path / part).mkdir()
    with running_controller(config, broker, tmp_path / "controller") as _controller, \
            login(broker, config, CONSOLE) as console, \
            login(broker, config, "kiosk-2") as kiosk_login, \
            login(broker, config, "room-1") as room:
        lobby = console.watch(f"piste/v1/{site}/#")
        drain(lobby, 0.5)  # the retained messages of earlier tests
        # A kiosk's printer fault: its health, and the controller's alert about it.
        kiosk_login.publish_raw(topics.device_health(site, "kiosk-2"), json.dumps(
            {"at": "2026-12-01T10:00:00+02:00", "printer": {"state": "paper_out"}}).encode(),
            retain=True)
        room.publish_raw(topics.room_occupancy(site, "1"), json.dumps(
            {"staff": True, "customer": False, "state": "staff_only",
             "since": "2026-12-01T10:00:00+02:00"}).encode(), retain=True)
        answer = console.request(topics.ISSUE, {"service": "kela", "lang": "en"})
        assert answer["ok"]
        seen = drain(lobby)
    seen_topics = {t for t, _ in seen}
    assert {topics.queue_events(site), topics.queue_state(site), topics.alert(site, "printer"),
            topics.device_health(site, "kiosk-2"), topics.room_occupancy(site, "1")} <= seen_topics
    assert not any("/cmd/" in t or "/reply/" in t for t in seen_topics)  # no one else's asks
    with kiosk_runtime(config, broker, "kiosk-2", tmp_path / "kiosk") as (_role, running), \
            login(broker, config, CONSOLE) as console:
        subscribed(console, site, "kiosk-2")
        body = {"request_id": str(uuid.uuid4()), "lang": "en", "ticket": answer["ticket"]}
        console.publish_raw(topics.kiosk_print(site, "kiosk-2"), json.dumps(body).encode())
        wait_for(lambda: printed_files(tmp_path / "kiosk"), what="the slip on kiosk-2")
        text = decode_ticket(printed_files(tmp_path / "kiosk")[0].read_bytes()).text
        assert answer["ticket"]["number"] in text and "You are next in line" in text
        assert running.on_loop(lambda: running.runtime.health()["remote_print"])["jobs"] == 1


@contextlib.contextmanager
def kiosk_runtime(config: SiteConfig, broker: LocalBroker, user: str,
                  data_dir: Path) -> Iterator[tuple[KioskRole, RunningDevice]]:
    """A kiosk alone with its own login, as in production."""
    logged_in = dataclasses.replace(config, broker=dataclasses.replace(
        config.broker, host=broker.host, port=broker.port, username=user,
        password=f"pw-{user}"))
    role = KioskRole(pin_factory=MockFactory())
    runtime = Runtime(logged_in, config.device(user), ShiftedClock(TUESDAY_10), data_dir,
                      [role], broker_host=broker.host, broker_port=broker.port,
                      uses_screen=True)
    with RunningDevice(runtime) as running:
        wait_for(lambda: runtime.link.connected, what=f"{user} with its login")
        yield role, running

