"""One controller per site: a second one that starts on the same broker refuses to serve.

Two controllers would each answer commands from their own ledger: two tickets with one
number, two queue states overwriting each other. Every device's retained status carries the
instance id of its process; a controller also says whether it is `starting`, `serving` or
`refused`. The decision is made once, when the controller's own new status comes back from
the broker: a subscription's retained messages are delivered before anything published
after it, so by then every other controller's retained status has been seen. Another
controller that is online and has not refused itself means: refuse. Since the broker orders
publishes, of two that start at once exactly one sees the other first and refuses.

A controller that restarts on its own device finds its old status (another instance of the
same device id, "offline" by its last will or "stopped"): not a rival. A rival is another
device id; a copy of the same device id cannot even stay connected (the broker lets one
client id in at a time) and shows as a flapping link instead.

The decision is not revisited: a refused controller keeps its own ledger, and taking over
later would split the day's queue between two files. A technician stops it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STARTING, SERVING, REFUSED = "starting", "serving", "refused"

TEXTS = {
    "raised": ("Toinen jonon ohjain ({rival}) yritti käynnistyä tähän toimipisteeseen; "
               "{serving} ohjaa jonoa edelleen. Pyydä tekniikkaa sammuttamaan {rival}.",
               "En andra köstyrning ({rival}) försökte starta på det här serviceställets "
               "nät; {serving} styr fortfarande kön. Be tekniken stänga av {rival}.",
               "A second queue controller ({rival}) tried to start on this site; {serving} "
               "still runs the queue. Ask a technician to stop {rival}."),
    "cleared": ("Toinen jonon ohjain ({rival}) on poissa; {serving} ohjaa jonoa yksin.",
                "Den andra köstyrningen ({rival}) är borta; {serving} styr kön ensam.",
                "The second queue controller ({rival}) is gone; {serving} runs the queue "
                "alone."),
}


def alert_message(state: str, rival: str, serving: str) -> dict[str, str]:
    return {lang: text.format(rival=rival, serving=serving)
            for lang, text in zip(("fi", "sv", "en"), TEXTS[state], strict=True)}


@dataclass(frozen=True)
class RivalChange:
    """For the serving controller: a rival appeared ("raised") or went away ("cleared")."""

    device: str
    state: str


@dataclass
class DuplicateGuard:
    device: str
    instance: str
    decision: str = STARTING
    serving_rival: str | None = None  # the controller that made us refuse
    rivals: dict[str, str] = field(default_factory=dict)  # live others: device -> instance
    refused_rivals: set[str] = field(default_factory=set)  # of those, the ones that refused

    @property
    def serving(self) -> bool:
        return self.decision == SERVING

    def status(self, device: str, body: Any) -> list[RivalChange]:
        """A device's retained status as it arrived; returns rivals to tell the staff of."""
        if not isinstance(body, dict):
            return []
        instance, state = body.get("instance"), body.get("state")
        if device == self.device:
            if instance == self.instance and state == "online" and self.decision == STARTING:
                self.decide()
            return []  # our own, or our own previous life: never a rival
        roles = body.get("roles")
        if not (isinstance(roles, list) and "controller" in roles):
            return []
        was = device in self.rivals
        live = state == "online" and isinstance(instance, str)
        self.refused_rivals.discard(device)
        if live:
            self.rivals[device] = str(instance)
            if body.get("controller") == REFUSED:
                self.refused_rivals.add(device)
        else:
            self.rivals.pop(device, None)
        if not self.serving:
            return []
        if live and not was:
            return [RivalChange(device, "raised")]
        if not live and was:
            return [RivalChange(device, "cleared")]
        return []

    def decide(self) -> str:
        """Serve unless a live controller that has not refused itself is there."""
        if self.decision == STARTING:
            serving = sorted(set(self.rivals) - self.refused_rivals)
            self.serving_rival = serving[0] if serving else None
            self.decision = REFUSED if serving else SERVING
        return self.decision

    def raised_now(self) -> list[RivalChange]:
        """On deciding to serve: the rivals already seen (refused ones, still online)."""
        return [RivalChange(d, "raised") for d in sorted(self.rivals)] if self.serving else []
