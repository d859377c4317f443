"""The announcer: a voice for a second waiting area, on real parts (Mosquitto, espeak-ng, the
mixer on SDL's dummy driver). What a customer there notices: each new call is said once, in
fi, sv and en; what was called before it started is not said again (its quiet hours and the
rest of its behaviour are tested on its flow, in tests/test_display_flow.py). And what its
installer notices: it is one more entry in `roles`, with its own table."""

from __future__ import annotations

import dataclasses
import json
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firmware.broker import LocalBroker
from firmware.clock import ShiftedClock
from firmware.device import build_runtime
from firmware.site_config import ConfigError, parse_site_config
from firmware.site_config.summary import to_json_dict
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.acl import acl_text
from mqtt_bridge.blocking import BlockingClient
from mqtt_bridge.clients import site_clients
from tests.conftest import DEMO_SITE
from tests.helpers import RunningDevice, demo_config, wait_for

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed")


def hall_2(table: str = "volume = 60") -> str:
    return f'\n[[devices]]\nid = "hall-2"\nroles = ["announcer"]\n\n[devices.announcer]\n{table}\n'


def site_with_announcer(broker: LocalBroker | None, table: str = "volume = 60") -> SiteConfig:
    on_broker = demo_config(broker)
    parsed = parse_site_config(Path(DEMO_SITE).read_text() + hall_2(table))
    return dataclasses.replace(on_broker, devices=(*on_broker.devices, parsed.devices[-1]))


def state(*calls: tuple[str, str]) -> bytes:
    serving = [{"ticket": t, "room": r, "service": "kela",
                "call_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"announcer-test:{t}")),
                "called_at": "2026-12-01T10:00:00+02:00"} for t, r in calls]
    last = ({"ticket": serving[0]["ticket"], "room": serving[0]["room"],
             "call_id": serving[0]["call_id"], "at": serving[0]["called_at"]}
            if serving else None)
    return json.dumps({"seq": len(calls), "day": "2026-12-01", "services": [
        {"id": "kela", "waiting": 1, "eta_minutes": 10, "eta_range": [5, 15], "open": True,
         "next_open": None}], "serving": serving, "last_call": last}).encode()


def test_its_table_is_read_and_checked_like_every_other() -> None:
    config = parse_site_config(Path(DEMO_SITE).read_text()
                               + hall_2('volume = 60\nquiet_hours = ["08:00-09:00"]'))
    hall = config.device("hall-2")
    assert hall is not None
    assert hall.table("announcer").volume == 60
    assert [r.start.hour for r in hall.table("announcer").quiet_hours] == [8]
    devices = {d["id"]: d for d in to_json_dict(config)["devices"]}
    assert devices["hall-2"]["announcer"] == {"volume": 60, "quiet_hours": ["08:00-09:00"],
                                              "quiet_volume": 0}  # piste check-config --json
    assert "announcer" not in devices["waiting-1"]
    with pytest.raises(ConfigError) as caught:
        parse_site_config(Path(DEMO_SITE).read_text() + hall_2("volume = 150\nloud = true"))
    problems = str(caught.value)
    at = f"devices[{Path(DEMO_SITE).read_text().count(chr(10) + '[[devices]]')}]"  # hall-2
    assert f"{at}.announcer.volume: expected a volume in percent" in problems
    assert f"{at}.announcer.loud: unknown key 'loud'" in problems
    misplaced = Path(DEMO_SITE).read_text() + hall_2().replace('"announcer"]', '"display"]')
    with pytest.raises(ConfigError) as caught:
        parse_site_config(misplaced)
    assert (f"{at}.announcer: only a device with the announcer role has an announcer "
            "table; add the role or remove this table") in str(caught.value)


def test_it_reads_the_calls_and_sends_nothing() -> None:
    config = site_with_announcer(None)  # the ACL is text: no broker needed
    root = topics.site_root(config.site.id)
    block = acl_text(config).split("# hall-2: announcer\n")[1].split("\n\n")[0]
    assert block.splitlines() == ["user hall-2", f"topic readwrite {root}/device/hall-2/#",
                                  f"topic read {root}/reply/hall-2",
                                  f"topic read {root}/config/#",
                                  f"topic read {root}/queue/state"]
    assert site_clients(config)["hall-2"].commands == frozenset()


@needs_espeak
def test_each_new_call_is_said_once_in_three_languages(broker: LocalBroker,
                                                      tmp_path: Path) -> None:
    config = site_with_announcer(broker)
    runtime = build_runtime(config, "hall-2", clock=ShiftedClock(TUESDAY_10), data_dir=tmp_path)
    assert runtime.uses_screen is False
    topic = topics.queue_state(config.site.id)
    with RunningDevice(runtime) as device, BlockingClient(
            broker.host, broker.port, config.site.id) as controller:
        announcer = device.role("announcer")
        controller.publish_raw(topic, state(("K001", "1")), retain=True)
        wait_for(lambda: announcer.flow.follower.tracker.primed, what="the first state")
        controller.publish_raw(topic, state(("K002", "2"), ("K001", "1")), retain=True)
        wait_for(lambda: len(announcer.speaker.spoken) == 3, what="K002 in three languages")
        assert announcer.announced == ["K002 Huone 2"]  # K001 was called before it started
        assert announcer.speaker.spoken == [("Vuoronumero K 2, Huone 2", "fi"),
                                            ("Könummer K 2, Rum 2", "sv"),
                                            ("Queue number K 2, Room 2", "en")]
        assert device.on_loop(announcer.health) == {"voice": "ok"}
