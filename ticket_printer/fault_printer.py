"""A printer that misbehaves on cue: python-escpos's own `Dummy`, answering status requests
(DLE EOT n) like a real Epson and failing the way real printers fail.

Tests, the bench and the screenshots use it to drive the fault paths: paper running low,
paper running out in the middle of a ticket, the cover opened, the cable pulled. It records
the bytes like `Dummy` does and the moment the first byte of each ticket arrived.
"""

from __future__ import annotations

import time
from typing import Any

from escpos.printer import Dummy

# Status answers (see ticket_printer.status): fixed bits 0x12 plus the fault bits.
_ONLINE, _OFFLINE = 0x12, 0x1A
_NO_CAUSE, _COVER_OPEN, _STOPPED_NO_PAPER = 0x12, 0x16, 0x32
_PAPER_OK, _PAPER_NEAR_END, _PAPER_END = 0x12, 0x1E, 0x72

CUES = ("ok", "paper_low", "paper_out", "cover_open", "offline", "silent",
        "paper_out_mid_ticket", "unplugged_mid_ticket")


class FaultPrinter(Dummy):
    """`cue` says how the printer behaves from now on:

    ok / paper_low / paper_out / cover_open: the status it reports;
    offline: every write fails (the cable is out);
    silent: it prints but never answers a status request (an old or cheap printer);
    paper_out_mid_ticket: the paper ends after `mid_bytes` bytes of the next ticket;
    unplugged_mid_ticket: the cable goes after `mid_bytes` bytes of the next ticket.
    """

    def __init__(self, cue: str = "ok", *, mid_bytes: int = 40, **kwargs: Any) -> None:
        kwargs.setdefault("profile", "TM-T20II")
        super().__init__(**kwargs)
        self.mid_bytes = mid_bytes
        self.cue = "ok"
        self.set_cue(cue)
        self.first_byte_at: list[float] = []  # time.perf_counter() of each ticket's first byte
        self._asked = 0

    def set_cue(self, cue: str) -> None:
        if cue not in CUES:
            raise ValueError(f"cue {cue!r}: expected one of {', '.join(CUES)}")
        self.cue = cue
        self._sent_this_ticket = 0

    def _raw(self, msg: bytes) -> None:
        if msg[:2] == b"\x10\x04":  # DLE EOT n: a status request, not ticket content
            self._asked = msg[2] if len(msg) > 2 else 0
            return
        if self.cue == "offline":
            raise OSError(19, "No such device")
        if msg.startswith(b"\x1b@"):  # ESC @ starts each ticket
            self.first_byte_at.append(time.perf_counter())
            self._sent_this_ticket = 0
        self._sent_this_ticket += len(msg)
        if self._sent_this_ticket > self.mid_bytes:
            if self.cue == "unplugged_mid_ticket":
                self.cue = "offline"
                raise OSError(19, "No such device")
            if self.cue == "paper_out_mid_ticket":
                self.cue = "paper_out"  # the rest of the bytes go nowhere, as on paper
        if self.cue == "paper_out":
            return
        super()._raw(msg)

    def _read(self) -> bytes:
        if self.cue in ("silent",):
            raise TimeoutError("no answer")
        if self.cue == "offline":
            raise OSError(19, "No such device")
        status = _OFFLINE if self.cue in ("paper_out", "cover_open") else _ONLINE
        cause = {"paper_out": _STOPPED_NO_PAPER, "cover_open": _COVER_OPEN}.get(self.cue,
                                                                                 _NO_CAUSE)
        paper = {"paper_out": _PAPER_END, "paper_low": _PAPER_NEAR_END}.get(self.cue, _PAPER_OK)
        return bytes([{1: status, 2: cause, 4: paper}.get(self._asked, 0xFF)])

    def close(self) -> None:
        pass  # nothing to reconnect; the cue decides what happens next
