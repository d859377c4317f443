"""A clerk works a room from the terminal (`piste clerk`'s session) against a real controller,
on the in-memory broker and the jumping clock (testkit/jumping.py): the session's client is
the site's test client, which sends a command and runs the site until it is answered."""

from __future__ import annotations

import dataclasses
import io
import uuid
from pathlib import Path

from firmware.cli.clerk import session
from firmware.clock import ManualClock
from firmware.controller.role import ControllerRole
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from testkit.jumping import JumpingSite
from testkit.site_factory import MONDAY, at, small_site


def controller_site(memory_broker: MemoryBroker, tmp_path: Path
                    ) -> tuple[SiteConfig, JumpingSite]:
    config = small_site()
    config = dataclasses.replace(config, site=dataclasses.replace(
        config.site, id=f"t-{uuid.uuid4().hex[:8]}"), devices=tuple(
        dataclasses.replace(d, roles=("controller",)) if d.id == "lobby-1" else d
        for d in config.devices))
    site = JumpingSite(ManualClock(at(MONDAY, 9, 0)), memory_broker)
    site.device(config, "lobby-1", [ControllerRole()], tmp_path)
    return config, site


def test_a_clerk_session(memory_broker: MemoryBroker, tmp_path: Path) -> None:
    config, site = controller_site(memory_broker, tmp_path)
    with site:
        client = site.client(config.site.id)
        for _ in range(3):
            client.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
        out = io.StringIO()
        typed = "n\nr\nx\nb K001\nn K003\nt vero\nn vero\nc\nd K002\nn\nz\nq\nn\n"
        session(client, "2", {"kela", "vero", "migri"}, io.StringIO(typed), out)  # type: ignore[arg-type]
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


def test_rooms_calling_at_the_same_moment_never_get_the_same_ticket(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    config, site = controller_site(memory_broker, tmp_path)
    with site:
        kiosk = site.client(config.site.id)
        for _ in range(6):
            kiosk.request(topics.ISSUE, {"service": "kela", "lang": "fi"})
        clerks = {room: site.client(config.site.id) for room in ("1", "2")}
        called: list[str] = []
        for _ in range(2):
            # Both clerks press at once: both calls are on the broker before the controller
            # has handled either.
            sent = {room: c.send(topics.CALL, {"room": room, "services": ["kela"]})
                    for room, c in clerks.items()}
            for room, c in clerks.items():
                called.append(c.answer(sent[room])["ticket"]["number"])
            sent = {room: c.send(topics.COMPLETE, {"room": room}) for room, c in clerks.items()}
            for room, c in clerks.items():
                assert c.answer(sent[room])["ok"]
    assert sorted(called) == ["K001", "K002", "K003", "K004"]
