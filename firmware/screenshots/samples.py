"""Sample views of every screen, for tests, the README's screenshots and design reviews.

`python -m firmware.screenshots.samples OUT_DIR` writes one PNG per sample, headless.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from firmware.display.lobby_screen import LobbyView, ServiceRow, ServingRow
from firmware.kiosk.screen import KioskService, KioskTicket, KioskView

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 12, 1, 10, 5, tzinfo=HELSINKI)  # a Tuesday morning


def lobby_busy() -> LobbyView:
    return LobbyView(
        site_name="Suomi-piste Kallio",
        now=NOW,
        serving=(
            ServingRow("K042", "Huone 3", "c4"),
            ServingRow("V017", "Huone 1", "c3"),
            ServingRow("K041", "Huone 5", "c2"),
            ServingRow("M008", "Huone 2", "c1"),
        ),
        newest_call_id="c4",
        services=(
            ServiceRow("Kela", 7, True, None),
            ServiceRow("Verohallinto", 3, True, None),
            ServiceRow("Maahanmuuttovirasto", 0, False, NOW.replace(hour=12, minute=0)),
            ServiceRow(
                "Työllisyyspalvelut", 0, False, (NOW + timedelta(days=1)).replace(hour=9, minute=0)
            ),
        ),
    )


def lobby_quiet() -> LobbyView:
    return LobbyView(
        site_name="Suomi-piste Kallio",
        now=NOW,
        serving=(),
        newest_call_id=None,
        services=(ServiceRow("Kela", 0, True, None),),
    )


KIOSK_SERVICES = (
    KioskService("kela", "Kela", True, None),
    KioskService("vero", "Verohallinto", True, None),
    KioskService("migri", "Maahanmuuttovirasto", False, NOW.replace(hour=12, minute=0)),
    KioskService(
        "te", "Työllisyyspalvelut", False, (NOW + timedelta(days=1)).replace(hour=9, minute=0)
    ),
)


def kiosk(phase: str, ticket: KioskTicket | None = None, message: str = "") -> KioskView:
    return KioskView("Suomi-piste Kallio", KIOSK_SERVICES, phase, ticket, message, now=NOW)


def kiosk_samples() -> dict[str, KioskView]:
    return {
        "kiosk-start": kiosk("start"),
        "kiosk-issuing": kiosk("issuing"),
        "kiosk-ticket": kiosk("ticket", KioskTicket("K043", "Kela", 6, 25)),
        "kiosk-not-printed": kiosk(
            "ticket", KioskTicket("V018", "Verohallinto", 0, None, printed=False)
        ),
        "kiosk-error": kiosk("error"),
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from display_driver.png import offscreen_surface, save_png
    from firmware.display.lobby_screen import render_lobby
    from firmware.kiosk.screen import render_kiosk

    out = Path(argv[0] if argv else "screenshots")
    for name, view in (("lobby-busy", lobby_busy()), ("lobby-quiet", lobby_quiet())):
        for label, size in (("landscape", (1920, 1080)), ("portrait", (1080, 1920))):
            surface = offscreen_surface(*size)
            render_lobby(surface, view)
            save_png(surface, out / f"{name}-{label}.png")
    for name, kview in kiosk_samples().items():
        for label, size in (("landscape", (1920, 1080)), ("portrait", (1080, 1920))):
            surface = offscreen_surface(*size)
            render_kiosk(surface, kview)
            save_png(surface, out / f"{name}-{label}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
