"""Printer faults reported by kiosks, turned into ledger events and alerts for the staff.

A kiosk reports its printer's state in its retained `health`; the controller (the only one
allowed to write `alert/...`) records each change into a fault in the ledger as
`device.fault` and raises `alert/printer`, and says so again when the printer is fine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FAULTS = {"paper_low": "warning", "paper_out": "critical", "cover_open": "critical",
          "offline": "critical"}
FINE = ("ok",)

TEXTS = {
    "paper_low": ("paperi on vähissä", "pappret håller på att ta slut", "paper is running low"),
    "paper_out": ("paperi on loppu", "pappret är slut", "paper is out"),
    "cover_open": ("kansi on auki", "locket är öppet", "the cover is open"),
    "offline": ("ei vastaa", "svarar inte", "does not answer"),
    "ok": ("toimii taas", "fungerar igen", "works again"),
}


@dataclass(frozen=True)
class PrinterChange:
    device: str
    state: str
    previous: str | None

    @property
    def severity(self) -> str:
        return FAULTS.get(self.state, "info")

    def message(self) -> dict[str, str]:
        fi, sv, en = TEXTS.get(self.state, TEXTS["offline"])
        return {"fi": f"Lipputulostin {self.device}: {fi}.",
                "sv": f"Biljettskrivaren {self.device}: {sv}.",
                "en": f"Ticket printer {self.device}: {en}."}


@dataclass
class PrinterWatch:
    states: dict[str, str] = field(default_factory=dict)

    def update(self, device: str, health: Any) -> PrinterChange | None:
        """A change worth telling the staff about, or None."""
        printer = health.get("printer") if isinstance(health, dict) else None
        state = printer.get("state") if isinstance(printer, dict) else None
        if not isinstance(state, str) or (state not in FAULTS and state not in FINE):
            return None  # no printer, or "unknown": never raise an alarm on silence alone
        previous = self.states.get(device)
        self.states[device] = state
        if state == previous or (previous is None and state in FINE):
            return None
        return PrinterChange(device, state, previous)
