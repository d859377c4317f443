"""The `[phone]` table: the QR code on the ticket and the public pages that follow it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from firmware.site_config.reader import (
    Reader,
    boolean_field,
    integer_field,
    join_path,
    nonempty_text,
    text_field,
)
from firmware.site_model import PhoneConfig

PHONE_KEYS = ("enabled", "base_url", "almost_next", "public_port", "public_bind",
              "requests_per_minute")
URL_MAX = 200  # the QR code holds it and the token: short keeps the code small and sharp
# Characters a URL may hold as it is (RFC 3986); anything else would need escaping in a QR
# code that phones read as they find it.
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/\[\]@!$&'()*+,;=%]+")


def read_phone(r: Reader, value: Any, path: str) -> PhoneConfig | None:
    table = r.table(value, path, PHONE_KEYS)
    if table is None:
        return None
    default = PhoneConfig()
    enabled = r.get(table, path, "enabled", boolean_field, default=default.enabled)
    base_url = r.get(table, path, "base_url", text_field, default=default.base_url)
    almost = r.get(table, path, "almost_next", integer_field(0, 50, "a number of people"),
                   default=default.almost_next)
    port = r.get(table, path, "public_port", integer_field(0, 65535, "a port (0: none)"),
                 default=default.public_port)
    bind = r.get(table, path, "public_bind", nonempty_text, default=default.public_bind)
    rate = r.get(table, path, "requests_per_minute",
                 integer_field(1, 10_000, "requests a minute"),
                 default=default.requests_per_minute)
    url_ok = base_url is not None and _check_url(r, base_url, join_path(path, "base_url"),
                                                 bool(enabled))
    if enabled is None or not url_ok or almost is None or port is None or bind is None \
            or rate is None:
        return None
    assert base_url is not None
    return PhoneConfig(enabled, base_url, almost, port, bind, rate)


def _check_url(r: Reader, url: str, path: str, enabled: bool) -> bool:
    """Whether the base URL can go into a QR code; each problem said in plain words."""
    if not url:
        if enabled:
            r.add(path, "missing: the address the QR code opens, such as "
                  "\"https://jono.example.fi/t/\" (required when enabled = true)")
            return False
        return True
    problems = []
    if not url.startswith(("https://", "http://")):
        problems.append("must start with https:// (or http:// behind a TLS terminator)")
    if not url.endswith("/t/"):
        problems.append("must end with /t/ (the token follows it)")
    if len(url) > URL_MAX:
        problems.append(f"is longer than {URL_MAX} characters")
    if not _URL_CHARS.fullmatch(url) or "?" in url or "#" in url:
        problems.append("may hold only the letters, digits and signs of a plain address "
                        "(no spaces, no ? or #)")
    elif url.startswith(("https://", "http://")):
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        if not host:
            problems.append("needs a host name or address after the scheme")
    if problems:
        shown = url if len(url) <= 60 else url[:57] + "..."
        r.add(path, f"'{shown}' " + "; ".join(problems))
        return False
    return True
