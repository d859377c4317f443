"""The console's test site (testkit/console_site.py), with the browser a test may not lack."""

from __future__ import annotations

import atexit
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


# Chromium takes seconds to start: a test hands its browser back whole for the next test
# that asks for one of the same size, wiped of what the last site left in it.
_SPARE: dict[tuple[int, int], list[Any]] = {}


def _wiped(driver: Any) -> bool:
    """The browser as new (no cookies, no page, no storage, nothing in its log), or False
    when it cannot be made so."""
    try:
        if len(driver.window_handles) != 1:
            return False
        origin = driver.execute_script("return location.origin")
        if origin and origin.startswith("https://"):
            driver.execute_cdp_cmd("Storage.clearDataForOrigin",
                                   {"origin": origin, "storageTypes": "all"})
        driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})  # a phone's width
        driver.get("about:blank")
        driver.get_log("browser")  # read is gone: the next test sees only its own
        return _viewport(driver) == driver.piste_viewport  # else something else was changed
    except Exception:  # a browser in a state we cannot undo: not handed on
        return False


def _viewport(driver: Any) -> list[int]:
    return driver.execute_script("return [window.innerWidth, window.innerHeight]")


@atexit.register
def _close_spares() -> None:
    for drivers in _SPARE.values():
        for driver in drivers:
            _site.close_browser(driver)


@contextmanager
def browser(width: int = 1280, height: int = 900) -> Iterator[Any]:
    browser_or_fail()
    spares = _SPARE.setdefault((width, height), [])
    if spares:
        driver = spares.pop()
    else:
        driver = _site.open_browser(width, height)
        driver.piste_viewport = _viewport(driver)
    ok = False
    try:
        yield driver
        ok = True
    finally:
        if ok and _wiped(driver):
            spares.append(driver)
        else:
            _site.close_browser(driver)


def shown_text(page: Any, css: str) -> str | None:
    """The text a person sees in the element `css` (None when there is none), read in one
    step inside the page: a live page replaces its tables' rows at every push, so an element
    found first and read after may be gone in between (a stale element)."""
    return page.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : null;",
        css)
