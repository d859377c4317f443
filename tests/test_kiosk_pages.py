"""The kiosk's list of authorities in pages, as a customer meets it (issue 22 point 4).

The demo site's nine authorities do not fit one page at the kiosk's readable size, so the
start screen turns pages: by touch, by the tactile keys (the same `KeyPress` the gpiozero
keys post), read aloud by speech mode, and back on the first page for the next customer.
The lobby device (controller and kiosk) on the in-memory broker and the jumping clock
(testkit/lobby_kiosk.py): pygame with the SDL dummy driver, gpiozero MockFactory pins, and a
speaker that hears what is said (espeak-ng itself: tests/test_speech.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from display_driver.layout import focusable
from firmware.clock import ManualClock
from firmware.kiosk.screen import layout_kiosk
from firmware.kiosk.texts import text
from mqtt_bridge.memory import MemoryBroker
from testkit.jumping import JumpingSite
from testkit.lobby_kiosk import LobbyKiosk as Kiosk
from tests.helpers import demo_config

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


@pytest.fixture
def kiosk(memory_broker: MemoryBroker, tmp_path: Path) -> Iterator[Kiosk]:
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        yield Kiosk(site, demo_config(None, tmp_path), tmp_path).ready()


def start_layout(k: Kiosk) -> Any:
    return layout_kiosk(k.role.view(), k.role.screen.size)


def shown_services(k: Kiosk) -> list[str]:
    return [b.service_id for b in start_layout(k).buttons if b.action == "issue"]


def page_line(k: Kiosk) -> list[str]:
    return [t.text for t in start_layout(k).plan.texts if t.role == "page"]


def key(k: Kiosk, name: str) -> None:
    k.key(name)


def test_a_touch_turns_the_page_and_the_next_customer_starts_on_the_first(kiosk: Kiosk
                                                                        ) -> None:
    k = kiosk
    pages = start_layout(k).pages
    assert pages >= 2  # nine authorities at 46 px: more than one page
    everyone = [s.id for s in k.config.services]
    first = shown_services(k)
    assert first == everyone[:len(first)] and len(first) < len(everyone)
    assert page_line(k) == [text("fi", "page", page=1, pages=pages)]
    assert k.role.button_at("page", f"-1/{pages}") is None  # no page 0
    seen = list(first)
    for page in range(1, pages):
        k.touch("page", f"{page}/{pages}")
        assert k.role.page == page
        assert page_line(k) == [text("fi", "page", page=page + 1, pages=pages)]
        seen += shown_services(k)
    assert seen == everyone  # every authority findable, each once
    last = everyone[-1]
    assert k.role.button_center(last) is not None
    k.touch("page", f"{pages - 2}/{pages}")  # and back
    assert k.role.page == pages - 2
    k.touch("page", f"{pages - 1}/{pages}")
    assert k.role.page == pages - 1
    k.touch("appointment")
    assert k.phase == "code"  # the keypad
    k.touch("cancel")  # the kiosk returns to its start: the next customer's first page
    assert k.phase == "start"
    assert k.role.page == 0
    assert shown_services(k) == first


def test_the_keys_turn_the_page_and_speech_reads_it(kiosk: Kiosk) -> None:
    k = kiosk
    voice = k.role.voice
    pages = start_layout(k).pages
    key(k, "help")  # speech on: the screen is read, with which page of how many
    assert any("Valitse palvelu" in s for s, _ in voice.spoken), "the start screen read aloud"
    read = " ".join(s for s, _ in voice.spoken)
    assert text("fi", "page", page=1, pages=pages) in read
    assert "Seuraava sivu" in read and "Etäpalvelu" not in read  # the page on screen
    targets = focusable(k.role.buttons)
    to_next = next(i for i, b in enumerate(targets) if b.action == "page")
    for _ in range(to_next + 1):  # down from no focus: the first button, then on
        key(k, "down")
    assert ("Seuraava sivu", "fi") in voice.spoken  # the turn said
    before = len(voice.spoken)
    key(k, "select")
    assert k.role.page == 1
    read = " ".join(s for s, _ in voice.spoken[before:])
    assert text("fi", "page", page=2, pages=pages) in read  # page 2 read aloud
    names = {s.id: s.name.get("fi") for s in k.config.services}
    assert all(names[sid] in read for sid in shown_services(k))  # the new page's names
    assert "Kela" not in read  # page 1's are not read again
    # The ring stays on the page turn: select again goes on (or back from the last page).
    focused = focusable(k.role.buttons)[k.role.focus]
    assert focused.action == "page"
    key(k, "select")
    assert k.role.page == (2 if pages > 2 else 0)
