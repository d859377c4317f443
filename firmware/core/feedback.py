"""Continuous feedback on the exit route: the one-press rating and the rules around it.

A customer leaving presses one of 3–5 face keys (HappyOrNot style), on GPIO keys or a touch
screen, and may add a few words. One customer is one vote: fingers bounce and people press
twice to be sure, so a second press soon after a vote is the same vote. A child drumming on
the keys must not decide the month's figures, so votes beyond a per-minute cap are refused
and counted, never stored. Pure: the caller passes the time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from firmware.core.survey import answer_origin
from firmware.core.text_mask import MAX_WORDS_CHARS, mask_personal

MIN_STEPS = 3
MAX_STEPS = 5
DEFAULT_STEPS = 4
# Worst to best. Four keys have no middle on purpose: the customer has to lean one way.
FACES_BY_STEPS: dict[int, tuple[str, ...]] = {
    3: ("unhappy", "neutral", "happy"),
    4: ("very_unhappy", "unhappy", "happy", "very_happy"),
    5: ("very_unhappy", "unhappy", "neutral", "happy", "very_happy"),
}


def _whole_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class RatingScale:
    """The face keys of one device: values 1 (worst) to `steps` (best)."""

    steps: int = DEFAULT_STEPS

    def __post_init__(self) -> None:
        if _whole_number(self.steps) is None or not MIN_STEPS <= self.steps <= MAX_STEPS:
            raise ValueError(f"a rating scale has {MIN_STEPS} to {MAX_STEPS} steps, "
                             f"not {self.steps!r}")

    @property
    def values(self) -> range:
        return range(1, self.steps + 1)

    @property
    def faces(self) -> tuple[str, ...]:
        """The face of each value, as keys of the texts file's `[feedback.faces]`."""
        return FACES_BY_STEPS[self.steps]

    def face(self, value: int) -> str:
        if value not in self:
            raise ValueError(f"rating {value!r} is not on a scale of 1-{self.steps}")
        return self.faces[value - 1]

    def __contains__(self, value: object) -> bool:
        number = _whole_number(value)
        return number is not None and 1 <= number <= self.steps


class Verdict(StrEnum):
    ACCEPTED = "accepted"  # a new vote: store it
    DUPLICATE = "duplicate"  # the same customer's press again: thank them, store nothing
    FLOODED = "flooded"  # over the cap for the minute: ask to wait, store nothing


class FeedbackGate:
    """One vote per customer, and at most `max_per_minute` votes in any minute.

    `now` should come from one clock that moves forward; if it jumps back (the wall clock
    was set), the gate forgets what it saw rather than refuse votes until the clock catches
    up. Counts of duplicates and refused floods are kept for the device's health report.
    """

    def __init__(self, double_tap_s: float = 3.0, max_per_minute: int = 12,
                 window_s: float = 60.0) -> None:
        if double_tap_s < 0:
            raise ValueError(f"double_tap_s must be 0 or more, not {double_tap_s}")
        if max_per_minute < 1:
            raise ValueError(f"max_per_minute must be at least 1, not {max_per_minute}")
        self.double_tap_s = double_tap_s
        self.max_per_minute = max_per_minute
        self.window_s = window_s
        self.accepted = 0
        self.duplicates = 0
        self.flooded = 0
        self._votes: deque[datetime] = deque()  # accepted votes within the window
        self._last_press: datetime | None = None

    def _forget(self, now: datetime) -> None:
        if self._last_press is not None and now < self._last_press:
            self._votes.clear()
        self._last_press = now
        while self._votes and (now - self._votes[0]).total_seconds() >= self.window_s:
            self._votes.popleft()

    def press(self, now: datetime) -> Verdict:
        """Judge one key press (or touch of a face) at `now`; an accepted one is counted."""
        self._forget(now)
        if self._votes and (now - self._votes[-1]).total_seconds() < self.double_tap_s:
            self.duplicates += 1
            return Verdict.DUPLICATE
        if len(self._votes) >= self.max_per_minute:
            self.flooded += 1
            return Verdict.FLOODED
        self._votes.append(now)
        self.accepted += 1
        return Verdict.ACCEPTED


# --- the wire form ----------------------------------------------------------------------


class FeedbackError(ValueError):
    """Feedback that cannot be stored; the message names the field and what was expected."""


@dataclass(frozen=True)
class Feedback:
    device: str
    lang: str
    rating: int
    scale: int  # the number of steps of the device that took it
    words: str | None  # masked
    masked: bool  # something personal-looking was masked (on the device or here)

    def to_event_data(self) -> dict[str, Any]:
        """The data of a `feedback.given` event: nothing personal in it."""
        data: dict[str, Any] = {"device": self.device, "lang": self.lang,
                                "rating": self.rating, "scale": self.scale,
                                "masked": self.masked}
        if self.words is not None:
            data["words"] = self.words
        return data


def _scale(payload: Mapping[str, Any]) -> RatingScale:
    steps = payload.get("scale", DEFAULT_STEPS)
    if _whole_number(steps) is None or not MIN_STEPS <= steps <= MAX_STEPS:
        raise FeedbackError(f"'scale' must be the number of steps, {MIN_STEPS}-{MAX_STEPS}")
    return RatingScale(steps)


def _words(payload: Mapping[str, Any]) -> tuple[str | None, bool]:
    """The words masked again, whatever the device did: it is not trusted with privacy."""
    words = payload.get("words")
    if words is None:
        return None, False
    if not isinstance(words, str) or len(words) > MAX_WORDS_CHARS:
        raise FeedbackError(f"'words' must be null or a text of at most {MAX_WORDS_CHARS} "
                            "characters")
    result = mask_personal(words)
    return (result.text.strip() or None), result.masked


def validate_feedback(payload: Mapping[str, Any]) -> Feedback:
    """Feedback from the wire; FeedbackError says what is wrong.

    Unknown extra fields are ignored; `scale` is 4 steps when absent, `device` "unknown",
    `masked` false. The words are masked here too, so `masked` is true if either side did.
    """
    if not isinstance(payload, Mapping):
        raise FeedbackError("feedback must be an object")
    lang, device = answer_origin(payload, FeedbackError)
    scale = _scale(payload)
    rating = payload.get("rating")
    if rating not in scale:
        raise FeedbackError(f"'rating' must be a whole number 1-{scale.steps}")
    masked_before = payload.get("masked", False)
    if not isinstance(masked_before, bool):
        raise FeedbackError("'masked' must be true or false")
    words, masked_here = _words(payload)
    return Feedback(device, lang, rating, scale.steps, words, masked_before or masked_here)
