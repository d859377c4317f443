"""Appointment codes from a barcode / QR scanner on a serial (or USB-serial) port.

Scanners in "keyboard-less" serial mode send the code's characters followed by CR, LF or
TAB. What comes over the wire is outside input: `ScanParser` takes arbitrary bytes (noise,
cut frames, a frame too long, non-ASCII) and yields only codes that can be appointment
codes, so garbage never reaches the controller. The reader thread only posts codes to the
runtime's inbox. A code is never logged: it identifies a person's appointment.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from firmware.threads import join_or_leave

log = logging.getLogger(__name__)

TERMINATORS = b"\r\n\t"
MAX_FRAME = 64  # longer than any code: a frame this long is noise, dropped whole
CODE = re.compile(r"[A-Z0-9]{4,16}")


@dataclass(frozen=True)
class Scanned:
    """Posted to the inbox: a code the scanner read."""

    code: str


def normalize(frame: bytes) -> str | None:
    """One frame -> an appointment code (upper case, no spaces or dashes), or None."""
    try:
        text = frame.decode("ascii")
    except UnicodeDecodeError:
        return None
    code = re.sub(r"[\s-]", "", text).upper()
    return code if CODE.fullmatch(code) else None


class ScanParser:
    def __init__(self) -> None:
        self._buffer = bytearray()
        self._overflow = False  # inside a frame that grew too long: drop until its end

    def feed(self, data: bytes) -> list[str]:
        codes: list[str] = []
        for byte in data:
            if byte in TERMINATORS:
                if self._buffer and not self._overflow:
                    code = normalize(bytes(self._buffer))
                    if code is not None:
                        codes.append(code)
                self._buffer.clear()
                self._overflow = False
            elif not self._overflow:
                self._buffer.append(byte)
                if len(self._buffer) > MAX_FRAME:
                    self._buffer.clear()
                    self._overflow = True
        return codes


class ScannerReader:
    """Reads a serial port on its own thread; posts `Scanned` for every code."""

    def __init__(self, port: str, post: Callable[[object], None], *,
                 baudrate: int = 9600, serial_for_url: Callable[..., object] | None = None
                 ) -> None:
        import serial

        self.port = port
        self._post = post
        self._open = serial_for_url or serial.serial_for_url
        self._baudrate = baudrate
        self._stop = threading.Event()
        self.problem = ""
        self._serial: object | None = None
        self._thread = threading.Thread(target=self._run, name="kiosk-scanner", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        join_or_leave(self._thread, 2)

    def _run(self) -> None:
        parser = ScanParser()
        while not self._stop.is_set():
            try:
                port = self._open(self.port, baudrate=self._baudrate, timeout=0.2)
            except Exception as e:  # unplugged: try again, the customer can still type
                self.problem = f"scanner {self.port}: {e}"
                log.warning("%s; retrying in 5 s", self.problem)
                self._stop.wait(5)
                continue
            self.problem = ""
            try:
                while not self._stop.is_set():
                    data = port.read(256)  # type: ignore[attr-defined]
                    for code in parser.feed(data or b""):
                        self._post(Scanned(code))
            except Exception as e:
                self.problem = f"scanner {self.port}: {e}"
                log.warning("%s; reopening", self.problem)
            finally:
                with contextlib.suppress(Exception):
                    port.close()  # type: ignore[attr-defined]
