"""What the kiosk's status LED says about its printer and its link to the controller.

The printer's state itself goes to the device's `health`; the controller turns changes into
`alert/printer` for the staff (firmware/core/device_faults.py).
"""

from __future__ import annotations

from ticket_printer.printer_state import PrinterState

FAULTS = {PrinterState.PAPER_OUT, PrinterState.COVER_OPEN, PrinterState.OFFLINE}


def led_state(printer: PrinterState, controller_reachable: bool) -> str:
    if printer in FAULTS or not controller_reachable:
        return "fault"
    if printer is PrinterState.PAPER_LOW:
        return "warning"
    return "off"
