"""The decoder reads what printers meet, and survives what they should never meet."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ticket_printer.decode import decode_escpos, decode_ticket

ESC, GS = b"\x1b", b"\x1d"


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
