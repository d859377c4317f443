"""What every device's flow shares: the broker connection's two events, the redraw effect,
and the rule that a turn of a flow ends in at most one redraw. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar


@dataclass(frozen=True)
class LinkUp:
    """Connected to the broker (again): what waited for the link goes now."""


@dataclass(frozen=True)
class LinkDown:
    """The broker is out of reach: the screen says so, nothing is lost."""


@dataclass(frozen=True)
class Redraw:
    """Something visible may have changed: the shell builds the view and draws what did."""


E = TypeVar("E")


def redraw_last(effects: list[E]) -> list[E]:
    """The turn's effects in their order, its redraws made one and put last: the shell
    draws once, after the rest (a sound, a message sent) is under way."""
    rest = [e for e in effects if not isinstance(e, Redraw)]
    return [*rest, Redraw()] if len(rest) < len(effects) else rest  # type: ignore[list-item]
