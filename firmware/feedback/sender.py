"""Sending customers' answers to the controller without ever losing one.

Each answer is written to a pending file on the device's own disk before it is sent, under
a request id of its own (the controller stores a request id once, so sending it again is
harmless), and only the controller's answer removes it. A controller or broker that is away,
or a power cut here, loses nothing: the role calls `resend()` on reconnect and now and then.
Used by the feedback device and by a kiosk that offers the survey.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from firmware.feedback.flow import Submission
from firmware.feedback.pending import PendingAnswers
from mqtt_bridge.requester import Requester

log = logging.getLogger(__name__)

FINAL_REFUSALS = ("bad_request", "forbidden", "survey_closed")  # sending again cannot help


class AnswerSender:
    def __init__(self, requester: Requester, pending_file: Path) -> None:
        self.requester = requester
        self.pending = PendingAnswers(pending_file)
        self.in_flight: set[str] = set()
        self.refused = 0  # answers the controller would not store (logged with the reason)

    def send(self, submission: Submission) -> None:
        self.pending.add(submission)  # on disk before it is sent
        self._send(submission)

    def resend(self) -> None:
        for submission in list(self.pending.items):
            self._send(submission)

    def _send(self, submission: Submission) -> None:
        request_id = submission.body["request_id"]
        if request_id in self.in_flight:
            return
        self.in_flight.add(request_id)
        self.requester.request(submission.command, submission.body,
                               lambda answer: self._answered(request_id, answer))

    def _answered(self, request_id: str, answer: dict[str, Any] | None) -> None:
        self.in_flight.discard(request_id)
        if answer is None:
            log.warning("the controller did not answer; answer %s kept to send again",
                        request_id)
            return
        if not answer.get("ok"):
            code = (answer.get("error") or {}).get("code")
            if code not in FINAL_REFUSALS:
                return  # rate_limited, internal: sent again later
            self.refused += 1
            log.error("the controller refused answer %s: %s", request_id, answer.get("error"))
        self.pending.remove(request_id)

    def __len__(self) -> int:
        return len(self.pending)
