"""A clerk works a room from the terminal, through a real broker to a real controller."""

from __future__ import annotations

import dataclasses
import io
import uuid

from firmware.cli.clerk import session
from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.runtime import Runtime
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from testkit.site_factory import MONDAY, at, small_site
from tests.helpers import RunningDevice, wait_for


def controller_device(broker, tmp_path, clock):
    config = small_site()
    config = dataclasses.replace(config, site=dataclasses.replace(
        config.site, id=f"t-{uuid.uuid4().hex[:8]}"))
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    runtime = Runtime(config, device, clock, tmp_path, [ControllerRole()],
                      broker_host=broker.host, broker_port=broker.port)
    return config, RunningDevice(runtime)


def test_a_clerk_session(broker, tmp_path) -> None:
    clock = ManualClock(at(MONDAY, 9, 0))
    config, device = controller_device(broker, tmp_path, clock)
    with device, BlockingClient(broker.host, broker.port, config.site.id) as client:
        wait_for(lambda: device.runtime.link.connected, what="the controller's link")
        for _ in range(3):
            client.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
        out = io.StringIO()
        typed = "n\nr\nx\nb K001\nn K003\nt vero\nn vero\nc\nd K002\nn\nz\nq\nn\n"
        session(client, "2", {"kela", "vero", "migri"}, io.StringIO(typed), out)
    lines = [line for line in out.getvalue().splitlines() if line and not line.startswith(" ")]
    assert lines == [
        "Called K001 (kela) to room 2.",
        "Called K001 again to room 2.",
        "K001 did not come; it left the queue.",
        "K001 is back in the queue at its original place.",
        "Called K003 (kela) to room 2.",
        "K003 now waits for vero, at its original place.",
        "Called K003 (vero) to room 2.",
        "Completed K003.",
        "Cancelled K002.",
        "Called K001 (kela) to room 2.",
    ]


def test_rooms_calling_at_the_same_moment_never_get_the_same_ticket(broker, tmp_path) -> None:
    import threading

    clock = ManualClock(at(MONDAY, 9, 0))
    config, device = controller_device(broker, tmp_path, clock)
    with device, BlockingClient(broker.host, broker.port, config.site.id) as kiosk:
        wait_for(lambda: device.runtime.link.connected, what="the controller's link")
        for _ in range(6):
            kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
        called: list[str] = []
        start = threading.Barrier(3)  # both clerks and the test press at once

        def clerk(room: str) -> None:
            with BlockingClient(broker.host, broker.port, config.site.id) as client:
                start.wait()
                for _ in range(2):
                    answer = client.request(topics.CALL, {"room": room, "services": ["kela"]})
                    called.append(answer["ticket"]["number"])
                    client.request(topics.COMPLETE, {"room": room})

        threads = [threading.Thread(target=clerk, args=(room,)) for room in ("1", "2")]
        for t in threads:
            t.start()
        start.wait()
        for t in threads:
            t.join(10)
    assert sorted(called) == ["K001", "K002", "K003", "K004"]
