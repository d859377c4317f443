"""`piste check-config [--json] FILE`: a site config checked before it reaches a device."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from firmware.site_config import ConfigError, load_site_config
from firmware.site_config.prefix_advice import prefix_warnings
from firmware.site_config.summary import summarize, to_json_dict


def check_config_main(path: str, as_json: bool, out: TextIO | None = None,
                      err: TextIO | None = None) -> int:
    """0 and a summary (or the effective config as JSON), or 2 and every problem.

    The streams default to sys.stdout and sys.stderr as they are at the call, not at import,
    so a redirected or captured stream is honoured.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        config = load_site_config(path)
    except ConfigError as exc:
        print(exc, file=err)
        return 2
    if as_json:
        print(json.dumps(to_json_dict(config), ensure_ascii=False, indent=2), file=out)
    else:
        print(summarize(config), file=out)
    for warning in prefix_warnings(config):
        print(f"warning: {warning}", file=err)
    return 0
