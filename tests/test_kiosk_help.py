"""The kiosk's help key and its "Ask staff for help" button on the device (issue 24): the
kiosk's own role with its controller on the in-memory broker and the jumping clock
(testkit/lobby_kiosk.py), the help key a gpiozero MockFactory pin held down as long as a
customer would (gpiozero's own hold thread times it), the screen drawn with the SDL dummy
driver and what the speaker says heard. What the kiosk decides (once a minute, the desk
when nobody answers) is tested on its flow in tests/test_kiosk_flow.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware.clock import ManualClock
from firmware.controller import snapshot
from firmware.core.queue import fold
from firmware.kiosk.texts import TEXTS
from firmware.kiosk.wire import HELP_REQUEST
from firmware.site_model import KioskConfig, ScreenConfig
from mqtt_bridge import topics
from mqtt_bridge.memory import MemoryBroker
from mqtt_bridge.payloads import encode
from testkit.jumping import JumpingSite
from testkit.lobby_kiosk import LobbyKiosk
from tests.helpers import demo_config
from tests.secured_site import TUESDAY_10

KEY_HELP = 19


@pytest.fixture
def kiosk(memory_broker: MemoryBroker, tmp_path: Path) -> Iterator[LobbyKiosk]:
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        yield LobbyKiosk(site, demo_config(None, tmp_path), tmp_path,
                         kiosk=KioskConfig(key_help=KEY_HELP),
                         screen=ScreenConfig(1920, 1080, fullscreen=False)).ready()


def texts(kiosk: LobbyKiosk) -> str:
    from firmware.kiosk.screen import layout_kiosk_texts

    return " ".join(t.text for t in layout_kiosk_texts(kiosk.role.view(),
                                                       kiosk.role.screen.size))


def requests(kiosk: LobbyKiosk) -> list[tuple[str, bytes, bool]]:
    site_id = kiosk.config.site.id
    return kiosk.site.client(site_id).watch(topics.command(site_id, HELP_REQUEST, "+"))


def the_answer(kiosk: LobbyKiosk, key: str, lang: str) -> None:
    """The request's outcome reached the screen: "help_told" (the controller answered: the
    advisor's page shows it) or "help_desk" (nobody answered the requester's tries)."""
    kiosk.site.run_until(lambda: TEXTS[lang][key] in texts(kiosk), within_s=10,
                         what=f"the help screen saying {key}")


def test_holding_the_help_key_two_seconds_asks_for_the_advisor_once(
        kiosk: LobbyKiosk) -> None:
    sent = requests(kiosk)
    key = kiosk.pins.pin(KEY_HELP)
    key.drive_low()  # held: louder after 1 s, the request after 2 s (gpiozero's hold thread)
    while kiosk.phase != "help":
        kiosk.site.await_post(kiosk.runtime, within_s=5, what="the help key held")
    key.drive_high()
    kiosk.turn()
    assert len(sent) == 1 and json.loads(sent[0][1]).keys() == {"request_id"}  # body {}
    assert sent[0][0].endswith("/lobby-1")  # the kiosk's own name: the advisor sees which
    assert any(words.startswith("Äänenvoimakkuus") for words, _ in kiosk.speaker.spoken)
    the_answer(kiosk, "help_told", "fi")
    # The hold started speech: the screen was read, its words with it.
    spoken = " ".join(words for words, _ in kiosk.speaker.spoken)
    assert TEXTS["fi"]["help_told"] in spoken
    kiosk.touch("back")
    assert kiosk.phase == "start"
    kiosk.touch("help")  # within the minute: nothing sent, and the screen says why
    assert len({json.loads(p)["request_id"] for _, p, _ in sent}) == 1
    assert kiosk.phase == "help"
    assert TEXTS["fi"]["help_again"] in texts(kiosk)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_start_screens_button_asks_in_the_customers_language(
        kiosk: LobbyKiosk, lang: str) -> None:
    sent = requests(kiosk)
    kiosk.touch("lang", lang)
    assert TEXTS[lang]["help"] in texts(kiosk)  # "Be om hjälp" / "Ask staff for help"
    kiosk.touch("help")
    assert kiosk.phase == "help" and len(sent) == 1
    the_answer(kiosk, "help_told", lang)
    assert kiosk.speaker.spoken == []  # nobody asked for speech: nothing said
    kiosk.site.run_for(kiosk.config.device("lobby-1").kiosk.idle_timeout_s + 20)
    assert kiosk.phase == "start" and kiosk.role.lang == "fi"  # left alone: the start


def test_with_its_controller_down_the_kiosk_sends_the_customer_to_the_desk(
        memory_broker: MemoryBroker, tmp_path: Path) -> None:
    """The controller is down: its last state is still on the broker (retained), so the
    kiosk offers numbers and help, but nobody answers the request. After the requester's
    tries the screen says the advisor could not be told and to ask at the desk."""
    config = demo_config(None, tmp_path)
    with JumpingSite(ManualClock(TUESDAY_10), memory_broker) as site:
        state = snapshot.build(fold(TUESDAY_10.date().isoformat(), []), config, TUESDAY_10)
        site.client(config.site.id).publish_raw(topics.queue_state(config.site.id),
                                                encode(state.to_wire()), retain=True)
        kiosk = LobbyKiosk(site, config, tmp_path, kiosk=KioskConfig(key_help=KEY_HELP),
                           screen=ScreenConfig(1920, 1080, fullscreen=False),
                           with_controller=False).ready()
        sent = requests(kiosk)
        kiosk.touch("lang", "en")
        kiosk.touch("help")
        assert kiosk.phase == "help" and sent  # asked, as ever
        the_answer(kiosk, "help_desk", "en")
        assert TEXTS["en"]["help_told"] not in texts(kiosk)
        assert len({json.loads(p)["request_id"] for _, p, _ in sent}) == 1  # one request
