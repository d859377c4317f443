"""A receiver's view of `queue/events`: each event once by id, in seq order, gaps noticed.

After an outage a receiver may see an event twice (the controller's outbox sends again what
the broker did not acknowledge) and may have missed events published while it was away.
`EventCollector` ignores repeats by id and tells from which seq to ask for a replay
(`cmd/events/replay`). Pure: no network here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class EventCollector:
    events: dict[int, dict[str, Any]] = field(default_factory=dict)  # by seq
    ids: set[str] = field(default_factory=set)
    duplicates: int = 0

    def add(self, event: Any) -> bool:
        """Take one received event; False if it was a repeat or not an event at all."""
        if not isinstance(event, dict):
            return False
        event_id, seq = event.get("id"), event.get("seq")
        if not isinstance(event_id, str) or not isinstance(seq, int) or isinstance(seq, bool):
            return False
        if event_id in self.ids:
            self.duplicates += 1
            return False
        self.ids.add(event_id)
        self.events[seq] = event
        return True

    @property
    def last_seq(self) -> int:
        return max(self.events, default=0)

    def first_missing(self, known_last: int | None = None) -> int | None:
        """The lowest seq not seen up to the highest seen (or `known_last`), or None."""
        top = max(self.last_seq, known_last or 0)
        for seq in range(1, top + 1):
            if seq not in self.events:
                return seq
        return None

    def in_order(self) -> list[dict[str, Any]]:
        return [self.events[s] for s in sorted(self.events)]
