"""The role every device plays: follow the site's retained, versioned config.

A pushed config is parsed and validated completely before anything changes. A bad one is
refused: the device keeps running the config it has and says why in its health report
(`config.refused`). A good, newer one is first stored as the last good config on the data
partition, then applied in one step on the loop thread: roles that can take a new config
(`reconfigure(config)`) get it live; if any cannot, a device under systemd stops cleanly
and is started again at once with it (Restart=always; ExecStartPre prepares it), so one
process never mixes two configs.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from firmware.admin import config_message, config_store
from firmware.runtime import Role
from firmware.site_config import ConfigError
from mqtt_bridge.link import Incoming

log = logging.getLogger(__name__)

MAX_PROBLEMS_REPORTED = 10


def under_systemd() -> bool:
    # systemd sets INVOCATION_ID for every service it starts.
    return bool(os.environ.get("INVOCATION_ID"))


class ConfigWatchRole(Role):
    name = "config"

    def __init__(self, *, restart_to_apply: bool | None = None) -> None:
        self.restart_to_apply = under_systemd() if restart_to_apply is None else restart_to_apply
        self.sha256 = ""
        self.refused: dict[str, Any] | None = None
        self.pending: int | None = None  # stored, waiting for a restart

    def start(self, runtime: Any) -> None:
        super().start(runtime)
        self.topic = config_message.config_topic(runtime.site)
        runtime.link.subscribe(self.topic)
        from firmware.admin.clock_sync import clock_synchronised
        from firmware.clock import SystemClock

        # Only the wall clock can be unsure; a demo's or a test's own clock is what it says.
        if isinstance(runtime.clock, SystemClock) and clock_synchronised() is False:
            log.warning("the clock is not synchronised yet (no NTP answer); times shown and "
                        "recorded may be wrong until it is")

    @property
    def version(self) -> int:
        return int(self.runtime.config.config_version)

    def health(self) -> dict[str, Any]:
        return {"config": self._config_health(), "clock": self._clock_health()}

    def _clock_health(self) -> dict[str, Any]:
        # Every device has this role, so it also says whether its wall clock can be trusted:
        # a Pi without RTC that booted offline runs on, but says its clock is unsure.
        from firmware.admin.clock_sync import clock_synchronised
        from firmware.clock import SystemClock

        if not isinstance(self.runtime.clock, SystemClock):
            return {"synchronised": None, "state": "set"}  # --clock-start, a demo, a test
        synced = clock_synchronised()
        return {"synchronised": synced,
                "state": {True: "ok", False: "unsure", None: "unknown"}[synced]}

    def _config_health(self) -> dict[str, Any]:
        report: dict[str, Any] = {"version": self.version, "state": "ok"}
        if self.sha256:
            report["sha256"] = self.sha256
        if self.pending is not None:
            report.update(state="restart_pending", pending=self.pending)
        if self.refused is not None:
            report["refused"] = self.refused
            if self.pending is None:
                report["state"] = "refused"
        return report

    def on_message(self, message: Incoming) -> None:
        if message.topic != self.topic:
            return
        try:
            pushed = config_message.parse(message.payload)
        except config_message.MessageError as exc:
            self._refuse(None, [str(exc)])
            return
        if pushed.version < self.version or (pushed.version == self.version
                                             and pushed.sha256 == self.sha256):
            return  # what we run already, or older (a provisioned file can be newer)
        if pushed.version == self.version and self.sha256 and pushed.sha256 != self.sha256:
            self._refuse(pushed.version, ["same version as the running config but different "
                                          "content: raise config_version and push again"])
            return
        try:
            accepted = config_store.accept(pushed, self.runtime.config, self.runtime.device.id)
        except ConfigError as exc:
            self._refuse(pushed.version, [str(p) for p in exc.problems])
            return
        if pushed.version == self.version and not self.sha256:
            self.sha256 = pushed.sha256  # started from this very push (after a restart)
            self._report()
            return
        self._apply(pushed, accepted)

    def _apply(self, pushed: config_message.PushedConfig,
               accepted: config_store.Accepted) -> None:
        try:
            config_store.save_last_good(self.runtime.data_dir, pushed)
        except OSError as exc:
            # Without the stored copy a restart would go back to the old one: refuse.
            self._refuse(pushed.version, [f"cannot store it in {self.runtime.data_dir}: {exc}"])
            return
        self.refused = None
        others = [r for r in self.runtime.roles if r is not self]
        live = all(callable(getattr(r, "reconfigure", None)) for r in others)
        if not live and self.restart_to_apply:
            log.warning("config version %s accepted and stored; restarting to apply it",
                        pushed.version)
            self.pending = pushed.version
            self._report()
            self.runtime.request_stop(f"config version {pushed.version} accepted")
            return
        old = self.version
        self.runtime.config = accepted.config  # the one step: the loop owns the config
        self.sha256 = pushed.sha256
        for role in others:
            reconfigure = getattr(role, "reconfigure", None)
            if callable(reconfigure):
                reconfigure(accepted.config)
        if not live:
            log.warning("config version %s applied to the roles that read it live; restart "
                        "the device to apply it everywhere", pushed.version)
        log.info("config version %s -> %s", old, pushed.version)
        self._report()

    def _refuse(self, version: int | None, problems: list[str]) -> None:
        log.warning("refused pushed config%s; keeping version %s: %s",
                    f" version {version}" if version else "", self.version, "; ".join(problems))
        self.refused = {"version": version, "problems": problems[:MAX_PROBLEMS_REPORTED],
                        "at": self.runtime.clock.now().isoformat(timespec="seconds")}
        self._report()

    def _report(self) -> None:
        self.runtime.publish_health()
