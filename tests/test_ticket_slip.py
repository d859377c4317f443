"""The slip layout: a pure function of the slip, in three languages."""

from __future__ import annotations

import ast
import dataclasses
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import ticket_printer.slip as slip_module
from firmware.core.wait_words import WORDS
from ticket_printer.slip import TEXTS, PhoneLink, TicketSlip, layout

HELSINKI = ZoneInfo("Europe/Helsinki")
MORNING = datetime(2026, 11, 29, 9, 14, 5, tzinfo=HELSINKI)


def slip(**changes: object) -> TicketSlip:
    base = TicketSlip(site_name="Suomi-piste Jyväskylä", number="K042", service_name="Kela",
                      issued_at=MORNING, ahead=3, eta_minutes=12, lang="fi")
    return dataclasses.replace(base, **changes)


def texts(s: TicketSlip) -> list[str]:
    return [line.text for line in layout(s) if line.text]


@pytest.mark.parametrize(("lang", "when"), [
    ("fi", "29.11.2026 klo 9.14"),
    ("sv", "29.11.2026 kl. 9.14"),
    ("en", "29 Nov 2026 9:14"),
])
def test_date_and_time_the_way_each_language_writes_them(lang: str, when: str) -> None:
    assert when in texts(slip(lang=lang))


def test_minutes_keep_two_digits_and_days_none() -> None:
    at = datetime(2026, 12, 1, 14, 5, tzinfo=HELSINKI)
    assert "1.12.2026 klo 14.05" in texts(slip(issued_at=at))
    assert "1 Dec 2026 14:05" in texts(slip(issued_at=at, lang="en"))


def test_the_lines_in_order_with_the_number_the_largest() -> None:
    lines = layout(slip(note="Ota henkilöllisyystodistus mukaan"))
    content = [line for line in lines if line.text]
    assert [line.text for line in content] == [
        "Suomi-piste Jyväskylä",
        "K042",
        "Kela",
        "29.11.2026 klo 9.14",
        "Ennen sinua jonossa: 3",
        "Arvioitu odotus 8–17 min",  # the range the display shows, from the same rule
        "Seuraa jononäyttöä",
        "Ota henkilöllisyystodistus mukaan",
        TEXTS["fi"]["footer"],
    ]
    assert [line.size for line in lines if line.size == "huge"] == ["huge"]
    assert next(line for line in lines if line.size == "huge").text == "K042"


@pytest.mark.parametrize(("lang", "ahead", "eta", "nobody", "follow"), [
    ("fi", "Ennen sinua jonossa: 2", "Arvioitu odotus 14–32 min", "Olet seuraavana vuorossa",
     "Seuraa jononäyttöä"),
    ("sv", "Före dig i kön: 2", "Uppskattad väntetid 14–32 min", "Du är näst på tur",
     "Följ köskärmen"),
    ("en", "People ahead of you: 2", "Estimated wait 14–32 min", "You are next in line",
     "Follow the queue display"),
])
def test_queue_lines_in_the_slips_language(lang: str, ahead: str, eta: str, nobody: str,
                                           follow: str) -> None:
    lines = texts(slip(lang=lang, ahead=2, eta_minutes=20, eta_range=(14, 32)))
    assert ahead in lines and eta in lines and follow in lines
    # Nobody ahead: "you are next", as the kiosk's screen says, never "about 0 min".
    first = texts(slip(lang=lang, ahead=0, eta_minutes=0, eta_range=(0, 1)))
    assert nobody in first and not any("min" in line or ": 0" in line for line in first)


def test_the_slip_the_kiosk_screen_and_the_display_say_the_same_wait() -> None:
    from firmware.display.lobby_screen import _eta_text
    from firmware.kiosk.screen import KioskTicket
    from mqtt_bridge.messages import ServiceState

    state = ServiceState("kela", eta_minutes=20, eta_range=(14, 32))
    printed = texts(slip(ahead=4, eta_minutes=20, eta_range=(14, 32)))
    shown = KioskTicket("K042", "Kela", 4, 20, eta_range=(14, 32)).wait_line("fi")
    assert shown in printed and shown.endswith(_eta_text(state))
    # Without the controller's range (an advisor's remote print), the same rule makes one.
    made = KioskTicket("K042", "Kela", 4, 20).wait_line("fi")
    assert made == "Arvioitu odotus 14–28 min" and made in texts(slip(ahead=4, eta_minutes=20))


def test_no_estimate_means_no_estimate_line() -> None:
    lines = texts(slip(eta_minutes=None))
    assert not any("min" in line for line in lines)


def test_no_note_means_no_note_line() -> None:
    assert len(texts(slip(note="Tuo paperit"))) == len(texts(slip())) + 1


PHONE = PhoneLink("https://jono.example.fi/t/Qx7_k2Lm9PzR-4vTa8Yc0w", "7KQ2-M9XD-PW4R-H8TZ")


@pytest.mark.parametrize(("lang", "words"), [
    ("fi", "Seuraa vuoroasi puhelimella"),
    ("sv", "Följ din tur i telefonen"),
    ("en", "Follow your turn on your phone"),
])
def test_a_phone_link_is_a_line_a_qr_code_and_the_code_after_the_display_line(
    lang: str, words: str,
) -> None:
    lines = layout(slip(lang=lang, phone=PHONE, note="Tuo paperit"))
    follow = next(i for i, line in enumerate(lines) if line.text == TEXTS[lang]["follow"])
    content = [line for line in lines[follow + 1:] if line.text or line.qr]
    said, qr, code = content[:3]
    assert (said.text, said.bold) == (words, True)
    assert (qr.qr, qr.text) == (PHONE.url, "")  # the link is in the QR code, never as text
    assert (code.text, code.size, code.whole) == (PHONE.code, "double", True)
    assert content[3].text == "Tuo paperit"
    assert not any(PHONE.url in line.text for line in lines)


def test_no_phone_link_means_no_qr_code_and_no_phone_line() -> None:
    lines = layout(slip())
    assert not any(line.qr for line in lines)
    assert TEXTS["fi"]["phone"] not in texts(slip())


def test_every_language_has_every_phrase() -> None:
    assert {lang: set(t) for lang, t in TEXTS.items()} == {lang: set(TEXTS["fi"]) for lang in TEXTS}


def test_nothing_on_the_slip_but_the_slips_own_fields_and_phrases() -> None:
    # Nothing personal: every word comes from the slip's fields or the fixed phrases.
    s = slip(lang="en")
    allowed = " ".join([s.site_name, s.number, s.service_name, s.note, *TEXTS["en"].values(),
                        *WORDS["en"].values(), "min"])
    for line in texts(s):
        for word in line.replace(":", " ").split():
            figure = word.replace("–", "").isdigit()
            assert word in allowed or figure or word in ("Nov", "9:14"), word


@pytest.mark.parametrize("bad", [
    {"lang": "de"},
    {"issued_at": datetime(2026, 11, 29, 9, 14)},
    {"ahead": -1},
])
def test_a_slip_that_cannot_be_printed_is_refused_when_made(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        slip(**bad)


def test_the_layout_module_imports_no_printer_library() -> None:
    tree = ast.parse(Path(slip_module.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {node.module for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module} - {None}
    # The wait's words are shared with the screens; they come from the pure core.
    assert imported - {"firmware", "firmware.core.wait_words"} <= {
        "__future__", "dataclasses", "datetime", "typing"}
