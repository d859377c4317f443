"""A kiosk's printer fault reaches the staff: ledger event and alert/printer, then all clear."""

from __future__ import annotations

import dataclasses
import json
import queue
import uuid

from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.core.device_faults import PrinterWatch
from firmware.runtime import Runtime
from firmware.site_model import Device
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from testkit.site_factory import MONDAY, at, small_site
from tests.helpers import RunningDevice, wait_for


def test_paper_out_is_recorded_and_alerted_then_cleared(broker, tmp_path) -> None:
    config = small_site()
    config = dataclasses.replace(config, site=dataclasses.replace(
        config.site, id=f"t-{uuid.uuid4().hex[:8]}"),
        devices=(*config.devices, Device("kiosk-2", ("kiosk",))))
    site = config.site.id
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    role = ControllerRole()
    runtime = Runtime(config, device, ManualClock(at(MONDAY, 9, 0)), tmp_path, [role],
                      broker_host=broker.host, broker_port=broker.port)
    with RunningDevice(runtime) as running, \
            BlockingClient(broker.host, broker.port, site, "kiosk-2") as kiosk:
        wait_for(lambda: runtime.link.connected, what="the controller")
        alerts = kiosk.watch(topics.alert(site, "printer"))
        health = topics.device_health(site, "kiosk-2")
        for state in ("ok", "paper_out", "paper_out", "ok"):
            kiosk.publish_raw(health, json.dumps({"at": "2026-11-30T09:00:00+02:00",
                                                  "printer": {"state": state}}).encode(),
                              retain=True)
        raised = json.loads(alerts.get(timeout=5)[1])
        cleared = json.loads(alerts.get(timeout=5)[1])
        try:
            extra = alerts.get(timeout=0.5)
        except queue.Empty:
            extra = None
        faults = running.on_loop(lambda: [e.data for e in role.ledger.events_from(0)
                                          if e.type == "device.fault"])
    assert raised["state"] == "raised" and raised["severity"] == "critical"
    assert "paperi loppu" in raised["message"]["fi"] and raised["message"]["sv"]
    assert cleared["state"] == "cleared"
    assert extra is None  # the repeated paper_out said nothing new
    assert [f["state"] for f in faults] == ["paper_out", "ok"]


def test_silence_or_unknown_never_raises_an_alarm() -> None:
    watch = PrinterWatch()
    assert watch.update("k", {"printer": {"state": "unknown"}}) is None
    assert watch.update("k", {"display": {}}) is None
    assert watch.update("k", "garbage") is None
    assert watch.update("k", {"printer": {"state": "ok"}}) is None
    assert watch.update("k", {"printer": {"state": "paper_low"}}).severity == "warning"
