"""Congestion alerts: the trigger for the handbook's pop-up extra advice.

An open authority is congested when its waiting count reaches the site's threshold, or when
someone waits and the estimate passes its threshold. A raise is prompt: staff should hear of
a queue that has grown at once. A clear must be sure, so there is hysteresis in count and in
time:

- it clears only when both the count and the estimate have stayed below a share of their
  thresholds for `congestion_clear_minutes` (the estimate jumps by a whole service time
  each time a room calls or finishes, so a single snapshot below the line says little);
- after a clear, no new alert for `congestion_quiet_minutes`, unless the waiting count
  itself reaches the threshold (the count moves only with real arrivals and calls; the
  estimate is what jitters), and never sooner than `congestion_clear_minutes` after the
  clear. So two raises are always at least `congestion_clear_minutes` apart: at most
  60 / congestion_clear_minutes + 1 raises in any hour;
- a closed authority (closed now or all day) is never congested: a raised alert is cleared
  the moment it closes, with words that say so.

Pure: the time comes in with every update; the controller feeds every snapshot and a tick
of its clock, so a clear that is due comes even when the queue does not move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from firmware.core.plural import counted
from firmware.site_model import QueueRules, SiteConfig


@dataclass(frozen=True)
class CongestionChange:
    service: str
    raised: bool  # True: became congested; False: back to normal (or closed)
    waiting: int
    eta_minutes: int | None
    closed: bool = False  # cleared because the authority closed, not because the queue eased

    def payload(self, config: SiteConfig, alert_id: str, at: datetime) -> dict[str, Any]:
        service = config.service(self.service)
        names = service.name if service else None
        fi = names.fi if names else self.service
        sv = names.sv if names else self.service
        en = names.en if names else self.service
        eta = f"{self.eta_minutes}" if self.eta_minutes is not None else "?"
        n = self.waiting
        if self.raised:
            message = {
                "fi": f"{fi}: jonossa {counted(n, 'asiakas', 'asiakasta')}, arvioitu odotus "
                      f"{eta} min. Harkitse lisäneuvontaa.",
                "sv": f"{sv}: {counted(n, 'kund', 'kunder')} i kö, uppskattad väntetid {eta} "
                      "min. Överväg extra rådgivning.",
                "en": f"{en}: {counted(n, 'customer', 'customers')} waiting, estimated wait "
                      f"{eta} min. Consider extra advice staff.",
            }
        elif self.closed:
            message = {
                "fi": f"{fi}: palvelu on nyt suljettu ({n} odottaa); ruuhkailmoitus poistui.",
                "sv": f"{sv}: tjänsten är nu stängd ({n} väntar); trängselvarningen togs bort.",
                "en": f"{en}: the service is now closed ({n} waiting); the congestion alert "
                      "is cleared.",
            }
        else:
            message = {
                "fi": f"{fi}: jono on taas tavallinen ({n} odottaa).",
                "sv": f"{sv}: kön är normal igen ({n} väntar).",
                "en": f"{en}: the queue is back to normal ({n} waiting).",
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
class _Track:
    """One authority's alert: whether it is raised, and the times the holds count from."""

    raised: bool = False
    below_since: datetime | None = None  # raised, and below the clearing line since then
    cleared_at: datetime | None = None


@dataclass
class CongestionMonitor:
    rules: QueueRules
    tracks: dict[str, _Track] = field(default_factory=dict)

    @property
    def congested(self) -> set[str]:
        return {service for service, track in self.tracks.items() if track.raised}

    def _over(self, waiting: int, eta: int | None, share: float) -> bool:
        over_count = waiting >= self.rules.congestion_waiting * share
        # The estimate alone counts only when someone waits: with nobody in the queue it is
        # the rooms' other work, not this authority's congestion.
        over_eta = (waiting > 0 and eta is not None
                    and eta >= self.rules.congestion_eta_minutes * share)
        return over_count or over_eta

    def update(self, service_rows: list[dict[str, Any]], now: datetime
               ) -> list[CongestionChange]:
        """Feed the snapshot's service rows at `now`; returns the alerts that change."""
        changes = []
        for row in service_rows:
            change = self._update_one(row, now)
            if change is not None:
                changes.append(change)
        return changes

    def _update_one(self, row: dict[str, Any], now: datetime) -> CongestionChange | None:
        service, waiting, eta = row["id"], int(row["waiting"]), row.get("eta_minutes")
        is_open = bool(row.get("open", True))
        track = self.tracks.setdefault(service, _Track())
        if track.raised:
            if not is_open:
                return self._clear(track, service, waiting, eta, now, closed=True)
            if self._over(waiting, eta, self.rules.congestion_clear_ratio):
                track.below_since = None
                return None
            if track.below_since is None or now < track.below_since:  # a clock set back
                track.below_since = now
            if now - track.below_since >= timedelta(minutes=self.rules.congestion_clear_minutes):
                return self._clear(track, service, waiting, eta, now)
            return None
        if not is_open or not self._over(waiting, eta, 1.0) or not self._may_raise(
                track, waiting, now):
            return None
        track.raised, track.below_since = True, None
        return CongestionChange(service, True, waiting, eta)

    def _may_raise(self, track: _Track, waiting: int, now: datetime) -> bool:
        if track.cleared_at is None or now < track.cleared_at:  # none yet, or a clock set back
            return True
        since = now - track.cleared_at
        if since < timedelta(minutes=self.rules.congestion_clear_minutes):
            return False
        quiet = since >= timedelta(minutes=self.rules.congestion_quiet_minutes)
        return quiet or waiting >= self.rules.congestion_waiting  # or clearly worse

    @staticmethod
    def _clear(track: _Track, service: str, waiting: int, eta: int | None, now: datetime,
               closed: bool = False) -> CongestionChange:
        track.raised, track.below_since, track.cleared_at = False, None, now
        return CongestionChange(service, False, waiting, eta, closed=closed)
