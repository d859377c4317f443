"""The decoder reads what printers meet, and survives what they should never meet."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy
from hypothesis import given, provisional, settings
from hypothesis import strategies as st

from ticket_printer.decode import decode_escpos, decode_ticket
from ticket_printer.escpos_render import print_slip
from ticket_printer.slip import PhoneLink, TicketSlip

ESC, GS = b"\x1b", b"\x1d"
MORNING = datetime(2026, 11, 29, 9, 14, tzinfo=ZoneInfo("Europe/Helsinki"))


def test_text_lines_with_size_bold_and_alignment() -> None:
    data = (ESC + b"@" + ESC + b"a\x01" + ESC + b"E\x01" + GS + b"!\x11" + b"K042\n"
            + GS + b"!\x00" + ESC + b"E\x00" + ESC + b"a\x00" + b"plain\n")
    first, second = decode_escpos(data)
    assert (first.text, first.width, first.height, first.bold, first.align) == (
        "K042", 2, 2, True, "center")
    assert (second.text, second.size, second.bold, second.align) == ("plain", 1, False, "left")


def test_esc_bang_sets_double_sizes_and_emphasis() -> None:
    (line,) = decode_escpos(ESC + b"!\x38" + b"big\n")
    assert (line.width, line.height, line.bold) == (2, 2, True)


def test_the_selected_code_page_decodes_the_text() -> None:
    ticket = decode_ticket(ESC + b"t\x13" + "Åbo Väestö".encode("cp858") + b"\n")
    assert ticket.code_page == 19 and ticket.text == "Åbo Väestö"
    # CP850 (table 2) and CP858 differ only at 0xD5: ı there, € here.
    assert decode_ticket(ESC + b"t\x02" + b"\xd5\n").text == "ı"
    assert decode_ticket(ESC + b"t\x13" + b"\xd5\n").text == "€"


def test_images_are_counted_and_their_data_is_not_text() -> None:
    raster = GS + b"v0\x00" + b"\x02\x00\x02\x00" + b"ABCD"  # 2 bytes x 2 rows of dots
    bit_image = ESC + b"*\x00\x03\x00" + b"XYZ"  # 8-dot single density, 3 columns
    ticket = decode_ticket(raster + bit_image + b"after\n")
    assert ticket.images == 2
    assert ticket.text == "after"


def test_cuts_and_feeds() -> None:
    ticket = decode_ticket(b"last line" + ESC + b"d\x02" + GS + b"V\x00")
    assert [line.text for line in ticket.lines] == ["last line", "", ""]
    assert ticket.cuts == 1 and ticket.cut_at_end
    assert not decode_ticket(GS + b"VA\x03" + b"more\n").cut_at_end  # GS V 65 n: four bytes


def test_barcode_and_unknown_commands_are_stepped_over() -> None:
    data = GS + b"k\x04" + b"K042\x00" + ESC + b"\x7f" + GS + b"(k\x03\x00" + b"1C\x05" + b"ok\n"
    assert decode_ticket(data).text == "ok"


def test_a_command_cut_off_at_the_end_is_ignored() -> None:
    assert decode_ticket(b"text\n" + GS + b"v0\x00\xff\xff").text == "text"
    assert decode_ticket(b"text\n" + ESC).text == "text"


@settings(max_examples=500)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_the_decoder(data: bytes) -> None:
    ticket = decode_ticket(data)
    assert all(1 <= line.width <= 8 and 1 <= line.height <= 8 for line in ticket.lines)


# Command prefixes with random arguments find the length arithmetic's corners faster than
# plain random bytes, which rarely spell a command at all.
PREFIXES = [ESC + bytes([c]) for c in b"@!EaMtd*D(ipJ3V"] + [
    GS + bytes([c]) for c in b"!Vv(8k*/LBH"] + [b"\x10\x04", b"\x10\x14", b"\x1cp", b"\x1c!"]
CHUNKS = st.one_of(
    st.tuples(st.sampled_from(PREFIXES), st.binary(max_size=6)).map(lambda t: t[0] + t[1]),
    st.text(max_size=10).map(lambda s: s.encode("cp858", errors="replace")),
    st.just(b"\n"),
)


@settings(max_examples=500)
@given(st.lists(CHUNKS, max_size=30).map(b"".join))
def test_command_shaped_garbage_never_crashes_the_decoder(data: bytes) -> None:
    decode_ticket(data, encoding="cp850")


# -- QR codes (GS ( k, cn 49) ------------------------------------------------------------------


def qr_function(fn: int, parameters: bytes) -> bytes:
    body = b"1" + bytes([fn]) + parameters
    return GS + b"(k" + len(body).to_bytes(2, "little") + body


STORE, PRINT = 0x50, 0x51  # Epson's functions 180 and 181


def test_a_qr_code_is_read_back_as_its_data_with_its_size_and_level() -> None:
    data = (ESC + b"a\x01" + b"above\n" + qr_function(0x43, b"\x06") + qr_function(0x45, b"1")
            + qr_function(STORE, b"0https://jono.example.fi/t/abc") + qr_function(PRINT, b"0")
            + b"below\n")
    ticket = decode_ticket(data)
    (code,) = ticket.qr_codes
    assert code.text == "https://jono.example.fi/t/abc"
    assert (code.module, code.correction, code.align, code.line) == (6, "M", "center", 1)
    assert ticket.text == "above\nbelow"  # the data is not printed as text
    assert ticket.images == 0  # the printer's own command, not a picture


def test_only_a_printed_qr_code_counts_and_a_reset_forgets_the_stored_one() -> None:
    store = qr_function(STORE, b"0https://a.example/t/x")
    assert decode_ticket(store).qr_codes == []  # stored, never printed
    assert decode_ticket(qr_function(PRINT, b"0")).qr_codes == []  # nothing stored
    assert decode_ticket(store + ESC + b"@" + qr_function(PRINT, b"0")).qr_codes == []
    twice = decode_ticket(store + qr_function(PRINT, b"0") + qr_function(PRINT, b"0"))
    assert [code.text for code in twice.qr_codes] == ["https://a.example/t/x"] * 2


def test_a_qr_command_cut_off_at_the_end_prints_nothing() -> None:
    whole = qr_function(STORE, b"0https://a.example/t/x") + qr_function(PRINT, b"0")
    for cut in range(len(whole)):
        assert decode_ticket(whole[:cut]).qr_codes == []


def test_other_2d_codes_are_stepped_over() -> None:
    pdf417 = GS + b"(k\x05\x000P0AB"  # cn 48: PDF417's store data
    assert decode_ticket(pdf417 + b"ok\n").text == "ok"
    assert decode_ticket(pdf417).qr_codes == []


@settings(max_examples=200)
@given(provisional.urls())
def test_any_url_round_trips_through_python_escpos_native_qr(url: str) -> None:
    printer = Dummy(profile="TM-T20II")
    printer.qr(url, native=True, size=6, ec=QR_ECLEVEL_M)
    (code,) = decode_ticket(printer.output).qr_codes
    assert code.text == url and code.data == url.encode("utf-8")
    # and on a whole slip, among its text and size commands
    printer.clear()
    print_slip(printer, TicketSlip("Suomi-piste Åbo", "K042", "Kela", MORNING, 3, 12, "sv",
                                   phone=PhoneLink(url, "7KQ2-M9XD-PW4R-H8TZ")))
    assert [code.text for code in decode_ticket(printer.output).qr_codes] == [url]


# QR functions whose stated length (pL pH) and data disagree as they please.
QR_SHAPED = st.builds(
    lambda fn, length, tail: GS + b"(k" + length.to_bytes(2, "little") + b"1" + bytes([fn]) + tail,
    st.sampled_from([0x41, 0x43, 0x45, STORE, PRINT]), st.integers(0, 12), st.binary(max_size=8))


@settings(max_examples=500)
@given(st.lists(st.one_of(CHUNKS, QR_SHAPED), max_size=30).map(b"".join))
def test_qr_shaped_garbage_never_crashes_the_decoder(data: bytes) -> None:
    ticket = decode_ticket(data)
    assert all(0 <= code.line <= len(ticket.lines) for code in ticket.qr_codes)
