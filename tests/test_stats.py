"""Statistics of a day, as the service team reads them: counts, waits and service times."""

from __future__ import annotations

from firmware.clock import ManualClock
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller
from firmware.core.stats import day_report
from mqtt_bridge import topics
from mqtt_bridge.payloads import Command
from testkit.site_factory import MONDAY, TZ, at, small_site


def test_a_morning_in_numbers(tmp_path) -> None:
    clock = ManualClock(at(MONDAY, 9, 0))
    c = Controller(small_site(), Ledger(tmp_path / "l.sqlite"), clock)
    n = iter(range(1000))

    def send(name: str, **body: object) -> dict:
        defaults = {"lang": "fi", "device": "k", "appointment": None} \
            if name == topics.ISSUE else {"services": []} if name == topics.CALL else {}
        return c.handle(Command(name, f"r{next(n)}", {**defaults, **body})).response

    for minute in (0, 5, 10):
        clock.set(at(MONDAY, 9, minute))
        send(topics.ISSUE, service="kela")
    clock.set(at(MONDAY, 9, 20))
    send(topics.CALL, room="1")  # K001 waited 20 min
    clock.set(at(MONDAY, 9, 32))
    send(topics.CALL, room="1")  # K001 served 12 min; K002 called after 27 min
    clock.set(at(MONDAY, 9, 40))
    send(topics.NO_SHOW, room="1")
    clock.set(at(MONDAY, 10, 5))
    send(topics.TRANSFER, ticket="K003", to_service="vero")
    send(topics.CALL, room="2", services=["vero"])  # K003 waits for Vero from 10:05: 0 min
    clock.set(at(MONDAY, 10, 15))
    send(topics.COMPLETE, room="2")

    rows = {(r["service"], r["hour"]): r for r in day_report(c.ledger.events_of_day(
        MONDAY.isoformat()), TZ)}
    kela = rows[("kela", "all")]
    assert kela["arrivals"] == 3
    assert (kela["served"], kela["no_show"], kela["transferred"]) == (1, 1, 1)
    assert kela["wait_median_min"] == 23.5  # 20 and 27 minutes; K003 was never called
    assert kela["service_median_min"] == 12.0
    vero = rows[("vero", "10")]
    assert vero["arrivals"] == 1 and vero["served"] == 1
    assert vero["wait_median_min"] == 0.0 and vero["service_median_min"] == 10.0
    day = rows[("all", "all")]
    assert day["arrivals"] == 4 and day["served"] == 2
