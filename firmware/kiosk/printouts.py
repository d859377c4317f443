"""The kiosk's printouts: which numbers got their slip, the printer's state after the last
one, and whether the health report must hear of it at once.

A slip that failed does not cancel its ticket: the number stays valid and is kept here for
`health`. Health is all the kiosk says: the controller, the one writer of `alert/...`, turns
a change of the printer's state into `alert/printer` (firmware/core/device_faults.py).
"""

from __future__ import annotations

import enum
import logging
from typing import TYPE_CHECKING, Any

from firmware.kiosk import faults as kiosk_faults
from ticket_printer.printer_state import PrinterState

if TYPE_CHECKING:  # python-escpos stays out of the kiosk's pure flow (flow.py)
    from ticket_printer.connection import PrintResult

# The role's name: the kiosk's log lines keep the one name they have always had in the journal.
log = logging.getLogger("firmware.kiosk.role")


class News(enum.Enum):
    """What one slip's result means for the health report."""

    NONE = "none"  # nothing new: the next regular report will do
    FAULT = "fault"  # the slip failed, or the paper has just begun to run low
    OVER = "over"  # the printer works again after a fault: say so now


class Printouts:
    def __init__(self) -> None:
        self.state = PrinterState.UNKNOWN
        self.printed: list[str] = []  # numbers printed, for the health report
        self.unprinted: list[str] = []  # numbers whose slip failed (still valid tickets)
        self.detail = ""  # the printer's words at the last fault reported

    def record(self, number: str, result: PrintResult) -> News:
        previous, self.state = self.state, result.state
        if result.ok:
            self.printed.append(number)
        else:
            self.unprinted.append(number)
            log.error("ticket %s could not be printed: %s", number, result.message)
        if not result.ok or (result.state is PrinterState.PAPER_LOW
                             and previous is not PrinterState.PAPER_LOW):
            self.detail = result.message
            return News.FAULT
        return News.OVER if previous in kiosk_faults.FAULTS else News.NONE

    def led(self, controller_reachable: bool) -> str:
        return kiosk_faults.led_state(self.state, controller_reachable)

    def health(self) -> dict[str, Any]:
        return {"state": self.state.value, "detail": self.detail,
                "unprinted_today": len(self.unprinted),
                # a number only: it is still in the queue, the advisor can help
                "last_unprinted": self.unprinted[-1] if self.unprinted else None}
