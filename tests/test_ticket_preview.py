"""The ticket preview: a PNG drawn from the bytes a printer would get."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from escpos.printer import Dummy
from PIL import Image

from ticket_printer.escpos_render import print_slip
from ticket_printer.preview import PAPER_WIDTH, render_preview_png
from ticket_printer.slip import TicketSlip

SLIP = TicketSlip("Suomi-piste Äänekoski", "K042", "Digi- ja väestötietovirasto",
                  datetime(2026, 11, 29, 9, 14, tzinfo=ZoneInfo("Europe/Helsinki")), 3, 12, "fi",
                  note="Ota mukaan henkilöllisyystodistus")


def ticket_bytes() -> bytes:
    printer = Dummy(profile="TM-T20II")
    print_slip(printer, SLIP)
    return printer.output


def test_the_preview_is_a_slip_of_80_mm_paper(tmp_path: Path) -> None:
    out = render_preview_png(ticket_bytes(), tmp_path / "docs" / "ticket.png")
    with Image.open(out) as image:
        assert image.format == "PNG"
        width, height = image.size
        assert width == PAPER_WIDTH == 576
        assert 500 < height < 1500  # a ticket, not a banner or a stamp
        # There is ink: the number alone blackens a good part of the top half.
        dark = sum(image.convert("L").histogram()[:128])
        assert dark > 5000


def test_the_number_is_drawn_largest(tmp_path: Path) -> None:
    # The tallest run of rows containing ink belongs to the huge number near the top.
    out = render_preview_png(ticket_bytes(), tmp_path / "ticket.png")
    with Image.open(out) as image:
        gray = image.convert("L")
        rows = [any(gray.getpixel((x, y)) < 128 for x in range(0, gray.width, 2))
                for y in range(gray.height)]
    runs, start = [], None
    for y, inked in enumerate([*rows, False]):
        if inked and start is None:
            start = y
        elif not inked and start is not None:
            runs.append((y - start, start))
            start = None
    tallest_height, tallest_top = max(runs)
    assert tallest_height > 3 * min(h for h, _ in runs)
    assert tallest_top < gray.height // 3


def test_garbage_still_gives_a_picture(tmp_path: Path) -> None:
    out = render_preview_png(b"\x1b\x1d\xff\x00garbage", tmp_path / "g.png")
    assert out.stat().st_size > 0
