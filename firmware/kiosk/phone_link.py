"""The ticket's `phone` {url, code} from the controller, read strictly for the slip.

The controller adds it beside the ticket in its answer to an issue or a reprint (and the
console beside the ticket in its print job) when the site lets customers follow their turn
on a phone. Whatever
else arrives is left off the slip, with a log line that says what was wrong without the
url or the code (they are the ticket holder's secrets): the ticket itself still prints, a
number without a QR code being far better than no number at all.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from ticket_printer.slip import PhoneLink

# The role's name: the kiosk's log lines keep the one name they have always had in the journal.
log = logging.getLogger("firmware.kiosk.role")

URL_MAX = 200  # ~50 in practice; 200 bytes is a version-10 symbol, 342 dots: fits 58 mm paper
# The page's address: base_url (ending in /t/) then the token, URL-safe base64 characters.
URL_PATH = re.compile(r"(/[!-~]*)?/t/[A-Za-z0-9_-]{16,64}")
# Four groups of four Crockford base32 characters (no I, L, O, U), as printed.
CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}")


class _Unreadable(ValueError):
    pass


def phone_link(holder: Any) -> PhoneLink | None:
    """The phone link beside the ticket in an answer or a print job, or None: none sent, or
    one that cannot be read (logged)."""
    value = holder.get("phone") if isinstance(holder, dict) else None
    if value is None:
        return None
    try:
        return _read(value)
    except _Unreadable as exc:
        log.warning("the ticket's phone link cannot be read (%s); the slip prints without it",
                    exc)
        return None


def _read(value: Any) -> PhoneLink:
    if not isinstance(value, dict):
        raise _Unreadable("not an object")
    url, code = value.get("url"), value.get("code")
    if not isinstance(url, str) or not _is_page_url(url):
        raise _Unreadable(f"url: not an http(s) address of at most {URL_MAX} characters "
                          "ending in /t/ and a token")
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise _Unreadable("code: not four groups of four code characters")
    return PhoneLink(url=url, code=code)


def _is_page_url(url: str) -> bool:
    # Printable ASCII only: the QR code holds it byte for byte and a phone opens exactly it.
    if len(url) > URL_MAX or not url.isascii() or not url.isprintable() or " " in url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced [ in the host
        return False
    return (parts.scheme in ("https", "http") and bool(parts.hostname)
            and not parts.query and not parts.fragment and not parts.username
            and URL_PATH.fullmatch(parts.path) is not None)
