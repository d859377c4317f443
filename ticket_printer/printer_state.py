"""The printer's states, apart from reading them (status.py), so that the kiosk's pure flow
can name them without importing python-escpos."""

from __future__ import annotations

import enum


class PrinterState(enum.Enum):
    # Values are the words of the MQTT health payload (docs/mqtt-contract.md).
    OK = "ok"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"
