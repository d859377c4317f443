"""Reading a broker address from the command line: `mqtt://HOST:PORT`, `mqtts://HOST:PORT`
or a bare `HOST[:PORT]`.

Strict on purpose: `mqtt//bad` once meant host "mqtt" (urlparse read the rest as a path)
and the device then waited for a broker that does not exist. Whatever is not exactly a
host and an optional port is refused with a sentence that says what is wrong.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

PLAIN_PORT = 1883
TLS_PORT = 8883
SCHEMES = {"mqtt": False, "tcp": False, "mqtts": True, "ssl": True}

_SHAPE = re.compile(
    r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"  # optional scheme://
    r"(?P<host>\[[^\]/]*\]|[^:/\[\]@?#]*)"  # [IPv6] or a name or IPv4
    r"(?::(?P<port>[^/]*))?"  # optional :port
    r"(?(scheme)/?|)",  # after a scheme a trailing slash is harmless; in `host/` it is not
    re.ASCII,
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?", re.ASCII)
FORM = "mqtt://HOST:PORT (mqtts://HOST:PORT for TLS)"


class BrokerUrlError(ValueError):
    """The address cannot be read; the text says why, in plain words."""


@dataclass(frozen=True)
class BrokerUrl:
    host: str
    port: int
    tls: bool | None  # None: a bare HOST[:PORT], which follows the config's TLS setting


def _shown(text: str, limit: int = 80) -> str:
    # Echoed back as typed, but short and without control characters.
    printable = "".join(c if c.isprintable() else "?" for c in text[:limit])
    return printable if len(text) <= limit else printable[:limit - 3] + "..."


def parse(url: str) -> BrokerUrl:
    shown = _shown(url)
    if "@" in url:
        raise BrokerUrlError(f"broker URL '{shown}' carries a login: the broker's username "
                             f"and password go in the config's [broker] table; the URL is "
                             f"only {FORM}")
    match = _SHAPE.fullmatch(url)
    if match is None:
        raise BrokerUrlError(f"broker URL '{shown}' is not of the form {FORM}")
    scheme = (match["scheme"] or "").lower()
    if scheme and scheme not in SCHEMES:
        raise BrokerUrlError(f"broker URL '{shown}' is not of the form {FORM}: "
                             f"'{scheme}://' is not an MQTT scheme")
    tls = SCHEMES[scheme] if scheme else None
    host = _host(match["host"], shown)
    port = _port(match["port"], shown, TLS_PORT if tls else PLAIN_PORT)
    return BrokerUrl(host, port, tls)


def _host(text: str, shown: str) -> str:
    if not text:
        raise BrokerUrlError(f"broker URL '{shown}' names no host: write {FORM}, "
                             "e.g. mqtt://lobby-1.local:1883")
    if text.startswith("["):
        try:
            return str(ipaddress.IPv6Address(text[1:-1]))
        except ValueError:
            raise BrokerUrlError(f"broker URL '{shown}': '{_shown(text, 40)}' is not an "
                                 "IPv6 address") from None
    if not _HOSTNAME.fullmatch(text) or len(text) > 253:
        raise BrokerUrlError(f"broker URL '{shown}': '{_shown(text, 40)}' is not a host "
                             f"name or address (write {FORM})")
    return text


def _port(text: str | None, shown: str, default: int) -> int:
    if text is None:
        return default
    if not (text.isascii() and text.isdigit() and len(text) <= 5 and 1 <= int(text) <= 65535):
        raise BrokerUrlError(f"broker URL '{shown}' has an invalid port '{_shown(text, 12)}': "
                             "a port is a number from 1 to 65535")
    return int(text)
