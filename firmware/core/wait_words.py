"""One estimate everywhere: the words and the range a customer reads for their wait.

The kiosk's ticket screen, the printed slip and the lobby display all say the wait the same
way, from the same range (`firmware.core.estimate.eta_range`): "Arvioitu odotus 16–34 min".
A customer with nobody ahead reads "you are next", never "about 0 min". Pure: no I/O.
"""

from __future__ import annotations

from typing import Any

from firmware.core.estimate import eta_range

MAX_MINUTES = 999  # beyond this a figure from outside is no estimate of a service point

WORDS: dict[str, dict[str, str]] = {
    "fi": {"next": "Olet seuraavana vuorossa", "wait": "Arvioitu odotus {span}"},
    "sv": {"next": "Du är näst på tur", "wait": "Uppskattad väntetid {span}"},
    "en": {"next": "You are next in line", "wait": "Estimated wait {span}"},
}


def _minutes(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 <= value <= MAX_MINUTES:  # also refuses nan
        return None
    return int(value)


def span_of(eta_range_value: Any, eta_minutes: Any = None) -> tuple[int, int] | None:
    """The range to show, from a message's `eta_range` ([low, high]), or else from its
    `eta_minutes` through the same range rule; None when neither is a usable figure."""
    if isinstance(eta_range_value, list | tuple) and len(eta_range_value) == 2:
        low, high = (_minutes(v) for v in eta_range_value)
        if low is not None and high is not None and low <= high:
            return low, high
    minutes = _minutes(eta_minutes)
    return eta_range(minutes) if minutes is not None else None


def span_text(span: tuple[int, int]) -> str:
    """ "16–34 min", or "5 min" when both ends are the same."""
    low, high = span
    return f"{low} min" if low == high else f"{low}–{high} min"


def wait_line(ahead: int, span: tuple[int, int] | None, lang: str) -> str | None:
    """The one line about the wait: "you are next" with nobody ahead, else the estimated
    range; None when there is no estimate to give."""
    words = WORDS.get(lang, WORDS["fi"])
    if ahead <= 0:
        return words["next"]
    if span is None:
        return None
    return words["wait"].format(span=span_text(span))
