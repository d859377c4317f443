"""One visit end to end on real parts: touch -> printed ticket -> call -> display + chime.

A real Mosquitto, the lobby device's real roles on their own loop thread, pygame with the
SDL dummy drivers, the file printer writing the exact ESC/POS bytes.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pygame

from firmware.clock import ShiftedClock
from firmware.device import build_runtime
from firmware.display.lobby_screen import layout_lobby, lobby_view_from_snapshot
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from tests.helpers import RunningDevice, demo_config, wait_for
from ticket_printer.decode import decode_escpos

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


def touch(device: RunningDevice, service_id: str, taps: int = 1) -> None:
    """A finger on the authority's button, lifted `taps` times in quick succession."""
    kiosk = device.role("kiosk")
    pos = wait_for(lambda: device.on_loop(lambda: kiosk.button_center(service_id)),
                   what=f"a button for {service_id}")
    window = kiosk.screen.window
    for _ in range(taps):
        for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            pygame.event.post(pygame.event.Event(kind, pos=pos, button=1, window=window))


def test_one_visit_from_touch_to_chime(private_broker, tmp_path) -> None:
    config = demo_config(private_broker)
    runtime = build_runtime(config, "lobby-1", clock=ShiftedClock(TUESDAY_10),
                            data_dir=tmp_path)
    room = next(r for r in config.rooms if "kela" in r.services)
    with RunningDevice(runtime) as lobby:
        display = lobby.role("display")
        # A double tap: the second tap, while the ticket is on its way, prints nothing more.
        touch(lobby, "kela", taps=2)

        slips = wait_for(lambda: sorted((tmp_path / "tickets").glob("*.escpos")),
                         what="a printed ticket")
        text = "\n".join(line.text for line in decode_escpos(slips[0].read_bytes()))
        kela = config.service("kela")
        number = f"{kela.prefix}001"
        assert number in text
        assert kela.name.fi in text
        assert "1.12.2026" in text  # the date, Finnish style

        with BlockingClient(private_broker.host, private_broker.port, config.site.id) as clerk:
            answer = clerk.request(topics.CALL, {"room": room.id, "services": ["kela"]})
        assert answer["ok"] and answer["ticket"]["number"] == number

        wait_for(lambda: display.chimes == 1, what="the chime")
        snapshot = wait_for(lambda: lobby.on_loop(lambda: display.snapshot.get("serving")),
                            what="the display's state")
        view = lobby_view_from_snapshot(display.snapshot, config, TUESDAY_10)
        texts = [item.text for item in layout_lobby(view, display.screen.size)]
        assert number in texts
        assert any(room.name.fi in t for t in texts)
        assert snapshot[0]["ticket"] == number

        # The broker goes away and comes back: the retained state arrives again, but it is
        # the same call, so the waiting room hears no second chime.
        private_broker.kill()
        wait_for(lambda: not lobby.runtime.link.connected, what="the link to drop")
        private_broker.start()
        wait_for(lambda: lobby.runtime.link.connected, timeout=15, what="the link to return")
        with BlockingClient(private_broker.host, private_broker.port, config.site.id) as watcher:
            states = watcher.watch(topics.queue_state(config.site.id))
            state = json.loads(states.get(timeout=5)[1])
        assert state["serving"][0]["ticket"] == number
        lobby.on_loop(lambda: None)  # let the loop apply what has arrived
        assert display.chimes == 1
        assert len(sorted((tmp_path / "tickets").glob("*.escpos"))) == 1
