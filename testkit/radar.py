"""An HLK-LD2410 radar double on the test's clock: a serial port that sends a report frame
every 50 ms of the clock's time, as the real radar does, or nothing when its cable is loose.

It is a source of a JumpingSite: the site moves the clock to its next frame, and `fire`
returns only once the room's reader thread has read the frame and gone back to wait for the
next, so whatever the frame changed is in the runtime's inbox before the site goes on. The
reader opens it through the room role's `serial_factory` as it would open `/dev/ttyAMA0`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from firmware.room.sensors.ld2410 import Report, build_frame

FRAME_EVERY_S = 0.05
READ_TIMEOUT_S = 0.05  # as the reader's pyserial port: a read with nothing comes back empty


class RadarDouble:
    def __init__(self, monotonic: Callable[[], float]) -> None:
        self.monotonic = monotonic
        self.present = False
        self.sending = True
        self._buffer = bytearray()
        self._waiting = False  # the reader is back in read() with nothing left to read
        self._closed = False
        self._changed = threading.Condition()
        self._last = monotonic()

    # -- the serial port, as the reader's thread sees it --------------------------------------

    @property
    def in_waiting(self) -> int:
        return len(self._buffer)

    def read(self, size: int = 1) -> bytes:
        with self._changed:
            if not self._buffer:
                self._waiting = True
                self._changed.notify_all()
                self._changed.wait_for(lambda: self._buffer or self._closed, READ_TIMEOUT_S)
            chunk = bytes(self._buffer[:size])
            del self._buffer[:size]
            self._waiting = False
            return chunk

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    # -- the site's source ---------------------------------------------------------------------

    def next_due(self) -> float | None:
        return self._last + FRAME_EVERY_S if self.sending else None

    def fire(self) -> None:
        """The next frame (with a little line noise before it), read by the reader."""
        self._last = self.monotonic()
        frame = build_frame(Report(2 if self.present else 0, static_distance_cm=90,
                                   static_energy=60 if self.present else 0))
        with self._changed:
            self._buffer += b"\x00\x13" + frame
            self._waiting = False
            self._changed.notify_all()
            if not self._changed.wait_for(lambda: self._waiting and not self._buffer, 5):
                raise AssertionError("the radar's reader did not read its frame")

    def resume(self) -> None:
        """The cable is back: frames again from now on."""
        self._last = self.monotonic()
        self.sending = True
