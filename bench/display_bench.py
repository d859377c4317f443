"""Display figures: full-frame render at 1080p, call -> frame through a local broker, idle cost."""

from __future__ import annotations

import dataclasses
import json
import resource
import tempfile
import time
from pathlib import Path

from bench.common import report
from firmware.site_model import SiteConfig


def _render(config: SiteConfig) -> str:
    from display_driver.png import offscreen_surface
    from firmware.display.lobby_screen import lobby_view_from_snapshot, render_lobby
    from firmware.screenshots.display import morning

    day = morning(config)
    view = lobby_view_from_snapshot(day.busy, config, day.now, calls=day.calls)
    surface = offscreen_surface(1920, 1080)
    samples = []
    for i in range(200):
        start = time.perf_counter()
        render_lobby(surface, dataclasses.replace(view, blink_on=bool(i % 2)))
        samples.append(time.perf_counter() - start)
    return report("display: full-frame render 1080p", samples)


def _live(config: SiteConfig) -> list[str]:
    from firmware.broker import LocalBroker
    from firmware.clock import SystemClock
    from firmware.device import build_runtime
    from mqtt_bridge import topics
    from mqtt_bridge.blocking import BlockingClient
    from testkit.devices import RunningDevice
    from testkit.waiting import wait_until as wait_for

    with tempfile.TemporaryDirectory() as tmp, LocalBroker(Path(tmp) / "mq") as broker:
        site = dataclasses.replace(config.site, id="bench-display")
        devices = tuple(dataclasses.replace(d, screen=dataclasses.replace(d.screen,
                        fullscreen=False), chime=False) for d in config.devices)
        cfg = dataclasses.replace(config, site=site, devices=devices, broker=dataclasses.replace(
            config.broker, host=broker.host, port=broker.port))
        from zoneinfo import ZoneInfo
        runtime = build_runtime(cfg, "waiting-1", clock=SystemClock(ZoneInfo("Europe/Helsinki")),
                                data_dir=Path(tmp))
        topic = topics.queue_state(site.id)
        samples = []
        with RunningDevice(runtime) as device, BlockingClient(broker.host, broker.port,
                                                              site.id) as ctl:
            display = device.role("display")
            for n in range(60):
                frames = display.frames_drawn
                body = {"seq": n, "day": time.strftime("%Y-%m-%d"), "services": [],
                        "serving": [{"ticket": f"K{n:03d}", "room": "1", "call_id": f"c{n}",
                                     "called_at": "2026-12-01T10:00:00+02:00"}],
                        "last_call": None}
                start = time.perf_counter()
                ctl.publish_raw(topic, json.dumps(body).encode(), retain=True)
                wait_for(lambda f=frames: display.frames_drawn > f, timeout=5)
                samples.append(time.perf_counter() - start)
                time.sleep(0.05)
            time.sleep(7)  # the last blink ends
            cpu0, wall0, frames0 = time.process_time(), time.monotonic(), display.frames_drawn
            time.sleep(10)
            cpu = (time.process_time() - cpu0) / (time.monotonic() - wall0) * 100
            idle_frames = display.frames_drawn - frames0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return [report("display: call -> frame updated (local broker)", samples),
                f"{'display: idle CPU (whole process, 10 s)':<48} {cpu:.1f} %   frames drawn "
                f"while idle: {idle_frames}   peak RSS {rss:.0f} MB"]


def run(config: SiteConfig) -> list[str]:
    return [_render(config), *_live(config)]
