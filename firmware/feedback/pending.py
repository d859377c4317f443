"""Answers the controller has not confirmed yet, kept on the device's own disk.

A customer's vote must survive a controller that is away, a broker restart and a power cut
of this device: each answer is written here before it is sent, with the request id it is
sent under (the controller stores a request id once), and removed only when the controller
has answered. A small JSON file, replaced atomically: a few dozen answers at most.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from firmware.feedback.flow import Submission

log = logging.getLogger(__name__)

MAX_KEPT = 5000  # a month of a busy exit without a controller; beyond, the oldest go


class PendingAnswers:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[Submission] = self._read()

    def _read(self) -> list[Submission]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            # A damaged file must not stop the device; keep it aside for a technician.
            log.error("unsent feedback in %s unreadable (%s); kept as %s.damaged",
                      self.path, exc, self.path.name)
            self.path.replace(self.path.with_suffix(".damaged"))
            return []
        return [Submission(item["command"], item["body"]) for item in raw
                if isinstance(item, dict) and isinstance(item.get("body"), dict)]

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        data: list[dict[str, Any]] = [{"command": s.command, "body": s.body}
                                      for s in self.items]
        with open(tmp, "w", encoding="utf-8") as file:
            json.dump(data, file, ensure_ascii=False)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, self.path)

    def add(self, submission: Submission) -> None:
        self.items.append(submission)
        if len(self.items) > MAX_KEPT:
            log.error("more than %d unsent answers; the oldest is dropped", MAX_KEPT)
            del self.items[0]
        self._write()

    def remove(self, request_id: str) -> None:
        kept = [s for s in self.items if s.body.get("request_id") != request_id]
        if len(kept) != len(self.items):
            self.items = kept
            self._write()

    def __len__(self) -> int:
        return len(self.items)
