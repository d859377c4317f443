"""How good is the waiting estimate? Median absolute error against the naive estimate
(people ahead × the configured mean), over simulated days. Goal: ratio ≤ 0.6.

Two loads: a busy day (queues form; the day the estimate is for) and a quiet one (nearly
nobody waits, so both estimates say "about now" and the ratio tells little).
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta

from bench.simulate import simulate_day
from firmware.site_model import SiteConfig

LOADS = (("busy day, 25 customers/h", 25.0), ("quiet day, 14 customers/h", 14.0))


def run(config: SiteConfig, days: int = 5) -> list[str]:
    first = date(2026, 11, 30)  # a Monday; the days run Monday to Friday
    calendar = [first + timedelta(days=i) for i in range(14)]
    workdays = [d for d in calendar if d.weekday() < 5][:days]
    lines = []
    for label, rate in LOADS:
        ours, naive, waits = [], [], []
        for i, day in enumerate(workdays):
            for p in simulate_day(config, day, seed=1000 + i, arrivals_per_hour=rate):
                assert p.actual is not None
                ours.append(abs(p.ours - p.actual))
                naive.append(abs(p.naive - p.actual))
                waits.append(p.actual)
        ratio = statistics.median(ours) / statistics.median(naive)
        lines.append(
            f"estimate error, {label:<26} ours {statistics.median(ours):5.1f} min  "
            f"naive {statistics.median(naive):5.1f} min  ratio {ratio:.2f} (goal <= 0.6; "
            f"median wait {statistics.median(waits):.0f} min, n={len(ours)}, {len(workdays)} days)"
        )
    return lines
