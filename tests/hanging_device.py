"""A device process whose role never finishes its stop, for the stop-deadline test:
`python -m tests.hanging_device DATA_DIR BROKER_PORT DEADLINE_S`. It says "turning" on
stdout once its loop runs; after SIGTERM its role's stop() waits for ever."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from firmware.admin.stop_signals import StopSignals
from firmware.clock import ManualClock
from firmware.runtime import Role, Runtime
from testkit.site_factory import MONDAY, at, small_site


class StuckRole(Role):
    name = "stuck"

    def stop(self) -> None:
        threading.Event().wait()  # a printer or a radar that never lets go


def main() -> None:
    data_dir, port, deadline_s = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    config = small_site()
    runtime = Runtime(config, config.device("lobby-1"), ManualClock(at(MONDAY, 10, 0)),
                      data_dir, [StuckRole()], broker_host="127.0.0.1", broker_port=port)
    said = []

    def say_turning() -> None:
        if not said:
            said.append(True)
            print("turning", flush=True)

    runtime.loop_hooks.append(say_turning)
    StopSignals(runtime, deadline_s).install()
    runtime.run()


if __name__ == "__main__":
    main()
