"""What every command needs: the site config, or a plain message and exit status 2."""

from __future__ import annotations

import sys
from pathlib import Path

from firmware.site_config import ConfigError, load_site_config
from firmware.site_model import SiteConfig

DEFAULT_DATA_DIR = Path("/var/lib/piste")


def load_config_or_exit(path: Path, overrides: list[str] | None = None) -> SiteConfig:
    try:
        return load_site_config(path, overrides or ())
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
