"""The national level on real parts: two site brokers bridged to a central Mosquitto by the
config `piste bridge-config` writes, a real controller at each site, the collector storing
into SQLite and into a private PostgreSQL. Outages of the centre, of the collector and of a
site: every event of both sites' ledgers arrives once, none twice."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import queue
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firmware.broker import LocalBroker
from firmware.central.bridge import BridgeSettings, bridge_conf, central_acl
from firmware.central.collector import Collector
from firmware.central.store import CentralStore
from firmware.cli.central_stats import central_stats_main
from firmware.clock import ShiftedClock
from firmware.controller.ledger import Ledger
from firmware.controller.role import ControllerRole
from firmware.runtime import Runtime
from firmware.site_config import load_site_config
from mqtt_bridge import topics
from mqtt_bridge.acl import ACCESS_CONTROL_LINES
from mqtt_bridge.blocking import BlockingClient
from tests.conftest import DEMO_SITE
from tests.helpers import RunningDevice, wait_for

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


@dataclasses.dataclass
class Site:
    id: str
    broker: LocalBroker
    data: Path
    device: RunningDevice | None = None

    def ledger_ids(self) -> set[str]:
        ledger = Ledger(self.data / "ledger.sqlite")
        try:
            return {e.id for e in ledger.events_from(0, limit=100_000)}
        finally:
            ledger.close()

    def issue(self, n: int) -> None:
        with BlockingClient(self.broker.host, self.broker.port, self.id,
                            client=f"kiosk-{uuid.uuid4().hex[:6]}") as kiosk:
            for _ in range(n):
                assert kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"},
                                     timeout=10)["ok"]


@contextmanager
def site_controller(site: Site) -> Iterator[RunningDevice]:
    config = load_site_config(DEMO_SITE)
    config = dataclasses.replace(
        config, site=dataclasses.replace(config.site, id=site.id),
        rules=dataclasses.replace(config.rules, stop_issuing_before_closing=False))
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    runtime = Runtime(config, device, ShiftedClock(TUESDAY_10), site.data,
                      [ControllerRole()], broker_host=site.broker.host,
                      broker_port=site.broker.port)
    with RunningDevice(runtime) as running:
        wait_for(lambda: runtime.link.connected, what=f"the controller of {site.id}")
        yield running


class National:
    """A central broker, two bridged sites with running controllers, a collector."""

    def __init__(self, where: Path, db_url: str) -> None:
        self.where = where
        self.db_url = db_url
        self.central = LocalBroker(where / "central", extra_conf=[
            "allow_anonymous true", "max_queued_messages 200000"])
        self.sites: list[Site] = []
        self.collector: Collector | None = None
        self._thread: threading.Thread | None = None

    def start(self, stack: ExitStack) -> National:
        stack.enter_context(self.central)
        for name in ("north", "south"):
            site_id = f"{name}-{uuid.uuid4().hex[:6]}"
            conf = bridge_conf(BridgeSettings(site_id, self.central.host, self.central.port))
            broker = LocalBroker(self.where / site_id, extra_conf=[
                "allow_anonymous true", *conf.splitlines()])
            stack.enter_context(broker)
            site = Site(site_id, broker, self.where / f"{site_id}-data")
            site.device = stack.enter_context(site_controller(site))
            self.sites.append(site)
        return self

    def start_collector(self) -> Collector:
        store = CentralStore.open(self.db_url)
        self.collector = Collector(store, self.central.host, self.central.port, recheck_s=1.0,
                                   grace_s=0.5)
        self._thread = threading.Thread(target=self.collector.run, daemon=True)
        self._thread.start()
        wait_for(lambda: self.collector is not None and self.collector.link.connected,
                 what="the collector online")
        return self.collector

    def stop_collector(self) -> None:
        assert self.collector is not None and self._thread is not None
        self.collector.stop()
        self._thread.join(10)
        self.collector.store.close()
        self.collector = None

    def stored(self, site: Site) -> list[str]:
        store = CentralStore.open(self.db_url)
        try:
            return [e["id"] for _, e in store.events(site=site.id)]
        finally:
            store.close()

    def all_arrived(self, timeout: float = 30.0) -> None:
        for site in self.sites:
            wanted = site.ledger_ids()
            wait_for(lambda site=site, wanted=wanted: set(self.stored(site)) >= wanted,
                     timeout=timeout, what=f"every event of {site.id} at the centre")
            stored = self.stored(site)
            assert len(stored) == len(set(stored)) == len(wanted), "stored once, none extra"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'central.sqlite'}"
    return request.getfixturevalue("postgres_db")


@pytest.fixture
def national(tmp_path: Path, db_url: str) -> Iterator[National]:
    with ExitStack() as stack:
        world = National(tmp_path, db_url).start(stack)
        yield world
        if world.collector is not None:
            world.stop_collector()


def test_both_sites_arrive_once_and_a_late_collector_asks_for_what_it_missed(
        national: National) -> None:
    north, south = national.sites
    north.issue(4)  # before the collector ever ran: only a replay can bring these
    national.start_collector()
    north.issue(3)
    south.issue(5)
    national.all_arrived()
    assert national.collector is not None and national.collector.stats.replays_asked >= 1
    # The national statistics read the same store: seven customers north, five south.
    out = io.StringIO()
    assert central_stats_main(national.db_url, "2026-12", None, None, "json", out=out) == 0
    rows = json.loads(out.getvalue())["rows"]
    customers = {r["site"]: r["customers"] for r in rows if r["service"] == "all"}
    assert customers == {north.id: 7, south.id: 5}


def test_a_central_outage_and_a_collector_restart_lose_nothing(national: National) -> None:
    north, south = national.sites
    national.start_collector()
    north.issue(2)
    national.all_arrived()
    national.central.stop()  # the centre goes away; the sites keep serving
    north.issue(3)
    south.issue(3)
    national.central.start()
    national.all_arrived()
    national.stop_collector()  # the collector restarts; events meanwhile wait centrally
    south.issue(4)
    national.start_collector()
    national.all_arrived()


def test_a_site_cut_off_and_killed_still_delivers_every_event(national: National) -> None:
    north, south = national.sites
    national.start_collector()
    national.central.stop()
    north.issue(4)  # queued in north's broker for the bridge
    north.broker.kill()  # and north's broker dies as in a power cut
    north.broker.start()
    assert north.device is not None
    wait_for(lambda: north.device.runtime.link.connected, what="north's controller back")
    national.central.start()
    south.issue(2)
    national.all_arrived(timeout=45)


@pytest.mark.wire_abuse("queue/events")  # stand-in events, only to probe the ACL
def test_a_site_can_write_only_below_its_own_prefix(tmp_path: Path) -> None:
    (tmp_path / "acl").write_text(central_acl())
    passwd = tmp_path / "passwd"
    for user in ("north", "south", "collector"):
        subprocess.run(["mosquitto_passwd", "-b", *(["-c"] if not passwd.exists() else []),
                        str(passwd), user, f"pw-{user}"], check=True, capture_output=True)
    conf = [*ACCESS_CONTROL_LINES, f"password_file {passwd}", f"acl_file {tmp_path / 'acl'}"]
    with LocalBroker(tmp_path / "central", extra_conf=conf) as central, \
            BlockingClient(central.host, central.port, "north", client="collector",
                           username="collector", password="pw-collector") as collector, \
            BlockingClient(central.host, central.port, "north", client="north",
                           username="north", password="pw-north") as north:
        seen = collector.watch(f"{topics.PREFIX}/+/queue/events")
        got: list[bytes] = []
        while not got:  # until the collector's subscription is in place
            north.publish_raw(topics.queue_events("north"), b'{"id": "a", "seq": 1}')
            with contextlib.suppress(queue.Empty):
                got.append(seen.get(timeout=0.5)[1])
        north.publish_raw(topics.queue_events("south"), b'{"id": "b", "seq": 1}')
        north.publish_raw(topics.queue_events("north"), b'{"id": "c", "seq": 2}')
        # North's messages arrive in the order sent: once "c" is here, "b" would have been.
        while b'"c"' not in got[-1]:
            topic, payload, _ = seen.get(timeout=3)
            assert topic == topics.queue_events("north"), "south's prefix is not north's"
            got.append(payload)


def test_the_controller_sends_events_before_the_state_that_announces_them(
        private_broker: LocalBroker, tmp_path: Path) -> None:
    """A collector that saw a state first would take events still on their way for a hole."""
    site = Site(f"order-{uuid.uuid4().hex[:6]}", private_broker, tmp_path / "data")
    with site_controller(site), BlockingClient(private_broker.host, private_broker.port,
                                               site.id, client="watcher") as watcher:
        seen = watcher.watch(f"{topics.site_root(site.id)}/queue/#")
        # The first state, retained or (if the controller was still deciding whether it may
        # serve when the watcher subscribed) live: from then on the controller serves.
        topic, payload, _ = seen.get(timeout=10)
        assert topic == topics.queue_state(site.id)
        base = json.loads(payload)["seq"]
        site.issue(6)
        events: set[int] = set()
        announced = base
        while announced < base + 6:
            topic, payload, _ = seen.get(timeout=10)
            if topic == topics.queue_events(site.id):
                events.add(json.loads(payload)["seq"])
            elif topic == topics.queue_state(site.id):
                announced = json.loads(payload)["seq"]
                assert set(range(base + 1, announced + 1)) <= events, (
                    f"state announced seq {announced} before its events arrived")


def test_collectors_with_logins_of_their_own_share_the_work_under_the_central_acl(
        tmp_path: Path) -> None:
    """As in production: the central ACL for two collector logins, the user name as client
    id. Both log in at once (neither takes over the other's connection), the shared
    subscription is allowed, and each stores a part of one site's events."""
    (tmp_path / "acl").write_text(central_acl(["collector", "collector-2"]))
    passwd = tmp_path / "passwd"
    for user in ("north", "collector", "collector-2"):
        subprocess.run(["mosquitto_passwd", "-b", *(["-c"] if not passwd.exists() else []),
                        str(passwd), user, f"pw-{user}"], check=True, capture_output=True)
    conf = [*ACCESS_CONTROL_LINES, f"password_file {passwd}", f"acl_file {tmp_path / 'acl'}"]
    url = f"sqlite:///{tmp_path / 'central.sqlite'}"
    with LocalBroker(tmp_path / "central", extra_conf=conf) as central, ExitStack() as stack:
        group = [Collector(stack.enter_context(CentralStore.open(url)), central.host,
                           central.port, username=login, password=f"pw-{login}",
                           share="collectors") for login in ("collector", "collector-2")]
        for collector in group:
            thread = threading.Thread(target=collector.run, daemon=True)
            thread.start()
            stack.callback(thread.join, 10)
            stack.callback(collector.stop)
        wait_for(lambda: all(c.link.connected for c in group), what="both collectors online")
        with BlockingClient(central.host, central.port, "north", client="north",
                            username="north", password="pw-north") as north:
            seq = 0
            while not all(c.stats.stored for c in group):  # until both have a share
                seq += 1
                assert seq <= 200, f"the work was not shared: {[c.stats for c in group]}"
                north.publish_raw(topics.queue_events("north"), json.dumps({
                    "id": str(uuid.uuid4()), "seq": seq, "type": "ticket.issued",
                    "at": "2026-12-01T10:00:00+02:00", "day": "2026-12-01"}).encode())
                wait_for(lambda seq=seq: sum(c.stats.stored for c in group) == seq,
                         what=f"event {seq} stored")
        assert all(c.link.connected for c in group), "neither took over the other's login"
        assert [c.stats.repeats for c in group] == [0, 0], "each event to one of them"


def test_bridge_config_writes_the_bridge_and_keeps_one_acl_block(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from firmware.cli.main import main as piste

    (tmp_path / "central-pw").write_text("s3cret-central\n")
    (tmp_path / "acl").write_text("user lobby-1\ntopic write piste/v1/x/queue/#\n")
    args = ["bridge-config", "--config", str(DEMO_SITE), "--central", "central-host:8884",
            "--ca-file", "/etc/piste/central-ca.crt", "--password-file",
            str(tmp_path / "central-pw"), "--out", str(tmp_path)]
    assert piste(args) == 0
    assert piste(args) == 0  # run twice: the ACL keeps one bridge block
    conf = (tmp_path / "piste-bridge.conf").read_text()
    assert "address central-host:8884" in conf and "remote_password s3cret-central" in conf
    assert "topic piste/v1/lappeenranta/queue/events out 1" in conf
    assert "topic piste/v1/lappeenranta/cmd/events/replay/collector in 1" in conf
    # The tickets followed on phones go out for the central relay (keys, never tokens).
    assert "topic piste/v1/lappeenranta/public/# out 1" in conf
    assert "config/site" not in conf and "ticket/" not in conf  # no queue command comes in
    assert (tmp_path / "piste-bridge.conf").stat().st_mode & 0o077 == 0
    acl = (tmp_path / "acl").read_text()
    assert acl.startswith("user lobby-1") and acl.count("user bridge") == 1
    assert piste(args[:-2]) == 0  # printed: the password masked
    printed = capsys.readouterr().out
    assert "s3cret" not in printed and "remote_password ********" in printed
    assert piste([*args[:-2], "--allow-config-push"]) == 0
    assert "topic piste/v1/lappeenranta/config/site in 1" in capsys.readouterr().out
    assert piste(["bridge-config", "--config", str(DEMO_SITE), "--central", "h:x"]) == 2


def test_central_acl_takes_collector_logins_and_refuses_other_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from firmware.cli.main import main as piste

    assert piste(["central-acl", "--collector", "collector", "--collector", "collector-2",
                  "--out", str(tmp_path)]) == 0
    acl = (tmp_path / "acl").read_text()
    assert "user collector\n" in acl and "user collector-2\n" in acl
    capsys.readouterr()
    assert piste(["central-acl", "--collector", "lappeenranta"]) == 2
    assert "'lappeenranta' is not a collector's login" in capsys.readouterr().err
    # The public relays: one login each, reading every site's public messages, nothing else.
    assert piste(["central-acl", "--public", "public", "--public", "public-2",
                  "--out", str(tmp_path)]) == 0
    acl = (tmp_path / "acl").read_text()
    for login in ("public", "public-2"):
        assert f"user {login}\ntopic read piste/v1/+/public/#\n\n" in acl
    capsys.readouterr()
    assert piste(["central-acl", "--public", "collector"]) == 2
    assert "'collector' is not a public relay's login" in capsys.readouterr().err
    # A site may not take a collector's name either.
    site = tmp_path / "site.toml"
    for name in ("collector-2", "public", "public-1"):
        site.write_text(DEMO_SITE.read_text().replace('id = "lappeenranta"', f'id = "{name}"'))
        assert piste(["bridge-config", "--config", str(site), "--central", "h:8883"]) == 2
        assert "reserved on the central broker" in capsys.readouterr().err
    # A group name MQTT could not carry, a grace that is no time: plain words, status 2.
    assert piste(["central", "--db", str(tmp_path / "c.sqlite"), "--share", "a/b"]) == 2
    assert "is not a group name" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        piste(["central", "--db", str(tmp_path / "c.sqlite"), "--gap-grace", "soon"])
    assert stopped.value.code == 2
    assert "'soon' is not a number of seconds" in capsys.readouterr().err
    assert not (tmp_path / "c.sqlite").exists(), "nothing made for a command refused"
