"""The broker connection's two events, as every device's flow takes them. Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LinkUp:
    """Connected to the broker (again): what waited for the link goes now."""


@dataclass(frozen=True)
class LinkDown:
    """The broker is out of reach: the screen says so, nothing is lost."""
