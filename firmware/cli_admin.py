"""Device administration commands (install, provision, self-test, status, central config).

`register(sub)` adds their subparsers to `piste`; `dispatch(args)` runs one and returns its
exit status, or None when the command is not one of these.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    del sub


def dispatch(args: argparse.Namespace) -> int | None:
    del args
    return None
