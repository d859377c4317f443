"""Room unit figures: LD2410 parser throughput, and latency from a sensor edge to the
published occupancy (a real broker, the room role with MockFactory pins and a pty radar)."""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import percentile
from firmware.broker import LocalBroker
from firmware.clock import ShiftedClock
from firmware.room.sensors.ld2410 import FrameParser, Report, build_frame
from firmware.site_model import RoomUnitConfig, SensorConfig, SiteConfig
from mqtt_bridge import topics

START = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
EDGES = 60


def parser_throughput() -> str:
    rng = random.Random(7)
    frames = [build_frame(Report(rng.randrange(4), rng.randrange(600), rng.randrange(100),
                                 rng.randrange(600), rng.randrange(100), rng.randrange(600),
                                 engineering=rng.random() < 0.2)) for _ in range(20_000)]
    stream = b"".join(f + (b"\x00\x11" if i % 50 == 0 else b"") for i, f in enumerate(frames))
    chunks = [stream[i : i + 64] for i in range(0, len(stream), 64)]  # a UART read's size
    best = float("inf")
    for _ in range(3):
        parser = FrameParser()
        t0 = time.perf_counter()
        count = sum(len(parser.feed(c)) for c in chunks)
        best = min(best, time.perf_counter() - t0)
        assert count == len(frames)
    return (f"{'LD2410 parser (64-byte reads, 2% garbage)':<48} {len(frames) / best:,.0f} "
            "frames/s (the radar sends about 10 a second)")


def edge_latency(config: SiteConfig) -> list[str]:
    import pty

    from gpiozero.pins.mock import MockFactory

    from firmware.room.role import RoomRole
    from firmware.runtime import Runtime
    from mqtt_bridge.blocking import BlockingClient

    master, slave = pty.openpty()
    unit = RoomUnitConfig(staff=SensorConfig(kind="pir", pin=17, on_s=0.0, off_s=0.0),
                          customer=SensorConfig(kind="ld2410", serial_port=os.ttyname(slave),
                                                on_s=0.0, off_s=0.0, silence_s=600))
    pins = MockFactory()
    samples: dict[str, list[float]] = {"pir": [], "ld2410": []}
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(Path(tmp) / "mq") as broker:
        config = dataclasses.replace(
            config, broker=dataclasses.replace(config.broker, host=broker.host,
                                               port=broker.port),
            devices=tuple(dataclasses.replace(d, room_unit=unit) if d.id == "room-1" else d
                          for d in config.devices))
        device = config.device("room-1")
        assert device is not None
        runtime = Runtime(config, device, ShiftedClock(START), Path(tmp), [RoomRole(
            pin_factory=pins)], broker_host=broker.host, broker_port=broker.port)
        import threading

        thread = threading.Thread(target=runtime.run, daemon=True)
        thread.start()
        try:
            with BlockingClient(broker.host, broker.port, config.site.id) as watcher:
                seen = watcher.watch(topics.room_occupancy(config.site.id, "1"))
                os.write(master, build_frame(Report(0)))
                _wait(seen, lambda v: v["state"] == "vacant")
                for i in range(EDGES):
                    on = i % 2 == 0
                    t0 = time.perf_counter()
                    pins.pin(17).drive_high() if on else pins.pin(17).drive_low()
                    _wait(seen, lambda v, on=on: v["staff"] is on)
                    samples["pir"].append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    os.write(master, build_frame(Report(2 if on else 0)))
                    _wait(seen, lambda v, on=on: v["customer"] is on)
                    samples["ld2410"].append(time.perf_counter() - t0)
        finally:
            runtime.request_stop("bench over")
            thread.join(10)
            os.close(master)
            os.close(slave)
    return [f"{'edge -> published occupancy, ' + kind + ' (debounce 0)':<48} median "
            f"{statistics.median(v) * 1000:8.2f} ms   p99 {percentile(v, 99) * 1000:8.2f} ms"
            f"   (n={len(v)})" for kind, v in samples.items()]


def _wait(seen: queue.Queue, until) -> None:  # type: ignore[type-arg, no-untyped-def]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        _, payload, _ = seen.get(timeout=5)
        if until(json.loads(payload)):
            return
    raise TimeoutError("no occupancy message")


def run(config: SiteConfig) -> list[str]:
    return [parser_throughput(), *edge_latency(config)]
