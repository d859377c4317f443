"""A serial printer on a pty: real pyserial, real python-escpos Serial, a printer that answers.

The far end of the pty plays the printer: it keeps what it is sent and answers DLE EOT n
status requests from a script, or stays silent.
"""

from __future__ import annotations

import os
import pty
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firmware.site_model import PrinterConfig
from ticket_printer.connection import open_printer
from ticket_printer.decode import decode_ticket
from ticket_printer.slip import TicketSlip
from ticket_printer.status import PrinterState

SLIP = TicketSlip("Suomi-piste Åbo", "V007", "Skatteförvaltningen",
                  datetime(2026, 11, 29, 9, 14, tzinfo=ZoneInfo("Europe/Helsinki")), 2, 5, "sv")


class PtyPrinter:
    def __init__(self, answers: dict[int, int]) -> None:
        self.answers = answers
        self.master, slave = pty.openpty()
        self.port = os.ttyname(slave)
        self._slave = slave  # kept open so the pty survives until pyserial opens its own end
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            self.received += chunk
            # Answer every complete status request in what has arrived so far.
            while (at := self.received.find(b"\x10\x04")) >= 0 and at + 2 < len(self.received):
                n = self.received[at + 2]
                del self.received[at:at + 3]
                if n in self.answers:
                    os.write(self.master, bytes([self.answers[n]]))

    def close(self) -> None:
        self._stop.set()
        os.close(self._slave)
        os.close(self.master)


@pytest.fixture
def pty_printer(request: pytest.FixtureRequest) -> Iterator[PtyPrinter]:
    printer = PtyPrinter(request.param)
    yield printer
    printer.close()


@pytest.mark.parametrize("pty_printer", [{1: 0x12, 4: 0x1E}], indirect=True)
def test_a_serial_printer_prints_and_reports_paper_low_without_waiting_out_the_timeout(
    pty_printer: PtyPrinter, tmp_path: Path
) -> None:
    cfg = PrinterConfig(kind="serial", serial_port=pty_printer.port, timeout_s=2.0)
    printer = open_printer(cfg, tmp_path)
    started = time.monotonic()
    result = printer.print_ticket(SLIP)
    elapsed = time.monotonic() - started
    printer.close()
    assert (result.ok, result.state) == (True, PrinterState.PAPER_LOW)
    assert elapsed < 1.0  # two answered status requests, not two 2-second timeouts
    time.sleep(0.05)
    assert "Skatteförvaltningen" in decode_ticket(bytes(pty_printer.received)).text


@pytest.mark.parametrize("pty_printer", [{}], indirect=True)
def test_a_silent_serial_printer_is_unknown(pty_printer: PtyPrinter, tmp_path: Path) -> None:
    cfg = PrinterConfig(kind="serial", serial_port=pty_printer.port, timeout_s=0.3)
    printer = open_printer(cfg, tmp_path)
    result = printer.print_ticket(SLIP)
    printer.close()
    assert result.state is PrinterState.UNKNOWN
