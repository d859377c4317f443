"""The console's web role alone in a process, as a device runs it: for its memory figure.

`python -m bench.console_process SITE_ID PORT BROKER_PORT DATA_DIR USERS_FILE`
(bench/console_bench.py starts it, with the same site as the controller it runs beside).
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from firmware.clock import SystemClock
from firmware.device import build_roles
from firmware.runtime import Runtime
from testkit.console_site import site_config


def main() -> None:
    site_id, port, broker_port, data_dir, users = sys.argv[1:6]
    logging.basicConfig(level=logging.ERROR)
    # The controller's data directory (its ledger: the statistics), logins from elsewhere.
    config = site_config(Path(users).parent, int(port), site_id)
    device = config.device("console")
    assert device is not None
    runtime = Runtime(config, device, SystemClock(ZoneInfo(config.site.timezone)),
                      Path(data_dir), build_roles(config, "console"),
                      broker_host="127.0.0.1", broker_port=int(broker_port))
    signal.signal(signal.SIGTERM, lambda *_: runtime.request_stop("SIGTERM"))
    runtime.run()


if __name__ == "__main__":
    main()
