"""One device process per data directory: an exclusive `flock` on `piste.lock` in it.

A technician who starts `piste run` by hand while systemd runs the same device would get
two controllers on one ledger, knocking each other off the broker (they share a client id)
and both writing the file. The lock is taken before anything in the directory is opened;
the second process learns at once who holds it (the pid is written into the lock file) and
stops without touching anything. The kernel drops the lock when the process ends, however
it ends: a power cut or a kill -9 leave no stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_NAME = "piste.lock"


class DataDirBusy(Exception):
    """Another process holds the data directory: the message names it and how to stop it."""

    def __init__(self, data_dir: Path, holder: str) -> None:
        pid, _, command = holder.partition(" ")
        if not pid.isdigit():
            pid, command = "", ""
        who = (f"pid {pid}" + (f", {command}" if command else "")) if pid else "another process"
        super().__init__(
            f"{data_dir} is already in use by a running piste ({who}): only one process may "
            "keep a device's ledger. Nothing was started. If systemd runs it, stop it first "
            "with `sudo systemctl stop piste`"
            + (f" (or end that process: kill {pid})" if pid else "")
            + ", or give this one another --data-dir.")


class DataDirLock:
    """Held from `acquire` until `release` or the end of the process."""

    def __init__(self, data_dir: Path, what: str) -> None:
        self.data_dir = data_dir
        self.path = data_dir / LOCK_NAME
        self._what = what
        self._fd: int | None = None

    def acquire(self) -> DataDirLock:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Opened without truncating: the holder's pid must stay readable for the loser.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            raise DataDirBusy(self.data_dir, holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {self._what}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock; the file stays (no unlink race)
            self._fd = None

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
