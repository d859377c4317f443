"""Printer faults reported by kiosks, turned into ledger events and alerts for the staff.

A kiosk reports its printer's state in its retained `health`; the controller (the only one
allowed to write `alert/...`) records each change into a fault in the ledger as
`device.fault` and raises `alert/printer`, and says so again when the printer is fine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DETAIL_MAX = 120  # characters of a device's own words that reach an alert
TICKET_NUMBER = re.compile(r"[A-Z]?\d{1,3}")

FAULTS = {"paper_low": "warning", "paper_out": "critical", "cover_open": "critical",
          "offline": "critical"}
FINE = ("ok",)

# For the service team, in the three languages of the site.
TEXTS = {
    "paper_out": ("Vuoronumerolaitteen {device} tulostimesta on paperi loppu.",
                  "Skrivaren i könummerautomaten {device} har slut på papper.",
                  "The printer of ticket dispenser {device} is out of paper."),
    "paper_low": ("Vuoronumerolaitteen {device} paperi on vähissä. Vaihda rulla pian.",
                  "Papperet i könummerautomaten {device} håller på att ta slut. Byt rulle snart.",
                  "Ticket dispenser {device} is running low on paper. Change the roll soon."),
    "cover_open": ("Vuoronumerolaitteen {device} tulostimen kansi on auki.",
                   "Skrivarluckan i könummerautomaten {device} är öppen.",
                   "The printer cover of ticket dispenser {device} is open."),
    "offline": ("Vuoronumerolaitteen {device} tulostin ei vastaa.",
                "Skrivaren i könummerautomaten {device} svarar inte.",
                "The printer of ticket dispenser {device} does not respond."),
    "ok": ("Vuoronumerolaitteen {device} tulostin toimii taas.",
           "Skrivaren i könummerautomaten {device} fungerar igen.",
           "The printer of ticket dispenser {device} works again."),
}


@dataclass(frozen=True)
class PrinterChange:
    device: str
    state: str
    previous: str | None
    unprinted: str | None = None  # the number whose slip did not print (still in the queue)
    detail: str = ""

    @property
    def severity(self) -> str:
        return FAULTS.get(self.state, "info")

    def message(self) -> dict[str, str]:
        fi, sv, en = TEXTS.get(self.state, TEXTS["offline"])
        return {lang: text.format(device=self.device)
                for lang, text in (("fi", fi), ("sv", sv), ("en", en))}


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
        unprinted = printer.get("last_unprinted") if state in FAULTS else None
        if not (isinstance(unprinted, str) and TICKET_NUMBER.fullmatch(unprinted)):
            unprinted = None
        return PrinterChange(device, state, previous, unprinted, clean_detail(
            printer.get("detail")))


def clean_detail(value: Any) -> str:
    """A device's own words for the staff, as one short line of printable text: a device's
    health must not smuggle long or control-laden text into the staff's alerts."""
    if not isinstance(value, str):
        return ""
    printable = "".join(ch if ch.isprintable() else " " for ch in value)
    line = " ".join(printable.split())
    return line if len(line) <= DETAIL_MAX else line[: DETAIL_MAX - 1] + "…"
