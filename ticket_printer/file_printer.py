"""A python-escpos transport that writes each ticket's raw bytes to a file.

The demo, the tests and a kiosk without paper use it: the file holds exactly the bytes a
real printer would have received. Like python-escpos's own printers it implements only
`open`, `close` and `_raw`; a ticket is framed by `ticket()` so that a half-sent ticket
never becomes a file.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from escpos.escpos import Escpos

log = logging.getLogger(__name__)

SUFFIX = ".escpos"


def ticket_file_name(number: str, issued_at: datetime) -> str:
    """`K042-20261129-091400.escpos`; the number is made safe for a file name."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in number) or "ticket"
    return f"{safe}-{issued_at:%Y%m%d-%H%M%S}{SUFFIX}"


class FilePrinter(Escpos):
    """Collects one ticket's bytes in memory and writes them to `<directory>/<name>` at once."""

    def __init__(self, directory: Path, *args: Any, **kwargs: Any) -> None:
        Escpos.__init__(self, *args, **kwargs)
        self.directory = Path(directory)
        self._buffer = bytearray()
        self._name: str | None = None
        self.written: list[Path] = []  # every file this printer wrote, oldest first

    def open(self, raise_not_found: bool = True) -> None:
        # Nothing to connect to; the directory is created when the first ticket is written.
        pass

    def _raw(self, msg: bytes) -> None:
        if self._name is None:
            raise RuntimeError("FilePrinter: bytes sent outside ticket(); nothing would keep them")
        self._buffer += msg

    def close(self) -> None:
        if self._buffer:
            log.warning("file printer closed with %d unsent bytes; discarded", len(self._buffer))
        self._buffer.clear()
        self._name = None
        self._device = False

    @contextmanager
    def ticket(self, number: str, issued_at: datetime, copy: bool = False) -> Iterator[None]:
        """Everything sent inside the block is one ticket, written when the block ends
        without an error; on an error nothing is written. A copy (a reprint) gets a file of
        its own beside the original, `K042-...-copy.escpos` (then `-copy2`...): the
        original's file is never overwritten by it."""
        self._buffer.clear()
        self._name = ticket_file_name(number, issued_at)
        if copy:
            stem = self._name.removesuffix(SUFFIX)
            n = 1
            while (self.directory / f"{stem}-copy{n if n > 1 else ''}{SUFFIX}").exists():
                n += 1
            self._name = f"{stem}-copy{n if n > 1 else ''}{SUFFIX}"
        try:
            yield
            self.written.append(self._write(self._name, bytes(self._buffer)))
        finally:
            self._buffer.clear()
            self._name = None

    def _write(self, name: str, data: bytes) -> Path:
        # Temp file in the same directory, fsync, then rename: a reader (the demo, a test
        # polling the directory) sees either no file or the whole ticket, never half of it.
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / name
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target
