"""A device's `[devices.web]` table: where the staff console listens and whom it lets in."""

from __future__ import annotations

from typing import Any

from firmware.site_config.reader import Reader, integer_field, join_path, text_field
from firmware.site_model import WebConfig

WEB_KEYS = ("bind", "port", "cert_file", "key_file", "users_file", "session_idle_minutes",
            "session_max_hours")


def read_web(r: Reader, value: Any, path: str) -> WebConfig | None:
    table = r.table(value, path, WEB_KEYS)
    if table is None:
        return None
    default = WebConfig()
    bind = r.get(table, path, "bind", text_field, default=default.bind)
    port = r.get(table, path, "port", integer_field(1, 65535, "a port"), default=default.port)
    cert = r.get(table, path, "cert_file", text_field, default=default.cert_file)
    key = r.get(table, path, "key_file", text_field, default=default.key_file)
    users = r.get(table, path, "users_file", text_field, default=default.users_file)
    idle = r.get(table, path, "session_idle_minutes", integer_field(1, 24 * 60, "minutes"),
                 default=default.session_idle_minutes)
    most = r.get(table, path, "session_max_hours", integer_field(1, 24, "hours"),
                 default=default.session_max_hours)
    # The cross checks come before giving up on a wrong field: every problem is listed at once.
    if cert is not None and key is not None and bool(cert) != bool(key):
        r.add(join_path(path, "cert_file" if not cert else "key_file"),
              "give both cert_file and key_file, or neither (a self-signed pair is made)")
    if users == "":
        r.add(join_path(path, "users_file"), "the staff logins file needs a name")
    if bind is None or port is None or cert is None or key is None or not users \
            or idle is None or most is None or bool(cert) != bool(key):
        return None
    return WebConfig(bind, port, cert, key, users, idle, most)
