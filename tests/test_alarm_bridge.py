"""The silent alarm leaves the site only where the site allows it (`[alarm] to_central`):
two real site brokers, each with the generated ACL and the bridge `piste bridge-config`
writes, bridged to one real central broker with `piste central-acl`'s ACL. A room unit's
raise reaches the centre from the site that allows it and never from the one that does not;
the central public relay's login never reads it."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import pytest

from firmware.broker import LocalBroker
from firmware.central.bridge import (
    BRIDGE_USER,
    BridgeSettings,
    bridge_acl_block,
    bridge_conf,
    central_acl,
)
from firmware.core.events import Event, EventType
from firmware.site_model import AlarmConfig, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.acl import ACCESS_CONTROL_LINES
from tests.alarm_wire import ACCEPTED, Login, moment, raised, status_of
from tests.conftest import DEMO_SITE
from tests.secured_site import secured_config, write_access_files

DESK = "security-south"  # a regional security desk (piste central-acl --security-desk)


def add_logins(passwd: Path, logins: list[str]) -> None:
    for login in logins:
        subprocess.run(["mosquitto_passwd", "-b", *(["-c"] if not passwd.exists() else []),
                        str(passwd), login, f"pw-{login}"], check=True, capture_output=True)


@dataclasses.dataclass
class Bridged:
    config: SiteConfig
    broker: LocalBroker

    @property
    def site(self) -> str:
        return self.config.site.id


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalBroker, dict]]:
    """The central broker, and a site bridged to it that allows the alarm out and one that
    does not."""
    where = tmp_path_factory.mktemp("alarm-bridge")
    sites = {allowed: _site_config(allowed) for allowed in (True, False)}
    # The desk as `piste central-acl --security-desk` makes it, and for this test only a
    # look at the bridges' status, to know when a site is connected.
    acl = central_acl(security_desks=[DESK]) + (
        f"user {DESK}\ntopic read {topics.PREFIX}/+/device/+/status\n")
    (where / "central-acl").write_text(acl)
    add_logins(where / "central-passwd", [*(c.site.id for c in sites.values()), DESK,
                                          "public"])
    with ExitStack() as stack:
        central = stack.enter_context(LocalBroker(where / "central", extra_conf=[
            *ACCESS_CONTROL_LINES, f"password_file {where / 'central-passwd'}",
            f"acl_file {where / 'central-acl'}"]))
        bridged = {}
        for allowed, config in sites.items():
            bridged[allowed] = Bridged(config, stack.enter_context(
                _site_broker(where / config.site.id, config, central)))
        yield central, bridged


def _site_config(alarm_to_central: bool) -> SiteConfig:
    config = secured_config()
    return dataclasses.replace(config, alarm=AlarmConfig(to_central=alarm_to_central))


def _site_broker(where: Path, config: SiteConfig, central: LocalBroker) -> LocalBroker:
    """As `piste broker-acl` and `piste bridge-config` make it: the site's ACL with the
    bridge's block, and the bridge's own lines."""
    where.mkdir()
    site = config.site.id
    access = write_access_files(config, where)
    add_logins(where / "passwd", [BRIDGE_USER])
    with (where / "acl").open("a") as acl:
        acl.write("\n" + bridge_acl_block(site, False, config.alarm.to_central))
    conf = bridge_conf(BridgeSettings(site, central.host, central.port, password=f"pw-{site}",
                                      local_password=f"pw-{BRIDGE_USER}",
                                      alarm_to_central=config.alarm.to_central))
    return LocalBroker(where / "broker", extra_conf=[*access, *conf.splitlines()])


def test_the_bridge_config_names_the_alarm_topics_only_when_allowed() -> None:
    line = "topic piste/v1/s-x/alarm/# out 1"
    allowed = bridge_conf(BridgeSettings("s-x", "centre", alarm_to_central=True))
    assert line in allowed.splitlines()
    assert line not in bridge_conf(BridgeSettings("s-x", "centre")).splitlines()
    assert "topic read piste/v1/s-x/alarm/#" in bridge_acl_block("s-x", False, True)
    assert "alarm" not in bridge_acl_block("s-x", False, False)


def test_an_alarm_reaches_the_central_broker_when_the_site_allows_it(centre) -> None:
    central, bridged = centre
    site = bridged[True]
    topic = topics.alarm_raised(site.site, "1")
    message = raised("1")
    with Login(site.broker, "room-1") as room, Login(central, DESK) as desk:
        desk.subscribe(topics.alarm_filter(site.site))
        assert room.publish(topic, message) in ACCEPTED
        got_topic, payload, _ = desk.next()
    assert got_topic == topic and json.loads(payload) == message


def test_an_alarm_stays_at_the_site_that_does_not_allow_it(centre) -> None:
    central, bridged = centre
    site = bridged[False]
    marker = topics.device_status(site.site, "room-1")  # goes out on every bridge
    with Login(site.broker, "room-1") as room, Login(central, DESK) as desk:
        desk.subscribe(topics.alarm_filter(site.site), marker)
        assert room.publish(topics.alarm_raised(site.site, "1"), raised("1")) in ACCEPTED
        assert room.publish(marker, status_of("room-1")) in ACCEPTED
        # The bridge keeps the order of what it carries: the raise, had it gone out, would
        # have come before the status published after it.
        assert desk.next()[0] == marker


def test_the_central_public_login_never_reads_an_alarm(centre) -> None:
    central, bridged = centre
    site = bridged[True]
    alarm_topic = topics.alarm_raised(site.site, "3")
    public_topic = topics.public_alive(site.site)
    with Login(site.broker, "room-3") as room, Login(site.broker, "lobby-1") as lobby, \
            Login(central, DESK) as desk, Login(central, "public") as public:
        desk.subscribe(alarm_topic)
        public.subscribe(f"{topics.PREFIX}/#")  # the relay's login asks for everything
        assert room.publish(alarm_topic, raised("3")) in ACCEPTED
        assert desk.next()[0] == alarm_topic  # at the centre now ...
        alive = {"at": moment()}
        assert lobby.publish(public_topic, alive, retain=False) in ACCEPTED
        # ... yet the relay's login gets only the public message that came after it.
        assert [(t, json.loads(p)) for t, p, _ in public.until(public_topic)] == [
            (public_topic, alive)]


@pytest.mark.parametrize("allowed", [True, False])
def test_piste_bridge_config_follows_the_sites_alarm_table(
        allowed: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from firmware.cli.main import main

    site = tmp_path / "site.toml"
    demo = DEMO_SITE.read_text(encoding="utf-8")
    assert "\nto_central = false" in demo  # the demo site's [alarm] table keeps it at home
    site.write_text(demo.replace("\nto_central = false",
                                 f"\nto_central = {'true' if allowed else 'false'}", 1),
                    encoding="utf-8")

    assert main(["bridge-config", "--config", str(site), "--central", "keskus.example"]) == 0
    assert main(["bridge-config", "--config", str(site), "--central", "keskus.example",
                 "--out", str(tmp_path / "out")]) == 0

    printed = capsys.readouterr().out.splitlines()
    written = (tmp_path / "out" / "piste-bridge.conf").read_text().splitlines()
    acl = (tmp_path / "out" / "acl").read_text().splitlines()
    for lines, line in ((printed, "topic piste/v1/lappeenranta/alarm/# out 1"),
                        (written, "topic piste/v1/lappeenranta/alarm/# out 1"),
                        (printed, "topic read piste/v1/lappeenranta/alarm/#"),
                        (acl, "topic read piste/v1/lappeenranta/alarm/#")):
        assert (line in lines) is allowed


def test_a_security_desk_reads_the_alarms_and_nothing_else_of_a_site(centre) -> None:
    """`piste central-acl --security-desk` gives the regional desk the bridged alarms: not
    the queue's events, which go to the centre on the same bridge."""
    central, bridged = centre
    site = bridged[True]
    alarm_topic = topics.alarm_raised(site.site, "2")
    events_topic = topics.queue_events(site.site)
    with Login(site.broker, "room-2") as room, Login(site.broker, "lobby-1") as lobby, \
            Login(central, DESK) as desk:
        desk.subscribe(f"{topics.PREFIX}/+/queue/#", alarm_topic)  # asks for more than it gets
        event = Event(str(uuid.uuid4()), EventType.HELP_REQUESTED, datetime.now().astimezone(),
                      "2026-12-07", {"device": "kiosk-1"}, seq=1)
        assert lobby.publish(events_topic, event.to_wire(), retain=False) in ACCEPTED
        assert room.publish(alarm_topic, raised("2")) in ACCEPTED
        # The bridge keeps the order it carries things in: the event went first.
        assert [t for t, _, _ in desk.until(alarm_topic)] == [alarm_topic]


def test_piste_central_acl_makes_the_security_desks_login(
        capsys: pytest.CaptureFixture[str]) -> None:
    from firmware.cli.main import main

    assert main(["central-acl", "--security-desk", "security-south"]) == 0
    acl = capsys.readouterr().out
    assert "user security-south\ntopic read piste/v1/+/alarm/#\n" in acl
    assert main(["central-acl", "--security-desk", "guards"]) == 2
    assert "not a security desk's login" in capsys.readouterr().err
