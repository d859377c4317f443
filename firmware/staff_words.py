"""What the controller's answers mean, in the words a clerk wants to read.

The terminal console (`piste clerk`) and the browser console say the same sentences.
"""

from __future__ import annotations

from typing import Any

from mqtt_bridge import topics

DONE_WORDS = {
    topics.CALL: "Called {number} ({service}) to room {room}.",
    topics.RECALL: "Called {number} again to room {room}.",
    topics.NO_SHOW: "{number} did not come; it left the queue.",
    topics.COMPLETE: "Completed {number}.",
    topics.TRANSFER: "{number} now waits for {service}, at its original place.",
    topics.REINSTATE: "{number} is back in the queue at its original place.",
    topics.CANCEL: "Cancelled {number}.",
    topics.ISSUE: "Issued {number} ({service}); {ahead} ahead.",
}
NO_ANSWER = "The controller did not answer; nothing was changed. Try again."


def describe(answer: dict[str, Any] | None, command: str) -> str:
    """An answer in plain words; None (no answer at all) says so."""
    if answer is None:
        return NO_ANSWER
    if not answer.get("ok"):
        error = answer.get("error") or {}
        return f"Not done ({error.get('code', 'error')}): {error.get('message', '')}"
    if command in (topics.FEEDBACK, topics.SURVEY):
        return "Recorded. Thank you."
    ticket = answer.get("ticket")
    if ticket is None:
        return "Nobody is waiting for these services."
    return DONE_WORDS[command].format_map({"room": "", "service": "", "ahead": "", **ticket})
