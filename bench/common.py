"""Shared benchmark helpers: percentiles and a description of the machine."""

from __future__ import annotations

import os
import platform
import statistics


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def report(name: str, samples_s: list[float], unit: str = "ms") -> str:
    scale = 1000.0 if unit == "ms" else 1.0
    values = [s * scale for s in samples_s]
    return (f"{name:<48} median {statistics.median(values):8.2f} {unit}   "
            f"p99 {percentile(values, 99):8.2f} {unit}   (n={len(values)})")
