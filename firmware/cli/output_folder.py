"""The folder a generating command writes into (`--out DIR` of broker-acl, central-acl and
bridge-config): made when missing, written file by file, and taken back when anything fails.

A wrong `--out` (an existing file, a path below a file, a folder that cannot be made or
written) gets one plain sentence and leaves nothing behind that the user did not ask for:
folders made by this run are removed again, and a file is written under a temporary name
and renamed into place, so a file of an earlier run is either replaced whole or kept.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


class OutputError(Exception):
    """The folder or a file in it could not be written; the text says which and why."""


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


class OutputFolder:
    def __init__(self, out: Path) -> None:
        self.out = out
        self._made: list[Path] = []  # folders this run made, the deepest last
        self._written: list[Path] = []  # files that did not exist before this run

    def make(self) -> None:
        if self.out.exists() and not self.out.is_dir():
            raise OutputError(f"--out {self.out} is a file; give a folder (it is made when "
                              "missing)")
        missing: list[Path] = []
        existing = self.out
        while not existing.exists() and existing != existing.parent:
            missing.append(existing)
            existing = existing.parent
        if not existing.is_dir():
            raise OutputError(f"--out {self.out} cannot be a folder: {existing} is a file")
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except OSError as exc:
                raise OutputError(f"cannot make the folder {folder}: {_reason(exc)}") from None
            self._made.append(folder)

    def write(self, name: str, text: str, mode: int = 0o644) -> Path:
        """Write `name` in the folder; `mode` from its creation on (a file holding passwords
        is never readable by others, not even for a moment)."""
        path = self.out / name
        temporary = self.out / f".{name}.piste-new"
        existed = path.exists()
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(text)
            os.chmod(temporary, mode)  # also when a leftover temporary file had another mode
            os.replace(temporary, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
        if not existed:
            self._written.append(path)
        return path

    def read(self, name: str) -> str:
        """An earlier run's file in the folder, or "" when there is none."""
        path = self.out / name
        try:
            return path.read_text(encoding="utf-8") if path.exists() else ""
        except (OSError, UnicodeDecodeError) as exc:
            reason = _reason(exc) if isinstance(exc, OSError) else "it is not text"
            raise OutputError(f"cannot read {path}: {reason}") from None

    def take_back(self) -> None:
        for path in reversed(self._written):
            with contextlib.suppress(OSError):
                path.unlink()
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()


@contextlib.contextmanager
def output_folder(out: Path) -> Iterator[OutputFolder]:
    """The folder, made; on an OutputError inside, what this run made is removed again."""
    folder = OutputFolder(out)
    try:
        folder.make()
        yield folder
    except OutputError:
        folder.take_back()
        raise
