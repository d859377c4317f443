"""Printing off the loop: a worker thread that prints one slip at a time.

A serial printer at 38400 baud, a status round trip, or a network printer that is not there
(until its timeout) must not freeze the touch screen. The loop hands a slip over; the worker
prints it and posts the `PrintResult` back to the inbox as a call on the loop.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from firmware.threads import join_or_leave
from ticket_printer.connection import PrintResult, TicketPrinter
from ticket_printer.slip import TicketSlip
from ticket_printer.status import PrinterState

log = logging.getLogger(__name__)

Done = Callable[[PrintResult], None]


class PrintWorker:
    def __init__(self, printer: TicketPrinter, post: Callable[[object], None]) -> None:
        self.printer = printer
        self._post = post
        self._jobs: queue.Queue[tuple[TicketSlip, Done] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="kiosk-printer", daemon=True)
        self._thread.start()

    def submit(self, slip: TicketSlip, done: Done) -> None:
        """Print `slip`; `done(result)` later runs on the loop (never on this thread)."""
        self._jobs.put((slip, done))

    def stop(self) -> None:
        self._jobs.put(None)
        join_or_leave(self._thread, 5)
        self.printer.close()

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            slip, done = job
            try:
                result = self.printer.print_ticket(slip)
            except Exception as e:  # print_ticket never raises; if it does, still report
                log.exception("printing %s", slip.number)
                result = PrintResult(False, PrinterState.UNKNOWN, f"printing failed: {e}")
            self._post(lambda d=done, r=result: d(r))
