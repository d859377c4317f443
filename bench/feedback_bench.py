"""Customer feedback: what a vote costs and what the month's report costs (median, p99).

- a rating with words from the exit device to the controller's ledger and back, through a
  real local Mosquitto (the words masked on the way in);
- masking one feedback text of the longest allowed length;
- `piste stats --report survey` over a busy survey month on a real SQLite ledger.
"""

from __future__ import annotations

import dataclasses
import io
import random
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import report
from bench.round_trips import warm_up
from firmware.broker import LocalBroker
from firmware.cli.feedback_stats import write_report
from firmware.clock import ShiftedClock
from firmware.controller.ledger import Ledger
from firmware.controller.role import ControllerRole
from firmware.core.events import Event, EventType
from firmware.core.text_mask import MAX_WORDS_CHARS, mask_personal
from firmware.runtime import Runtime
from firmware.site_model import SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient

HELSINKI = ZoneInfo("Europe/Helsinki")
TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=HELSINKI)
WORDS = "Palvelu oli ystävällistä, mutta jonotin pitkään. Soittakaa 040 123 4567. "


def run(config: SiteConfig) -> list[str]:
    return [_round_trip(config), _masking(), _survey_report(config)]


def _round_trip(config: SiteConfig, n: int = 300) -> str:
    device = dataclasses.replace(config.device("lobby-1"), roles=("controller",))
    # The controller takes 12 votes a minute per device; a fast clock keeps the bench under it.
    clock = ShiftedClock(TUESDAY_10, 20000.0)
    times = []
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(Path(tmp) / "broker") as broker:
        runtime = Runtime(config, device, clock, Path(tmp), [ControllerRole()],
                          broker_host=broker.host, broker_port=broker.port)
        thread = threading.Thread(target=runtime.run, daemon=True)
        thread.start()
        try:
            with BlockingClient(broker.host, broker.port, config.site.id,
                                client="exit-1") as exit_device:
                warm_up(exit_device)
                for i in range(n + 20):
                    t0 = time.perf_counter()
                    answer = exit_device.request(topics.FEEDBACK, {
                        "lang": "fi", "rating": 1 + i % 4, "words": WORDS}, timeout=10)
                    if i >= 20:  # the first ones warm the connection and SQLite up
                        times.append(time.perf_counter() - t0)
                    assert answer.get("ok"), answer
        finally:
            runtime.request_stop("bench over")
            thread.join(10)
    return report("feedback round trip (exit -> broker -> ledger -> answer)", times)


def _masking(n: int = 2000) -> str:
    text = (WORDS * 10)[:MAX_WORDS_CHARS]
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        mask_personal(text)
        times.append(time.perf_counter() - t0)
    return report(f"mask one {MAX_WORDS_CHARS}-character feedback text", times)


def _survey_report(config: SiteConfig, answers: int = 5000, tickets: int = 30000) -> str:
    rng = random.Random(3)
    start = config.survey.start or date(2026, 12, 1)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Ledger(Path(tmp) / "ledger.sqlite")
        events = [_answer(rng, start, i) for i in range(answers)]
        events += [Event(f"t{i}", EventType.TICKET_ISSUED, TUESDAY_10, start.isoformat(),
                         {"number": f"K{i % 999:03d}", "service": "kela"})
                   for i in range(tickets)]  # a month's tickets around them, as on a site
        ledger.append(events)
        first, last = start.isoformat(), (start + timedelta(days=30)).isoformat()
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            write_report(config, ledger, "survey", first, last, "csv", io.StringIO())
            times.append(time.perf_counter() - t0)
        ledger.close()
    return report(f"survey report of a month ({answers} answers, {tickets} tickets)", times)


def _answer(rng: random.Random, start: date, i: int) -> Event:
    day = start + timedelta(days=i % 30)
    at = datetime.combine(day, datetime.min.time(), HELSINKI) + timedelta(hours=9)
    self_service, documents = rng.random() < 0.3, rng.random() < 0.2
    numbers = [n for n in range(1, 19) if (n != 17 or self_service) and (n != 18 or documents)]
    return Event(f"s{i}", EventType.SURVEY_ANSWERED, at, day.isoformat(), {
        "device": "exit-1", "lang": rng.choice(["fi", "sv", "en"]),
        "self_service": self_service, "documents": documents,
        "ratings": {str(n): rng.choice([None, 6, 7, 8, 8, 9, 10]) for n in numbers}})
