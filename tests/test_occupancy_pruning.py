"""Old raw occupancy changes are emptied after the retention time, the day's room report is
kept for the statistics, and the ledger's seq stays without holes."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import timedelta
from pathlib import Path

from firmware.clock import ManualClock
from firmware.controller.occupancy import room_reports
from firmware.controller.role import ControllerRole
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from testkit.jumping import JumpingSite
from testkit.site_factory import MONDAY, at, small_site


def occupancy(state: str, since) -> bytes:  # type: ignore[no-untyped-def]
    staff = state in ("staff_only", "in_session")
    customer = state in ("customer_only", "in_session")
    return json.dumps({"staff": staff, "customer": customer, "state": state,
                       "since": since.isoformat()}).encode()


def test_pruning_keeps_the_report_and_the_seq(memory_broker: MemoryBroker,
                                              tmp_path: Path) -> None:
    config = small_site()
    config = dataclasses.replace(
        config, site=dataclasses.replace(config.site, id=f"t-{uuid.uuid4().hex[:8]}"),
        rules=dataclasses.replace(config.rules, occupancy_retention_days=30))
    site_id = config.site.id
    clock = ManualClock(at(MONDAY, 9, 0))
    role = ControllerRole()
    config = dataclasses.replace(config, devices=tuple(
        dataclasses.replace(d, roles=("controller",)) if d.id == "lobby-1" else d
        for d in config.devices))
    with JumpingSite(clock, memory_broker) as site:
        site.device(config, "lobby-1", [role], tmp_path)
        room = site.client(site_id, "room-1")

        def send(state: str, minutes: int) -> None:
            clock.set(at(MONDAY, 9, 0) + timedelta(minutes=minutes))
            room.publish_raw(topics.room_occupancy(site_id, "1"),
                             occupancy(state, clock.now()), retain=True)

        def count() -> int:
            return sum(1 for e in role.ledger.events_of_day(MONDAY.isoformat())
                       if e.type == "room.occupancy" and "state" in e.data)

        send("staff_only", 0)
        send("in_session", 10)
        send("staff_only", 40)
        site.run_until(lambda: count() == 3, what="three changes recorded")
        before = room_reports(role.ledger.events_of_day(MONDAY.isoformat()), config,
                              MONDAY.isoformat(), now=at(MONDAY, 16, 15))

        # Thirty-one days later a new change comes in: Monday's raw changes are emptied.
        clock.set(at(MONDAY + timedelta(days=31), 9, 0))
        room.publish_raw(topics.room_occupancy(site_id, "1"),
                         occupancy("vacant", clock.now()), retain=True)
        site.settle()
        assert count() == 0  # the old changes pruned
        kept = role.ledger.room_report(MONDAY.isoformat())
        seqs = [e.seq for e in role.ledger.events_from(0)]
    assert seqs == list(range(1, len(seqs) + 1))  # emptied, not deleted: no holes
    def row(report: dict, hour: str) -> dict:
        return next(r for r in report["utilisation"] if r["room"] == "1" and r["hour"] == hour)

    assert row(kept, "all")["sessions"] == 1
    assert row(kept, "09")["in_session_share"] == row(before, "09")["in_session_share"] > 0
