"""Congestion alerts: the trigger for the handbook's pop-up extra advice.

An authority is congested when its waiting count or its estimate passes the site's
threshold; it is clear again only when both are below a share of the thresholds, so an alert
does not flap while the queue hovers around the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from firmware.core.plural import counted
from firmware.site_model import QueueRules, SiteConfig


@dataclass(frozen=True)
class CongestionChange:
    service: str
    raised: bool  # True: became congested; False: back to normal
    waiting: int
    eta_minutes: int | None

    def payload(self, config: SiteConfig, alert_id: str, at: datetime) -> dict[str, Any]:
        service = config.service(self.service)
        names = service.name if service else None
        fi = names.fi if names else self.service
        sv = names.sv if names else self.service
        en = names.en if names else self.service
        eta = f"{self.eta_minutes}" if self.eta_minutes is not None else "?"
        if self.raised:
            n = self.waiting
            message = {
                "fi": f"{fi}: jonossa {counted(n, 'asiakas', 'asiakasta')}, arvioitu odotus "
                      f"{eta} min. Harkitse lisäneuvontaa.",
                "sv": f"{sv}: {counted(n, 'kund', 'kunder')} i kö, uppskattad väntetid {eta} "
                      "min. Överväg extra rådgivning.",
                "en": f"{en}: {counted(n, 'customer', 'customers')} waiting, estimated wait "
                      f"{eta} min. Consider extra advice staff.",
            }
        else:
            message = {
                "fi": f"{fi}: jono on taas tavallinen ({self.waiting} odottaa).",
                "sv": f"{sv}: kön är normal igen ({self.waiting} väntar).",
                "en": f"{en}: the queue is back to normal ({self.waiting} waiting).",
            }
        return {
            "id": alert_id,
            "at": at.isoformat(timespec="seconds"),
            "kind": "congestion",
            "severity": "warning" if self.raised else "info",
            "state": "raised" if self.raised else "cleared",
            "service": self.service,
            "waiting": self.waiting,
            "eta_minutes": self.eta_minutes,
            "message": message,
        }


@dataclass
class CongestionMonitor:
    rules: QueueRules
    congested: set[str] = field(default_factory=set)

    def _over(self, waiting: int, eta: int | None, share: float) -> bool:
        over_count = waiting >= self.rules.congestion_waiting * share
        over_eta = eta is not None and eta >= self.rules.congestion_eta_minutes * share
        return over_count or over_eta

    def update(self, service_rows: list[dict[str, Any]]) -> list[CongestionChange]:
        """Feed the snapshot's service rows; returns the authorities whose state changed."""
        changes = []
        for row in service_rows:
            service, waiting, eta = row["id"], int(row["waiting"]), row.get("eta_minutes")
            if service not in self.congested and self._over(waiting, eta, 1.0):
                self.congested.add(service)
                changes.append(CongestionChange(service, True, waiting, eta))
            elif service in self.congested and not self._over(
                waiting, eta, self.rules.congestion_clear_ratio
            ):
                self.congested.discard(service)
                changes.append(CongestionChange(service, False, waiting, eta))
        return changes
