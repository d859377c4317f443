"""How good is the waiting estimate? Median absolute error against the naive estimate
(people ahead × the configured mean), over simulated days. Goal: ratio ≤ 0.6."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

from bench.simulate import simulate_day
from firmware.site_model import SiteConfig


def run(config: SiteConfig, days: int = 8) -> list[str]:
    ours, naive = [], []
    first = date(2026, 11, 30)  # a Monday; the days run Monday to Friday
    calendar = [first + timedelta(days=i) for i in range(14)]
    workdays = [d for d in calendar if d.weekday() < 5]
    for i, day in enumerate(workdays[:days]):
        for p in simulate_day(config, day, seed=1000 + i):
            assert p.actual is not None
            ours.append(abs(p.ours - p.actual))
            naive.append(abs(p.naive - p.actual))
    ratio = statistics.median(ours) / statistics.median(naive)
    return [
        f"{'estimate median abs error (simulated days)':<48} ours {statistics.median(ours):6.1f} "
        f"min   naive {statistics.median(naive):6.1f} min   ratio {ratio:.2f} "
        f"(goal <= 0.6, n={len(ours)} tickets, {min(days, len(workdays))} days)",
    ]
