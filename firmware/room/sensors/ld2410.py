"""HLK-LD2410 mmWave radar: report frames from the UART and the reader thread.

A report frame is `F4 F3 F2 F1`, a 2-byte little-endian data length, the data, `F8 F7 F6 F5`.
The data of a basic report is `02 AA <target state> <moving distance LE16> <moving energy>
<static distance LE16> <static energy> <detection distance LE16> 55 00` (13 bytes); an
engineering report is `01 AA ...` with the gate energies after the same fields, also ending
`55 00`. Target state: 0 none, 1 moving, 2 stationary, 3 both.

There is no checksum. A byte lost on the wire can make a length swallow the next frame, or
garbage can look like a header, so the parser believes a frame only when the header, a
plausible length, the type byte, `AA`, `55 00` and the footer all line up; otherwise it moves
one byte past the suspicious header and searches again. It never skips past a real header.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from firmware.threads import join_or_leave

log = logging.getLogger(__name__)

HEADER = b"\xf4\xf3\xf2\xf1"
FOOTER = b"\xf8\xf7\xf6\xf5"
BAUDRATE = 256000
BASIC, ENGINEERING = 0x02, 0x01
BASIC_LENGTH = 13
MAX_LENGTH = 64  # the longest report (engineering mode) is 35 bytes of data
TARGET_STATES = range(4)


@dataclass(frozen=True)
class Report:
    target_state: int  # 0 none, 1 moving, 2 stationary, 3 both
    moving_distance_cm: int = 0
    moving_energy: int = 0
    static_distance_cm: int = 0
    static_energy: int = 0
    detection_distance_cm: int = 0
    engineering: bool = False

    @property
    def present(self) -> bool:
        return self.target_state != 0


def build_frame(report: Report, gates: int = 9) -> bytes:
    """The bytes the radar sends for a report (tests, the bench and the simulator use it)."""
    body = bytes([report.target_state])
    body += report.moving_distance_cm.to_bytes(2, "little") + bytes([report.moving_energy])
    body += report.static_distance_cm.to_bytes(2, "little") + bytes([report.static_energy])
    body += report.detection_distance_cm.to_bytes(2, "little")
    if report.engineering:
        # max moving gate, max static gate, then each gate's moving and static energy
        body += bytes([gates - 1, gates - 1]) + bytes(2 * gates)
        data = bytes([ENGINEERING, 0xAA]) + body + b"\x55\x00"
    else:
        data = bytes([BASIC, 0xAA]) + body + b"\x55\x00"
    return HEADER + len(data).to_bytes(2, "little") + data + FOOTER


def _decode(data: bytes) -> Report | None:
    """The report in a frame's data, or None when the data is not a well-formed report."""
    if len(data) < BASIC_LENGTH or data[1] != 0xAA or data[-2:] != b"\x55\x00":
        return None
    if data[0] == BASIC and len(data) != BASIC_LENGTH:
        return None
    if data[0] not in (BASIC, ENGINEERING) or data[2] not in TARGET_STATES:
        return None
    return Report(
        target_state=data[2],
        moving_distance_cm=int.from_bytes(data[3:5], "little"),
        moving_energy=data[5],
        static_distance_cm=int.from_bytes(data[6:8], "little"),
        static_energy=data[8],
        detection_distance_cm=int.from_bytes(data[9:11], "little"),
        engineering=data[0] == ENGINEERING,
    )


class FrameParser:
    """Feed it bytes as they come; it returns every complete, well-formed report."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.frames = 0
        self.rejected = 0  # header-looking starts that did not line up as a frame
        self.skipped_bytes = 0  # bytes thrown away while searching for a header

    def feed(self, chunk: bytes) -> list[Report]:
        buffer = self._buffer
        buffer += chunk
        reports: list[Report] = []
        while True:
            start = buffer.find(HEADER)
            if start < 0:
                # Keep a tail that could be the beginning of a header cut by the read.
                keep = next((k for k in (3, 2, 1) if buffer.endswith(HEADER[:k])), 0)
                self._drop(len(buffer) - keep)
                break
            self._drop(start)
            if len(buffer) < 6:
                break
            length = int.from_bytes(buffer[4:6], "little")
            if not BASIC_LENGTH <= length <= MAX_LENGTH:
                self._reject()
                continue
            end = 6 + length + len(FOOTER)
            if len(buffer) < end:
                # Wait for the rest, unless a new header shows that this frame was cut.
                if buffer.find(HEADER, 1) < 0:
                    break
                self._reject()
                continue
            report = _decode(bytes(buffer[6 : 6 + length]))
            if buffer[6 + length : end] != FOOTER or report is None:
                self._reject()
                continue
            del buffer[:end]
            self.frames += 1
            reports.append(report)
        return reports

    def _drop(self, count: int) -> None:
        if count > 0:
            del self._buffer[:count]
            self.skipped_bytes += count

    def _reject(self) -> None:
        """Not a frame after all: step past this header and search again."""
        self.rejected += 1
        del self._buffer[:1]
        self.skipped_bytes += 1


OnReport = Callable[[Report], None]
OnError = Callable[[str], None]


class LD2410Reader:
    """Reads one radar on a serial port on a thread of its own.

    It hands over a reading when presence changes and otherwise at most every
    `heartbeat_s`, so the runtime's inbox is not flooded with the radar's ~10 frames a second
    while the room still learns that the sensor is alive. The port is given as a pyserial
    URL or device (`/dev/ttyAMA0`, `loop://`, a pty), or an open serial object (tests).
    """

    def __init__(self, port: str | Any, on_report: OnReport, on_error: OnError, *,
                 baudrate: int = BAUDRATE, heartbeat_s: float = 0.5,
                 read_timeout_s: float = 0.05,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.port = port
        self.baudrate = baudrate
        self.on_report = on_report
        self.on_error = on_error
        self.heartbeat_s = heartbeat_s
        self.read_timeout_s = read_timeout_s
        self.monotonic = monotonic  # the runtime's timer clock: the heartbeat counts on it
        self.parser = FrameParser()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._serial: Any = None

    def open(self) -> None:
        import serial  # pyserial: only room units with a radar load it

        if isinstance(self.port, str):
            self._serial = serial.serial_for_url(self.port, baudrate=self.baudrate,
                                                 bytesize=8, parity="N", stopbits=1,
                                                 timeout=self.read_timeout_s)
        else:
            self._serial = self.port
        name = self.port if isinstance(self.port, str) else "serial"
        self._thread = threading.Thread(target=self._run, name=f"ld2410 {name}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        join_or_leave(self._thread, 2)
        if self._serial is not None and isinstance(self.port, str):
            self._serial.close()

    def _run(self) -> None:
        last_present: bool | None = None
        last_sent = 0.0
        try:
            while not self._stop.is_set():
                chunk = self._serial.read(max(1, self._serial.in_waiting or 1))
                if not chunk:
                    continue
                for report in self.parser.feed(chunk):
                    now = self.monotonic()
                    if report.present != last_present or now - last_sent >= self.heartbeat_s:
                        last_present, last_sent = report.present, now
                        self.on_report(report)
        except Exception as exc:  # a pulled cable: say so, the room becomes unknown
            if not self._stop.is_set():
                log.warning("LD2410 on %s failed: %s", self.port, exc)
                self.on_error(f"serial port {self.port}: {exc}")
