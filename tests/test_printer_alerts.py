"""A kiosk's printer fault reaches the staff: ledger event and alert/printer, then all clear."""

from __future__ import annotations

import dataclasses
import json
import uuid
from pathlib import Path

from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.core.device_faults import PrinterWatch
from firmware.site_model import Device
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from testkit.jumping import JumpingSite
from testkit.site_factory import MONDAY, at, small_site


def test_paper_out_is_recorded_and_alerted_then_cleared(memory_broker: MemoryBroker,
                                                       tmp_path: Path) -> None:
    config = small_site()
    config = dataclasses.replace(config, site=dataclasses.replace(
        config.site, id=f"t-{uuid.uuid4().hex[:8]}"),
        devices=(*config.devices, Device("kiosk-2", ("kiosk",))))
    config = dataclasses.replace(config, devices=tuple(
        dataclasses.replace(d, roles=("controller",)) if d.id == "lobby-1" else d
        for d in config.devices))
    site_id = config.site.id
    role = ControllerRole()
    with JumpingSite(ManualClock(at(MONDAY, 9, 0)), memory_broker) as site:
        site.device(config, "lobby-1", [role], tmp_path)
        kiosk = site.client(site_id, "kiosk-2")
        alerts = kiosk.watch(topics.alert(site_id, "printer"))
        health = topics.device_health(site_id, "kiosk-2")
        for state in ("ok", "paper_out", "paper_out", "ok"):
            kiosk.publish_raw(health, json.dumps({"at": "2026-11-30T09:00:00+02:00",
                                                  "printer": {"state": state}}).encode(),
                              retain=True)
        site.run_until(lambda: len(alerts) >= 2, what="the alert raised and cleared")
        site.run_for(0.5)  # and nothing more a while later
        raised, cleared, *extra = [json.loads(payload) for _, payload, _ in alerts]
        faults = [e.data for e in role.ledger.events_from(0) if e.type == "device.fault"]
    assert raised["state"] == "raised" and raised["severity"] == "critical"
    assert "paperi loppu" in raised["message"]["fi"] and raised["message"]["sv"]
    assert cleared["state"] == "cleared"
    assert extra == []  # the repeated paper_out said nothing new
    assert [f["state"] for f in faults] == ["paper_out", "ok"]


def test_silence_or_unknown_never_raises_an_alarm() -> None:
    watch = PrinterWatch()
    assert watch.update("k", {"printer": {"state": "unknown"}}) is None
    assert watch.update("k", {"display": {}}) is None
    assert watch.update("k", "garbage") is None
    assert watch.update("k", {"printer": {"state": "ok"}}) is None
    assert watch.update("k", {"printer": {"state": "paper_low"}}).severity == "warning"
