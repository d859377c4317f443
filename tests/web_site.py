"""The console's test site (testkit/console_site.py), with the browser a test may not lack."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from testkit import console_site as _site
from testkit.console_site import (
    PASSWORD,
    ConsoleSite,
    console_errors,
    console_site,
    http_get,
    log_in,
    write_users,
)

__all__ = ["PASSWORD", "ConsoleSite", "browser", "console_errors", "console_site", "http_get",
           "log_in", "shown_text", "write_users"]


def browser_or_fail() -> None:
    """Chromium is part of the test setup (`make test` installs it): missing is a failure
    in CI, and a reasoned skip on a developer's machine that has not run `make test`."""
    if _site.have_browser():
        return
    message = "Debian's chromium and chromium-driver are missing: run `make test-packages`"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def browser(width: int = 1280, height: int = 900) -> Iterator[Any]:
    browser_or_fail()
    with _site.browser(width, height) as driver:
        yield driver


def shown_text(page: Any, css: str) -> str | None:
    """The text a person sees in the element `css` (None when there is none), read in one
    step inside the page: a live page replaces its tables' rows at every push, so an element
    found first and read after may be gone in between (a stale element)."""
    return page.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : null;",
        css)
