"""The retained, versioned site-config message (`piste config push` -> every device).

Topic `piste/v1/{site}/config/site` (an addition to contract v1), retained, QoS 1.
Payload, UTF-8 JSON:

    {"version": 8, "sha256": "<hex of the TOML text>", "pushed_at": "2026-12-01T07:55:00+02:00",
     "toml": "<the site config>"}                      (or "toml_zlib": base64 of zlib(TOML))

The compressed form is used when the plain one would pass the contract's 16 KiB. The
parser is lenient on the wire (unknown fields are ignored) and strict about everything it
uses: types, sizes, the hash, a decompression bomb. Every refusal says what and why.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

from mqtt_bridge import topics

MAX_PAYLOAD = 64 * 1024  # on the wire; our own pushes stay under the contract's 16 KiB
PLAIN_LIMIT = 16 * 1024
MAX_TOML = 512 * 1024  # after decompression


def config_topic(site: str) -> str:
    return topics.site_config(site)


class MessageError(ValueError):
    """A pushed config message that cannot be used; the text says why."""


@dataclass(frozen=True)
class PushedConfig:
    version: int
    sha256: str
    toml: str
    pushed_at: str = ""


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def encode(version: int, text: str, pushed_at: str) -> bytes:
    body: dict[str, Any] = {"version": version, "sha256": sha256_text(text),
                            "pushed_at": pushed_at, "toml": text}
    plain = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    if len(plain) <= PLAIN_LIMIT:
        return plain
    del body["toml"]
    body["toml_zlib"] = base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode()
    return json.dumps(body, separators=(",", ":")).encode()


def parse(payload: bytes) -> PushedConfig:
    if len(payload) > MAX_PAYLOAD:
        raise MessageError(f"message of {len(payload)} bytes is larger than {MAX_PAYLOAD}")
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MessageError(f"not UTF-8 JSON: {exc}") from None
    if not isinstance(body, dict):
        raise MessageError("expected a JSON object")
    version = body.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 2**31:
        raise MessageError(f"'version' must be a whole number from 1, found {version!r:.40}")
    digest = body.get("sha256")
    if not isinstance(digest, str) or len(digest) != 64 or not _is_hex(digest):
        raise MessageError("'sha256' must be 64 hexadecimal digits")
    pushed_at = body.get("pushed_at", "")
    if not isinstance(pushed_at, str) or len(pushed_at) > 64:
        raise MessageError("'pushed_at' must be a short text")
    text = _toml_text(body)
    if sha256_text(text) != digest.lower():
        raise MessageError("the config text does not match its sha256: damaged on the way")
    return PushedConfig(version, digest.lower(), text, pushed_at)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


def _toml_text(body: dict[str, Any]) -> str:
    plain, packed = body.get("toml"), body.get("toml_zlib")
    if (plain is None) == (packed is None):
        raise MessageError("expected exactly one of 'toml' and 'toml_zlib'")
    if plain is not None:
        if not isinstance(plain, str):
            raise MessageError("'toml' must be a text")
        return plain
    if not isinstance(packed, str):
        raise MessageError("'toml_zlib' must be base64 text")
    try:
        raw = base64.b64decode(packed, validate=True)
        inflater = zlib.decompressobj()
        data = inflater.decompress(raw, MAX_TOML + 1)  # stop a bomb early
        if len(data) > MAX_TOML or inflater.unconsumed_tail or not inflater.eof:
            raise MessageError(f"'toml_zlib' is damaged or larger than {MAX_TOML} bytes")
        return data.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError) as exc:
        raise MessageError(f"'toml_zlib' cannot be unpacked: {exc}") from None
