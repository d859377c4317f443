"""The console's view of the lobby, folded from what the broker carries (pure), and the web
role on a device whose port is taken (it reports it and the device carries on)."""

from __future__ import annotations

import json
import socket

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.clock import ManualClock
from firmware.web.lobby import LobbyView
from mqtt_bridge import topics
from testkit.console_site import DeviceThread, device_runtime, site_config
from testkit.site_factory import MONDAY, at, small_site
from tests.helpers import wait_for

SITE = small_site()
ROOT = topics.site_root(SITE.site.id)


def snapshot(*serving: tuple[str, str], kela_open: bool = True) -> bytes:
    return json.dumps({
        "seq": 3, "day": "2026-11-30", "at": "2026-11-30T09:00:00+02:00",
        "services": [{"id": "kela", "waiting": 4, "eta_minutes": 30, "open": kela_open}],
        "serving": [{"ticket": t, "room": r, "service": "kela", "called_at":
                     "2026-11-30T09:00:00+02:00", "call_id": "c"} for t, r in serving],
        "last_call": None}).encode()


def test_queues_rooms_and_devices_from_the_broker() -> None:
    lobby = LobbyView(SITE)
    assert lobby.take(topics.queue_state(SITE.site.id), snapshot(("K001", "1"))) == "state"
    lobby.take(topics.room_occupancy(SITE.site.id, "1"),
               json.dumps({"state": "in_session", "since": "x"}).encode())
    lobby.take(topics.device_status(SITE.site.id, "lobby-1"),
               json.dumps({"state": "online", "since": "x"}).encode())
    lobby.take(topics.device_health(SITE.site.id, "lobby-1"),
               json.dumps({"printer": {"state": "paper_out"}}).encode())
    view = lobby.view()
    kela = next(s for s in view["services"] if s["id"] == "kela")
    assert kela["waiting"] == 4 and kela["eta_minutes"] == 30 and kela["open"]
    room1 = view["rooms"][0]
    assert room1["serving"]["number"] == "K001" and room1["occupancy"] == "in_session"
    lobby_1 = next(d for d in view["devices"] if d["id"] == "lobby-1")
    assert lobby_1["problems"] == [{"kind": "printer", "state": "paper_out"}]
    room_unit = next(d for d in view["devices"] if d["id"] == "room-1")
    assert room_unit["problems"] == [{"kind": "never_seen"}]


def test_alerts_stay_until_cleared_and_events_are_listed_newest_first() -> None:
    lobby = LobbyView(SITE)
    lobby.take(topics.queue_state(SITE.site.id), snapshot())
    raised = {"kind": "congestion", "service": "kela", "state": "raised", "at": "1",
              "severity": "warning", "message": {"en": "Kela: 20 waiting"}}
    lobby.take(topics.alert(SITE.site.id, "congestion"), json.dumps(raised).encode())
    assert [a["message"]["en"] for a in lobby.view()["alerts"]] == ["Kela: 20 waiting"]
    assert lobby.view()["services"][0]["congested"]
    lobby.take(topics.alert(SITE.site.id, "congestion"),
               json.dumps({**raised, "state": "cleared"}).encode())
    assert lobby.view()["alerts"] == [] and len(lobby.view()["recent_alerts"]) == 2
    for kind, number in (("ticket.issued", "K001"), ("ticket.called", "K001")):
        lobby.take(topics.queue_events(SITE.site.id), json.dumps(
            {"type": kind, "number": number, "service": "kela", "room": "1"}).encode())
    assert [e["type"] for e in lobby.view()["events"]] == ["ticket.called", "ticket.issued"]


def test_a_resent_alert_is_old_news_and_a_closed_authority_is_never_congested() -> None:
    lobby = LobbyView(SITE)
    lobby.take(topics.queue_state(SITE.site.id), snapshot())
    alert = topics.alert(SITE.site.id, "congestion")
    raised = {"kind": "congestion", "service": "kela", "state": "raised", "at": "1",
              "severity": "warning", "message": {"en": "Kela: 20 waiting"}}
    lobby.take(alert, json.dumps({**raised, "id": "a1"}).encode())
    lobby.take(alert, json.dumps({**raised, "id": "a2", "state": "cleared"}).encode())
    # The raise again, as the controller's outbox resends after a dropped link: old news.
    assert lobby.take(alert, json.dumps({**raised, "id": "a1"}).encode()) is None
    assert not lobby.view()["services"][0]["congested"]
    assert len(lobby.view()["recent_alerts"]) == 2
    lobby.take(alert, json.dumps({**raised, "id": "a3"}).encode())
    assert lobby.view()["services"][0]["congested"]
    # Closed, with the alert still standing (say one from before the controller restarted):
    # the advisor's table does not call it congested.
    lobby.take(topics.queue_state(SITE.site.id), snapshot(kela_open=False))
    assert not lobby.view()["services"][0]["congested"]


def test_the_version_moves_only_when_something_changed() -> None:
    lobby = LobbyView(SITE)
    before = lobby.version
    assert lobby.take(f"{ROOT}/device/x/unknown", b"{}") is None
    assert lobby.take("elsewhere/queue/state", snapshot()) is None
    assert lobby.take(topics.queue_state(SITE.site.id), b"not json") is None
    assert lobby.version == before
    lobby.take(topics.queue_state(SITE.site.id), snapshot())
    assert lobby.version == before + 1


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["queue/state", "queue/events", "device/lobby-1/status",
                        "device/lobby-1/health", "room/1/occupancy", "alert/congestion",
                        "alert/printer", "device/x/y/z"]),
       st.one_of(st.binary(max_size=200),
                 st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                              lambda c: st.lists(c, max_size=3)
                              | st.dictionaries(st.text(max_size=8), c, max_size=4),
                              max_leaves=12).map(lambda v: json.dumps(v).encode())))
def test_any_payload_on_any_topic_leaves_a_view_the_pages_can_draw(topic: str,
                                                                   payload: bytes) -> None:
    lobby = LobbyView(SITE)
    lobby.take(f"{ROOT}/{topic}", payload)
    view = lobby.view()
    json.dumps(view)  # what the live stream sends
    assert [s["id"] for s in view["services"]] == ["kela", "vero", "migri"]
    assert all(isinstance(d["problems"], list) for d in view["devices"])
    assert [r["id"] for r in view["rooms"]] == ["1", "2", "3"]


def test_a_taken_port_stops_the_console_only(broker, tmp_path) -> None:
    taken = socket.create_server(("127.0.0.1", 0))
    port = taken.getsockname()[1]
    config = site_config(tmp_path, port)
    clock = ManualClock(at(MONDAY, 9))
    try:
        with DeviceThread(device_runtime(config, "console", tmp_path, clock, broker)) as web:
            role = web.role("web")
            wait_for(lambda: role.problem, what="the console's problem")
            assert role.server is None and f"127.0.0.1:{port}" in role.problem
            wait_for(lambda: web.runtime.link.connected, what="the device's broker link")
            health = web.runtime.health()["web"]
            assert health["state"] == "error" and "cannot serve the console" in health["problem"]
    finally:
        taken.close()


def test_the_installer_brings_openssl_for_a_console_without_a_certificate(tmp_path) -> None:
    from firmware.admin.install_info import install_info

    config = site_config(tmp_path, 8443)
    assert "openssl" in install_info(config, config.device("console"))["packages"]
    assert "openssl" not in install_info(config, config.device("room-1"))["packages"]
