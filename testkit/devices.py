"""A device runtime on a thread of its own, as `piste run` would run it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from firmware.runtime import Runtime


class DeviceThread:
    """A device runtime on a thread of its own, as `piste run` would run it."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.thread = threading.Thread(target=runtime.run, daemon=True)

    def __enter__(self) -> DeviceThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.runtime.request_stop("over")
        self.thread.join(10)
        if self.thread.is_alive() and exc[0] is None:
            # Going on would race a device that still holds its ledger and client id.
            raise AssertionError(f"device {self.runtime.device.id} did not stop within 10 s")

    def role(self, name: str) -> Any:
        return next(r for r in self.runtime.roles if r.name == name)


class RunningDevice(DeviceThread):
    """A device thread the test can also hand work to, on the device's own loop."""

    def on_loop(self, fn: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Run fn on the device's own loop thread and return its result."""
        done = threading.Event()
        box: dict[str, Any] = {}

        def call() -> None:
            try:
                box["value"] = fn()
            except Exception as exc:  # handed back to the test
                box["error"] = exc
            done.set()

        self.runtime.post(call)
        assert done.wait(timeout), "the device loop did not run the call"
        if "error" in box:
            raise box["error"]
        return box.get("value")
