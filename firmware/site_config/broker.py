"""The `[broker]` table: where the MQTT broker is and how to log in (TLS optional)."""

from __future__ import annotations

from typing import Any

from firmware.site_config.reader import Reader, integer_field, join_path, nonempty_text, text_field
from firmware.site_model import (
    BrokerConfig,
)

BROKER_KEYS = ("host", "port", "username", "password", "ca_file", "cert_file", "key_file")


def read_broker(r: Reader, value: Any, path: str) -> BrokerConfig | None:
    table = r.table(value, path, BROKER_KEYS)
    if table is None:
        return None
    default = BrokerConfig()
    host = r.get(table, path, "host", nonempty_text, default=default.host)
    port = r.get(table, path, "port", integer_field(1, 65535, "a port"), default=default.port)
    username = r.get(table, path, "username", text_field, default=default.username)
    password = r.get(table, path, "password", text_field, default=default.password)
    files = {key: r.get(table, path, key, text_field, default="")
             for key in ("ca_file", "cert_file", "key_file")}
    if host is None or port is None or username is None or password is None:
        return None
    if any(v is None for v in files.values()):
        return None
    if (files["cert_file"] or files["key_file"]) and not files["ca_file"]:
        r.add(join_path(path, "ca_file"), "a client certificate needs TLS: set ca_file as well")
    if bool(files["cert_file"]) != bool(files["key_file"]):
        r.add(join_path(path, "key_file" if files["cert_file"] else "cert_file"),
              "cert_file and key_file go together")
    return BrokerConfig(host, port, username, password, **files)  # type: ignore[arg-type]
