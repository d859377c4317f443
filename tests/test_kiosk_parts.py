"""The kiosk's parts one by one: every screen's contrast and target sizes, what speech says,
the scanner's parser on any bytes, the ticket cap, the refusals, the technician PIN and its
guard, the printer alert, the fault printer, and the `[devices.kiosk]` config."""

from __future__ import annotations

import dataclasses
import itertools
import os
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import pytest
from hypothesis import given
from hypothesis import strategies as st

from display_driver import theme
from display_driver.layout import focusable
from firmware.core.ticket_rate import TicketRate
from firmware.kiosk import lockdown as kiosk_lockdown
from firmware.kiosk.faults import led_state
from firmware.kiosk.lockdown import PinAnswer, PinGuard, hash_pin, is_chord, verify_pin
from firmware.kiosk.role import min_target_px
from firmware.kiosk.scanner import CODE, ScanParser
from firmware.kiosk.screen import (
    KioskTicket,
    KioskView,
    layout_kiosk,
    refusal_text,
)
from firmware.kiosk.speech import chunks, screen_text
from firmware.kiosk.texts import LANG_NAMES, TEXTS, text, wait_words
from firmware.screenshots.samples import KIOSK_SERVICES, NOW
from firmware.site_config import ConfigError, parse_site_config
from firmware.site_model import LANGS
from ticket_printer.connection import TicketPrinter
from ticket_printer.decode import decode_ticket
from ticket_printer.fault_printer import FaultPrinter
from ticket_printer.slip import TicketSlip
from ticket_printer.status import PrinterState

ROOT = Path(__file__).resolve().parent.parent
# (screen size, diagonal in inches): the 15.6" landscape default, the same panel in
# portrait, and a small 10.1" 1280x800 panel where 12 mm is more pixels than 88.
PANELS = (((1920, 1080), 15.6), ((1080, 1920), 15.6), ((1280, 800), 10.1))


def every_view(target: int = 88) -> list[KioskView]:
    base = KioskView("Suomi-piste Kallio", KIOSK_SERVICES, "start", None, "", now=NOW,
                     min_target_px=target)
    ticket = KioskTicket("K043", "Kela", 6, 25, appointment_at="10.30", again=True)
    phases = [
        base,
        dataclasses.replace(base, phase="code", code="AB12"),
        dataclasses.replace(base, phase="code"),
        dataclasses.replace(base, phase="pin", code="12", message="x"),
        dataclasses.replace(base, phase="issuing"),
        dataclasses.replace(base, phase="ticket", ticket=ticket),
        dataclasses.replace(base, phase="ticket", ticket=dataclasses.replace(ticket,
                                                                            printing=True)),
        dataclasses.replace(base, phase="ticket", ticket=dataclasses.replace(
            ticket, printed=False)),
        dataclasses.replace(base, phase="refused", notice="unknown", checkin_minutes=(120, 30)),
        dataclasses.replace(base, phase="refused", notice="busy", retry_after_s=40),
        dataclasses.replace(base, phase="refused", notice="attempts", retry_after_s=59),
        dataclasses.replace(base, phase="refused", notice="forbidden"),
        dataclasses.replace(base, phase="pin", message=text(
            "sv", "pin_locked", wait=wait_words("sv", 900))),
        dataclasses.replace(base, phase="limit"),
        dataclasses.replace(base, phase="error"),
        dataclasses.replace(base, phase="ticket", ticket=ticket, seconds_left=9),
    ]
    return [dataclasses.replace(v, lang=lang, large=large, focus=focus)
            for v in phases for lang in LANGS for large in (False, True) for focus in (None, 0)]


@pytest.mark.parametrize(("size", "diagonal"), PANELS)
def test_every_text_on_every_screen_is_at_least_7_to_1(size, diagonal) -> None:
    for view in every_view(min_target_px(diagonal, size)):
        for item in layout_kiosk(view, size).plan.texts:
            assert theme.contrast_ratio(item.fg, item.bg) >= 7.0, (view.phase, item)


@pytest.mark.parametrize(("size", "diagonal"), PANELS)
def test_every_touch_target_is_at_least_12_mm_and_on_screen(size, diagonal) -> None:
    mm_per_px = diagonal * 25.4 / (size[0] ** 2 + size[1] ** 2) ** 0.5
    target = min_target_px(diagonal, size)
    for view in every_view(target):
        layout = layout_kiosk(view, size)
        for b in layout.buttons:
            assert min(b.rect.size) * mm_per_px >= 12.0, (view.phase, b.label, b.rect)
            assert b.rect.left >= 0 and b.rect.right <= size[0], (view.phase, b.label)
            assert b.rect.top >= 0 and b.rect.bottom <= size[1], (view.phase, b.label)
        for item in layout.plan.texts:
            assert item.rect.right <= size[0] and item.rect.bottom <= size[1], item


def test_language_buttons_are_labelled_in_their_own_language() -> None:
    assert LANG_NAMES == {"fi": "Suomi", "sv": "Svenska", "en": "English"}
    for lang in LANGS:
        view = KioskView("S", KIOSK_SERVICES, "start", None, "", lang=lang, now=NOW)
        labels = [b.label for b in layout_kiosk(view, (1920, 1080)).buttons
                  if b.action == "lang"]
        assert labels == ["Suomi", "Svenska", "English"]


def test_every_language_has_every_text() -> None:
    for lang in LANGS:
        assert set(TEXTS[lang]) == set(TEXTS["fi"]), lang


def test_the_keys_move_top_to_bottom_and_only_through_live_buttons() -> None:
    view = KioskView("S", KIOSK_SERVICES, "start", None, "", now=NOW)
    order = [(b.action, b.arg or b.service_id) for b in focusable(
        layout_kiosk(view, (1920, 1080)).buttons)]
    assert order == [("lang", "fi"), ("lang", "sv"), ("lang", "en"), ("issue", "kela"),
                     ("issue", "vero"), ("appointment", None), ("large", None),
                     ("speech", None), ("help", None)]


def test_the_large_text_mode_is_larger() -> None:
    def title_size(large: bool) -> int:
        view = KioskView("S", KIOSK_SERVICES, "start", None, "", now=NOW, large=large)
        return next(t.size for t in layout_kiosk(view, (1920, 1080)).plan.texts
                    if t.role == "title")

    assert title_size(True) >= 1.25 * title_size(False)


# -- speech ---------------------------------------------------------------------------------


def test_speech_reads_the_screen_in_its_language_and_spells_the_number() -> None:
    view = KioskView("S", KIOSK_SERVICES, "ticket", KioskTicket("K043", "Kela", 6, 25), "",
                     lang="sv", now=NOW)
    words = screen_text(view, layout_kiosk(view, (1920, 1080)).buttons)
    assert "Ditt könummer är K, 0, 4, 3." in words
    assert "Före dig i kön: 6" in words and "Uppskattad väntetid 17–36 min" in words


def test_speech_names_closed_authorities_and_their_opening() -> None:
    view = KioskView("S", KIOSK_SERVICES, "start", None, "", now=NOW)
    words = screen_text(view, layout_kiosk(view, (1920, 1080)).buttons)
    assert "Avoinna nyt: Kela, Verohallinto." in words
    assert "Maahanmuuttovirasto, Avautuu tänään 12.00" in words


def test_speech_never_reads_back_a_typed_code() -> None:
    view = KioskView("S", KIOSK_SERVICES, "code", None, "", now=NOW, code="AB12CD34")
    words = screen_text(view, layout_kiosk(view, (1920, 1080)).buttons)
    assert "AB12" not in words and "8 merkkiä" in words


def test_long_screens_are_cut_at_sentences_into_what_the_speaker_takes() -> None:
    pieces = chunks(" ".join(f"Lause numero {i} on tässä." for i in range(40)))
    assert len(pieces) <= 3 and all(len(p) <= 400 for p in pieces)
    assert all(p.endswith(".") for p in pieces)


# -- scanner --------------------------------------------------------------------------------


@given(st.binary(max_size=400), st.integers(min_value=1, max_value=50))
def test_the_scanner_parser_takes_any_bytes_and_yields_only_codes(data: bytes,
                                                                  cut: int) -> None:
    whole = ScanParser().feed(data)
    assert all(CODE.fullmatch(code) for code in whole)
    pieces = ScanParser()
    split = [c for i in range(0, len(data), cut) for c in pieces.feed(data[i:i + cut])]
    assert split == whole  # a frame cut over reads is the same frame


@given(st.binary(max_size=100).filter(lambda b: b"\r" not in b and b"\n" not in b
                                      and b"\t" not in b),
       st.from_regex(r"[A-Za-z0-9]{4,16}", fullmatch=True))
def test_a_code_after_noise_is_still_read(noise: bytes, code: str) -> None:
    assert ScanParser().feed(noise + b"\r\n" + code.encode() + b"\r\n")[-1] == code.upper()


def test_an_endless_frame_is_dropped_whole() -> None:
    parser = ScanParser()
    assert parser.feed(b"A" * 1000) == []
    assert parser.feed(b"BCDE\rABCD\r") == ["ABCD"]


# -- cap, PIN, alerts -----------------------------------------------------------------------


def test_the_ticket_cap_slides_over_a_minute() -> None:
    rate = TicketRate(3)
    for t in (0.0, 10.0, 20.0):
        assert rate.allows(t)
        rate.record(t)
    assert not rate.allows(30.0) and rate.wait_s(30.0) == pytest.approx(30.0)
    assert rate.allows(60.0)


def test_the_pin_is_checked_against_its_hash_only() -> None:
    stored = hash_pin("246813", rounds=1000)
    assert "246813" not in stored
    assert verify_pin("246813", stored) and not verify_pin("246814", stored)
    assert not verify_pin("246813", "") and not verify_pin("246813", "md5$1$00$00")


class CountingCheck:
    """A stand-in for the slow hash that counts how often a PIN was really checked."""

    def __init__(self, right: str = "") -> None:
        self.right = right
        self.checked: list[float] = []
        self.now = 0.0

    def __call__(self, pin: str, stored: str) -> bool:
        self.checked.append(self.now)
        return pin == self.right


def try_at(guard: PinGuard, check: CountingCheck, pin: str, now: float) -> PinAnswer:
    check.now = now
    return guard.try_pin(pin, "stored", now, verify=check)


def test_each_wrong_pin_doubles_the_wait_and_the_fifth_locks_for_15_minutes() -> None:
    guard, check = PinGuard(), CountingCheck(right="135790")
    now = 0.0
    for wait in (1.0, 2.0, 4.0, 8.0):
        assert try_at(guard, check, "000000", now) is PinAnswer.WRONG
        assert guard.wait_s(now) == wait
        # During the wait even the right PIN is not checked (nor counted).
        assert try_at(guard, check, "135790", now + wait - 0.01) is PinAnswer.WAIT
        now += wait
    assert try_at(guard, check, "000000", now) is PinAnswer.WRONG
    assert guard.locked_out(now) and guard.wait_s(now) == 15 * 60
    assert len(check.checked) == 5
    for later in (1.0, 60.0, 14 * 60.0, 15 * 60 - 0.5):
        assert try_at(guard, check, "135790", now + later) is PinAnswer.LOCKED
    assert len(check.checked) == 5  # nothing was checked during the lockout
    assert (guard.failed_total, guard.lockouts) == (5, 1)
    # After the lockout: the right PIN opens, and the count starts afresh.
    assert try_at(guard, check, "135790", now + 15 * 60) is PinAnswer.OK
    assert guard.failures == 0 and guard.wait_s(now + 15 * 60) == 0


def test_after_a_lockout_the_delays_start_again_from_one_second() -> None:
    guard, check = PinGuard(), CountingCheck()
    now = 0.0
    for _ in range(5):
        now += guard.wait_s(now)
        try_at(guard, check, "000000", now)
    now += guard.wait_s(now)
    assert try_at(guard, check, "000000", now) is PinAnswer.WRONG
    assert guard.wait_s(now) == 1.0 and not guard.locked_out(now)
    assert guard.failed_total == 6


def test_a_pin_shorter_than_six_digits_is_never_checked() -> None:
    # A hash made from an old 4-digit PIN: that PIN no longer opens the kiosk.
    guard, check = PinGuard(), CountingCheck(right="2468")
    for pin in ("", "2468", "24681"):
        assert try_at(guard, check, pin, 0.0) is PinAnswer.TOO_SHORT
    assert check.checked == [] and guard.failures == 0 and guard.wait_s(0.0) == 0
    assert kiosk_lockdown.PIN_MIN == 6


# A guesser who may wait exactly as long as the screen says (the fastest way through), or
# any time at all, short or long, and may type a PIN too short to be checked.
GAPS = st.floats(min_value=0, max_value=30) | st.floats(min_value=0, max_value=2000)


@given(st.lists(st.tuples(st.booleans(), GAPS, st.booleans()), max_size=60))
def test_no_sequence_of_tries_gets_more_pins_checked_than_the_rules_allow(
        steps: list[tuple[bool, float, bool]]) -> None:
    guard, check = PinGuard(), CountingCheck(right="")  # no PIN is right: a guesser
    now = 0.0
    for waits_as_told, gap, long_enough in steps:
        now += (guard.wait_s(now) if waits_as_told else 0.0) + gap
        try_at(guard, check, "123456" if long_enough else "123", now)
    times = check.checked
    ulp = 1e-6  # seconds added up in floats: (a + 900) - a may be 899.9999999999997
    # In any 15 minutes, at most 5 PINs are checked ...
    for i, start in enumerate(times):
        assert sum(1 for t in times[i:] if t < start + kiosk_lockdown.LOCKOUT_S - ulp) <= 5
    # ... and after the k-th wrong one in a row, the next waits at least 2**(k-1) seconds.
    for k, (a, b) in enumerate(itertools.pairwise(times)):
        in_row = k % 5 + 1
        wait = kiosk_lockdown.LOCKOUT_S if in_row == 5 else 2.0 ** (in_row - 1)
        assert b - a >= wait - ulp


def test_the_pin_helper_refuses_a_short_pin(monkeypatch, capsys) -> None:
    import getpass

    answers = iter(["2468", "2468"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert kiosk_lockdown.main() == 2
    assert "6 to 12 digits" in capsys.readouterr().out
    answers = iter(["24681357", "24681357"])
    from firmware.cli.main import main as piste

    assert piste(["pin-hash"]) == 0  # the same helper as a piste command
    line = capsys.readouterr().out
    stored = line.split('"')[1]
    assert line.startswith("technician_pin_hash = ") and verify_pin("24681357", stored)


# -- refusals -------------------------------------------------------------------------------


def refused(notice: str, lang: str, **changes: object) -> str:
    view = KioskView("S", KIOSK_SERVICES, "refused", None, "", lang=lang, now=NOW,
                     notice=notice, **changes)  # type: ignore[arg-type]
    return refusal_text(view)


def test_a_refused_code_says_when_check_in_is_open_from_the_sites_rules() -> None:
    words = {lang: refused("unknown", lang, checkin_minutes=(45, 10)) for lang in LANGS}
    assert words["fi"].startswith("Tällä koodilla ei saa vuoronumeroa nyt.")
    assert "45 minuuttia ennen" in words["fi"] and "10 minuuttia sen jälkeen" in words["fi"]
    assert "45 minuter före" in words["sv"] and "10 minuter efter" in words["sv"]
    assert words["en"].startswith("This code does not give a queue number now.")
    assert "45 minutes before" in words["en"] and "10 minutes after" in words["en"]
    for lang, advisor in (("fi", "palveluneuvojalta"), ("sv", "servicerådgivaren"),
                          ("en", "service advisor")):
        assert advisor in words[lang]


def test_the_controllers_new_refusals_say_what_to_do_in_every_language() -> None:
    assert "in 40 seconds" in refused("busy", "en", retry_after_s=40)
    assert "40 sekunnin kuluttua" in refused("busy", "fi", retry_after_s=40)
    assert "om 40 sekunder" in refused("busy", "sv", retry_after_s=40)
    attempts = refused("attempts", "en", retry_after_s=30)
    assert "Too many wrong codes" in attempts and "in 30 seconds" in attempts
    assert "service advisor" in attempts
    assert "in a moment" in refused("attempts", "en")  # no wait on the wire: no number
    assert "hetken kuluttua" in refused("attempts", "fi")
    for lang in LANGS:
        assert refused("forbidden", lang) == TEXTS[lang]["refused_forbidden"]
    assert "cannot give a queue number" in refused("forbidden", "en")


def test_wait_words_never_say_one_seconds_and_round_up() -> None:
    assert wait_words("en", None) == wait_words("en", 1) == "in a moment"
    assert wait_words("en", 1.2) == "in 2 seconds"
    assert wait_words("en", 90) == "in 90 seconds"
    assert wait_words("en", 91) == "in 2 minutes"
    assert wait_words("fi", 900) == "15 minuutin kuluttua"
    assert wait_words("sv", 899.5) == "om 15 minuter"


def test_the_chord_needs_all_three_modifiers() -> None:
    assert is_chord("end", {"ctrl", "alt", "shift"})
    assert not is_chord("end", {"ctrl", "alt"}) and not is_chord("escape", {"ctrl", "alt"})


def test_the_led_shows_faults_and_a_lost_controller() -> None:
    assert led_state(PrinterState.PAPER_LOW, True) == "warning"
    assert led_state(PrinterState.OK, False) == "fault"


# -- the fault printer -------------------------------------------------------------------------

SLIP = TicketSlip("Suomi-piste", "K001", "Kela", NOW, 2, 10, "fi")


@pytest.mark.parametrize(("cue", "state", "ok", "prints"), [
    ("ok", PrinterState.OK, True, True),
    ("paper_low", PrinterState.PAPER_LOW, True, True),
    ("silent", PrinterState.UNKNOWN, True, True),
    ("cover_open", PrinterState.COVER_OPEN, False, False),  # asked first: nothing sent
    ("paper_out", PrinterState.PAPER_OUT, False, False),
    ("offline", PrinterState.OFFLINE, False, False),
    ("paper_out_mid_ticket", PrinterState.PAPER_OUT, False, False),
    ("unplugged_mid_ticket", PrinterState.OFFLINE, False, False),
])
def test_the_printer_is_asked_before_and_after(cue, state, ok, prints) -> None:
    fake = FaultPrinter(cue)
    result = TicketPrinter(fake, description="fake").print_ticket(SLIP)
    assert (result.state, result.ok) == (state, ok)
    assert (decode_ticket(bytes(fake.output)).cuts == 1) is prints


# -- config -----------------------------------------------------------------------------------


def demo_with(kiosk_table: str) -> str:
    text = (ROOT / "config" / "demo-site.toml").read_text()
    return text.replace('[devices.printer]\nkind = "file"',
                        f'[devices.kiosk]\n{kiosk_table}\n[devices.printer]\nkind = "file"', 1)


def test_the_kiosk_table_is_read() -> None:
    pin = hash_pin("1234", rounds=1000)
    config = parse_site_config(demo_with(
        f'key_up = 5\nkey_down = 6\nkey_select = 13\nkey_help = 19\nled_pin = 26\n'
        f'scanner_port = "/dev/ttyACM0"\ntickets_per_minute = 4\n'
        f'technician_pin_hash = "{pin}"'))
    kiosk = config.device("lobby-1").kiosk
    assert (kiosk.key_up, kiosk.key_help, kiosk.led_pin) == (5, 19, 26)
    assert kiosk.tickets_per_minute == 4 and kiosk.technician_pin_hash == pin


def test_kiosk_table_errors_are_named_all_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        parse_site_config(demo_with('key_up = 5\nled_pin = 5\nkey_selct = 6\n'
                                    'technician_pin_hash = "1234"'))
    message = str(err.value)
    assert "did you mean 'key_select'" in message
    assert "technician_pin_hash" in message and "1234" not in message


# -- the physical keys through gpiozero's MockFactory ------------------------------------------


def test_the_help_key_held_says_louder_then_help_and_its_release_nothing_more() -> None:
    """gpiozero's own hold thread times the hold (hold_time 1 s, repeated): louder after 1 s,
    the request for help after 2 s, nothing after that, and nothing when it comes up; a
    short press is one press, and every other key has no hold."""
    import queue

    from gpiozero.pins.mock import MockFactory

    from firmware.kiosk.keys import HOLD_S, KeyPress, PhysicalKeys
    from firmware.site_model import KioskConfig

    posted: queue.Queue[KeyPress] = queue.Queue()
    pins = MockFactory()
    keys = PhysicalKeys(KioskConfig(key_select=13, key_help=19), posted.put, pin_factory=pins)
    try:
        assert keys.buttons["help"].hold_repeat and not keys.buttons["select"].hold_repeat
        help_pin = pins.pin(19)
        help_pin.drive_low()
        assert posted.get(timeout=5) == KeyPress("help", held=True, held_s=HOLD_S)
        assert posted.get(timeout=5) == KeyPress("help", held=True, held_s=2 * HOLD_S)
        with pytest.raises(queue.Empty):  # held on: neither repeated
            posted.get(timeout=1.5 * HOLD_S)
        help_pin.drive_high()  # (MockPin calls gpiozero back at once, on this thread)
        assert posted.empty()  # the hold did its part: coming up adds nothing
        help_pin.drive_low()  # the next press is a press again
        help_pin.drive_high()
        assert posted.get(timeout=5) == KeyPress("help")
        pins.pin(13).drive_low()
        pins.pin(13).drive_high()
        assert posted.get(timeout=5) == KeyPress("select")
        assert posted.empty()
    finally:
        keys.close()
