"""What the kiosk says about its printer: LED state, health and `alert/printer` payloads.

Pure: builds payloads from a printer state, so the wording in three languages is tested
once and the role only publishes. Nothing of the ticket's owner is in any of it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ticket_printer.status import PrinterState

FAULTS = {PrinterState.PAPER_OUT, PrinterState.COVER_OPEN, PrinterState.OFFLINE}

# For the service team, in the three languages of the site (the alert reaches every client).
ALERT_TEXT: dict[PrinterState, dict[str, str]] = {
    PrinterState.PAPER_OUT: {
        "fi": "Vuoronumerolaitteen {device} tulostimesta on paperi loppu.",
        "sv": "Skrivaren i könummerautomaten {device} har slut på papper.",
        "en": "The printer of ticket dispenser {device} is out of paper.",
    },
    PrinterState.PAPER_LOW: {
        "fi": "Vuoronumerolaitteen {device} paperi on vähissä. Vaihda rulla pian.",
        "sv": "Papperet i könummerautomaten {device} håller på att ta slut. Byt rulle snart.",
        "en": "Ticket dispenser {device} is running low on paper. Change the roll soon.",
    },
    PrinterState.COVER_OPEN: {
        "fi": "Vuoronumerolaitteen {device} tulostimen kansi on auki.",
        "sv": "Skrivarluckan i könummerautomaten {device} är öppen.",
        "en": "The printer cover of ticket dispenser {device} is open.",
    },
    PrinterState.OFFLINE: {
        "fi": "Vuoronumerolaitteen {device} tulostin ei vastaa.",
        "sv": "Skrivaren i könummerautomaten {device} svarar inte.",
        "en": "The printer of ticket dispenser {device} does not respond.",
    },
}


def led_state(printer: PrinterState, controller_reachable: bool) -> str:
    if printer in FAULTS or not controller_reachable:
        return "fault"
    if printer is PrinterState.PAPER_LOW:
        return "warning"
    return "off"


def needs_alert(state: PrinterState) -> bool:
    return state in ALERT_TEXT


def printer_alert(state: PrinterState, device: str, at: datetime, detail: str,
                  unprinted: str | None = None) -> dict[str, Any]:
    """The `alert/printer` payload (contract: id, at, kind, severity, message fi/sv/en)."""
    texts = ALERT_TEXT[state]
    payload: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "at": at.isoformat(timespec="seconds"),
        "kind": "printer",
        "severity": "warning" if state is PrinterState.PAPER_LOW else "error",
        "device": device,
        "state": state.value,
        "detail": detail,
        "message": {lang: text.format(device=device) for lang, text in texts.items()},
    }
    if unprinted:
        payload["unprinted_ticket"] = unprinted  # a number only: it is still in the queue
    return payload
