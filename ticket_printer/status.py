"""Printer states, and reading them from the printer itself (DLE EOT n).

python-escpos's `paper_status()` answers "plenty of paper" when the printer says nothing;
here silence is UNKNOWN. Only a status byte that the printer actually sent, with the fixed
bits the ESC/POS spec promises, is believed.
"""

from __future__ import annotations

import logging

from escpos.escpos import Escpos
from escpos.printer import Serial

from ticket_printer.printer_state import PrinterState

__all__ = ["NoAnswer", "PrinterState", "read_status"]

log = logging.getLogger(__name__)

DLE_EOT = b"\x10\x04"
PRINTER_STATUS, OFFLINE_CAUSE, ROLL_PAPER = 1, 2, 4

# Bits of the answers (Epson ESC/POS, DLE EOT n, "real-time status transmission").
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12  # bits 1 and 4 always 1, bits 0 and 7 always 0
_OFFLINE = 0x08  # n=1
_COVER_OPEN = 0x04  # n=2
_STOPPED_PAPER_END = 0x20  # n=2
_PAPER_NEAR_END = 0x0C  # n=4
_PAPER_END = 0x60  # n=4


class NoAnswer(Exception):
    """The printer did not answer a status request in time (or cannot answer at all)."""


def _read_answer(printer: Escpos) -> bytes:
    if isinstance(printer, Serial):
        # python-escpos's Serial._read() asks for 16 bytes, so pyserial waits out the whole
        # timeout even after the printer's one-byte answer has arrived; ask for one byte.
        return bytes(printer.device.read(1))
    return bytes(printer._read())  # a socket or USB read returns as soon as anything came


def _query(printer: Escpos, n: int) -> int:
    if isinstance(printer, Serial):
        printer.device.reset_input_buffer()  # an old, unread answer would be taken for this one
    printer._raw(DLE_EOT + bytes([n]))
    try:
        answer = _read_answer(printer)
    except NotImplementedError as e:  # a transport with no way back (Dummy, lp, CUPS)
        raise NoAnswer("this transport cannot read from the printer") from e
    except TimeoutError as e:  # socket.timeout is TimeoutError
        raise NoAnswer("no status answer in time") from e
    except OSError as e:
        # pyusb reports its timeout as USBTimeoutError, an OSError with errno ETIMEDOUT;
        # any other OSError is a broken connection and goes up as one.
        if type(e).__name__ == "USBTimeoutError":
            raise NoAnswer("no status answer in time") from e
        raise
    if not answer:
        raise NoAnswer("no status answer in time")  # pyserial's read() returns b"" on timeout
    byte = answer[-1]  # the newest byte: an older, unread answer may precede it
    if byte & _FIXED_MASK != _FIXED_BITS:
        raise NoAnswer(f"status byte 0x{byte:02x} to DLE EOT {n} is not a status answer")
    return byte


def read_status(printer: Escpos) -> PrinterState:
    """Ask the printer how it is. UNKNOWN when it does not answer or the answer is garbled;
    OSError (other than a timeout) propagates: the connection itself is broken."""
    try:
        status = _query(printer, PRINTER_STATUS)
        if status & _OFFLINE:
            cause = _query(printer, OFFLINE_CAUSE)
            if cause & _COVER_OPEN:
                return PrinterState.COVER_OPEN
            if cause & _STOPPED_PAPER_END:
                return PrinterState.PAPER_OUT
        paper = _query(printer, ROLL_PAPER)
    except NoAnswer as e:
        log.debug("printer status unknown: %s", e)
        return PrinterState.UNKNOWN
    if paper & _PAPER_END == _PAPER_END:
        return PrinterState.PAPER_OUT
    if status & _OFFLINE:
        return PrinterState.OFFLINE
    if paper & _PAPER_NEAR_END == _PAPER_NEAR_END:
        return PrinterState.PAPER_LOW
    return PrinterState.OK
