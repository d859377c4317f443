"""Central config through a real Mosquitto: push, switch, refuse, survive a restart."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firmware.admin import config_message, config_store, paths
from firmware.admin.broker_client import AdminClient
from firmware.admin.config_push import push_main
from firmware.broker import LocalBroker
from firmware.clock import SystemClock
from firmware.device import build_runtime
from firmware.site_config import load_site_config
from firmware.site_model import BrokerConfig
from tests.conftest import DEMO_SITE
from tests.helpers import RunningDevice, wait_for


def site_text(broker: LocalBroker, site: str, version: int, congestion: int = 15) -> str:
    text = DEMO_SITE.read_text(encoding="utf-8")
    text = text.replace('id = "lappeenranta"', f'id = "{site}"', 1)
    text = re.sub(r'(?m)^host = "localhost"', f'host = "{broker.host}"', text, count=1)
    text = re.sub(r"(?m)^port = 1883", f"port = {broker.port}", text, count=1)
    text = re.sub(r"(?m)^congestion_waiting = \d+", f"congestion_waiting = {congestion}", text)
    return f"config_version = {version}\n{text}"


def provisioned(tmp_path: Path, text: str, device: str) -> tuple[Path, Path]:
    etc, state = tmp_path / "etc", tmp_path / "state"
    etc.mkdir()
    state.mkdir()
    (etc / paths.SITE_FILE).write_text(text, encoding="utf-8")
    (etc / paths.DEVICE_ENV).write_text(f"PISTE_DEVICE={device}\n")
    return etc, state


def start_device(etc: Path, state: Path, device: str, restart: bool = False) -> RunningDevice:
    effective, _ = config_store.prepare(etc, state)
    config = load_site_config(effective)
    runtime = build_runtime(config, device, clock=SystemClock(ZoneInfo("Europe/Helsinki")),
                            data_dir=state)
    running = RunningDevice(runtime)
    running.role("config").restart_to_apply = restart
    return running


def health(broker: LocalBroker, site: str, device: str) -> dict:
    with AdminClient(BrokerConfig(host=broker.host, port=broker.port)) as client:
        client.subscribe(f"piste/v1/{site}/device/{device}/health")
        for _, payload, _ in client.collect(1.0):
            return json.loads(payload)
    return {}


@pytest.fixture
def site() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def test_push_switches_refuses_and_restarts_with_the_last_good(
        broker: LocalBroker, tmp_path: Path, site: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    etc, state = provisioned(tmp_path, site_text(broker, site, 1), "room-1")
    with start_device(etc, state, "room-1") as device:
        runtime = device.runtime
        assert runtime.link.wait_connected(10)
        wait_for(lambda: health(broker, site, "room-1").get("config", {}).get("version") == 1,
                 what="version 1 in the health report")

        new = tmp_path / "new.toml"
        new.write_text(site_text(broker, site, 2, congestion=22), encoding="utf-8")
        assert push_main(new, broker.url, "", "", wait_s=5) == 0
        out = capsys.readouterr().out
        assert f"pushed config version 2 for site {site}" in out
        assert re.search(r"room-1\s+runs it", out), out
        assert runtime.config.config_version == 2
        assert runtime.config.rules.congestion_waiting == 22
        assert runtime.config.broker.port == broker.port  # its own connection kept

        # A broken config, sent past the push command's own check: refused, old one runs.
        broken = site_text(broker, site, 3).replace('services = ["kela"', 'services = ["kelo"')
        with AdminClient(BrokerConfig(host=broker.host, port=broker.port)) as client:
            client.publish(config_message.config_topic(site),
                           config_message.encode(3, broken, "2026-12-01T08:00:00+02:00"),
                           retain=True)
        report = wait_for(lambda: (health(broker, site, "room-1").get("config") or {})
                          .get("refused"), what="the refusal in the health report")
        assert report["version"] == 3
        assert any("kelo" in p for p in report["problems"]), report
        assert runtime.config.config_version == 2
        assert runtime.config.rules.congestion_waiting == 22

    # After a restart the device runs the last good push, not the provisioned file and not
    # the refused one still retained on the broker.
    with start_device(etc, state, "room-1") as device:
        assert device.runtime.config.config_version == 2
        assert device.runtime.config.rules.congestion_waiting == 22
        assert device.runtime.link.wait_connected(10)
        wait_for(lambda: device.role("config").refused is not None, what="refusal again")
        assert device.runtime.config.config_version == 2


def test_a_role_without_live_reconfigure_restarts_into_the_new_config(
        broker: LocalBroker, tmp_path: Path, site: str) -> None:
    etc, state = provisioned(tmp_path, site_text(broker, site, 4), "waiting-1")
    device = start_device(etc, state, "waiting-1", restart=True)
    with device:
        assert device.runtime.link.wait_connected(10)
        text = site_text(broker, site, 5, congestion=30)
        with AdminClient(BrokerConfig(host=broker.host, port=broker.port)) as client:
            client.publish(config_message.config_topic(site),
                           config_message.encode(5, text, "2026-12-01T08:05:00+02:00"),
                           retain=True)
        device.thread.join(10)
        assert not device.thread.is_alive(), "the device should stop to restart"
        assert device.role("config").pending == 5
        assert device.runtime.config.config_version == 4  # never mixed within one process
    effective, origin = config_store.prepare(etc, state)
    assert "version 5" in origin
    assert load_site_config(effective).rules.congestion_waiting == 30


def test_push_refuses_a_bad_file_an_old_version_and_a_password(
        broker: LocalBroker, tmp_path: Path, site: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(site_text(broker, site, 1).replace('timezone = "Europe/Helsinki"',
                                                      'timezone = "Europe/Helsnki"'))
    assert push_main(bad, broker.url, "", "", wait_s=0) == 2
    assert "nothing was pushed" in capsys.readouterr().err

    secret = tmp_path / "secret.toml"
    secret.write_text(site_text(broker, site, 1).replace(
        "# password = \"...\"", 'password = "hunter2-secret"'))
    assert push_main(secret, broker.url, "", "", wait_s=0) == 2
    err = capsys.readouterr().err
    assert "must carry no secret" in err and "hunter2" not in err

    good = tmp_path / "good.toml"
    good.write_text(site_text(broker, site, 7))
    assert push_main(good, broker.url, "", "", wait_s=0) == 0
    older = tmp_path / "older.toml"
    older.write_text(site_text(broker, site, 6))
    assert push_main(older, broker.url, "", "", wait_s=0) == 2
    assert "set config_version = 8" in capsys.readouterr().err


def test_push_to_an_unreachable_broker_says_so(tmp_path: Path, site: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from firmware.broker import free_port

    good = tmp_path / "good.toml"
    good.write_text(DEMO_SITE.read_text())
    assert push_main(good, f"mqtt://127.0.0.1:{free_port()}", "", "", wait_s=0) == 1
    assert "cannot reach the broker" in capsys.readouterr().err
