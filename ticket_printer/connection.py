"""From the device config to a printer that prints tickets and says how it went.

`open_printer()` builds the python-escpos transport the config asks for, without touching
the hardware yet (python-escpos connects on first use), so a kiosk starts even when its
printer is unplugged. `TicketPrinter.print_ticket()` reads the printer's status before and
after the slip and never raises: every failure becomes a `PrintResult`, because a ticket that
could not be printed is still a valid ticket and the kiosk must go on to show its number.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

from escpos.escpos import Escpos
from escpos.printer import Network, Serial, Usb

from firmware.site_model import PrinterConfig
from ticket_printer.escpos_render import print_slip
from ticket_printer.file_printer import FilePrinter
from ticket_printer.slip import TicketSlip
from ticket_printer.status import PrinterState, read_status

log = logging.getLogger(__name__)

# States after which the slip cannot be in the customer's hand.
_FAILED = {PrinterState.PAPER_OUT, PrinterState.COVER_OPEN, PrinterState.OFFLINE}

_MESSAGES = {
    PrinterState.OK: "printed",
    PrinterState.PAPER_LOW: "printed; paper is running low",
    PrinterState.PAPER_OUT: "the printer is out of paper",
    PrinterState.COVER_OPEN: "the printer's cover is open",
    PrinterState.OFFLINE: "the printer is offline",
    PrinterState.UNKNOWN: "sent; the printer did not report its status",
}


@dataclass(frozen=True)
class PrintResult:
    ok: bool  # the slip was sent whole and the printer reported no fault
    state: PrinterState
    message: str  # plain words for the log and the health report


class TicketPrinter:
    """One printer (or none) and the way to print a ticket on it."""

    def __init__(self, transport: Escpos | None, *, description: str,
                 unavailable: str = "no printer configured (printer kind 'none')") -> None:
        self.transport = transport
        self.description = description  # "usb 04b8:0e15", "file tickets/", ... for messages
        self.unavailable = unavailable  # why there is no transport, when there is none

    def print_ticket(self, slip: TicketSlip) -> PrintResult:
        if self.transport is None:
            return PrintResult(False, PrinterState.OFFLINE, self.unavailable)
        try:
            # Ask first: a printer that already says paper out or cover open would swallow
            # the slip; better to show the number on screen at once than print half a ticket.
            before = self._state()
            if before in _FAILED:
                return PrintResult(False, before, _MESSAGES[before])
            with self._framed(slip):
                print_slip(self.transport, slip)
            state = self._state()
        except Exception as e:  # any transport failure: report it, never crash the kiosk
            log.warning("printing %s on %s failed: %s", slip.number, self.description, e)
            self._drop_connection()
            return PrintResult(False, PrinterState.OFFLINE,
                               f"printer {self.description} failed: {e or type(e).__name__}")
        return PrintResult(state not in _FAILED, state, _MESSAGES[state])

    def close(self) -> None:
        self._drop_connection()

    def _framed(self, slip: TicketSlip) -> contextlib.AbstractContextManager[None]:
        if isinstance(self.transport, FilePrinter):
            return self.transport.ticket(slip.number, slip.issued_at, slip.copy)
        return contextlib.nullcontext()

    def _state(self) -> PrinterState:
        if isinstance(self.transport, FilePrinter):
            return PrinterState.OK  # the file was written: that is all a file printer does
        assert self.transport is not None
        return read_status(self.transport)

    def _drop_connection(self) -> None:
        # After a failure the connection may be half-dead (a reset socket, a USB device that
        # went away); closing it makes python-escpos reconnect on the next ticket.
        if self.transport is None:
            return
        try:
            self.transport.close()
        except Exception as e:
            log.debug("closing %s after a failure: %s", self.description, e)


def open_printer(cfg: PrinterConfig, base_dir: Path) -> TicketPrinter:
    """The printer the config describes. Nothing is opened yet; errors show on first print."""
    kind = cfg.kind
    profile = cfg.profile or None
    if kind == "none":
        return TicketPrinter(None, description="none")
    if kind == "file":
        directory = Path(base_dir) / cfg.path
        return TicketPrinter(FilePrinter(directory, profile=profile),
                             description=f"file {directory}")
    if kind == "usb":
        if not (cfg.usb_vendor and cfg.usb_product):
            # python-escpos drops a zero id from its search, and pyusb would then pick the
            # first USB device of any kind.
            raise ValueError("printer kind 'usb' needs usb_vendor and usb_product (non-zero)")
        description = f"usb {cfg.usb_vendor:04x}:{cfg.usb_product:04x}"
        if not Usb.is_usable():
            # python-escpos needs pyusb for USB, and pyusb is not among our dependencies.
            # Every ticket then says why it was not printed; the kiosk still starts.
            log.error("printer %s: pyusb is not installed", description)
            return TicketPrinter(None, description=description,
                                 unavailable=f"printer {description}: pyusb is not installed")
        # pyusb's timeout is in milliseconds.
        usb = Usb(cfg.usb_vendor, cfg.usb_product, timeout=int(cfg.timeout_s * 1000),
                  profile=profile)
        return TicketPrinter(usb, description=description)
    if kind == "serial":
        serial = Serial(cfg.serial_port, baudrate=cfg.baudrate, timeout=cfg.timeout_s,
                        profile=profile)
        return TicketPrinter(serial, description=f"serial {cfg.serial_port}")
    if kind == "network":
        network = Network(cfg.host, port=cfg.port, timeout=cfg.timeout_s, profile=profile)
        return TicketPrinter(network, description=f"network {cfg.host}:{cfg.port}")
    raise ValueError(f"printer kind {kind!r}: expected file, usb, serial, network or none")
