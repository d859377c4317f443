"""The ticket preview: a PNG drawn from the bytes a printer would get."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from escpos.printer import Dummy
from PIL import Image

from ticket_printer.escpos_render import QR_MODULE_DOTS, print_slip
from ticket_printer.preview import PAPER_WIDTH, render_preview_png
from ticket_printer.slip import PhoneLink, TicketSlip

SLIP = TicketSlip("Suomi-piste Äänekoski", "K042", "Digi- ja väestötietovirasto",
                  datetime(2026, 11, 29, 9, 14, tzinfo=ZoneInfo("Europe/Helsinki")), 3, 12, "fi",
                  note="Ota mukaan henkilöllisyystodistus")


def ticket_bytes(slip: TicketSlip = SLIP) -> bytes:
    printer = Dummy(profile="TM-T20II")
    print_slip(printer, slip)
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


def test_a_qr_code_is_drawn_as_its_modules_in_a_square_of_ink(tmp_path: Path) -> None:
    phone = PhoneLink("https://jono.example.fi/t/Qx7_k2Lm9PzR-4vTa8Yc0w", "7KQ2-M9XD-PW4R-H8TZ")
    plain = render_preview_png(ticket_bytes(), tmp_path / "plain.png")
    with_qr = render_preview_png(ticket_bytes(dataclasses.replace(SLIP, phone=phone)),
                                 tmp_path / "qr.png")
    with Image.open(plain) as a, Image.open(with_qr) as b:
        grown = b.height - a.height
        assert b.width == a.width == PAPER_WIDTH
        assert 150 < grown < 400  # a symbol of 6-dot modules, its line and code: ~25 mm
        # A QR code's finder patterns: rows with two black runs of exactly 7 modules (42 dots,
        # the top and bottom edges of the two upper squares), which no text line draws.
        gray = b.convert("L")
        finder_rows = [y for y in range(gray.height)
                       if _black_runs(gray, y).count(7 * QR_MODULE_DOTS) >= 2]
        assert finder_rows and not [y for y in range(a.height)
                                    if _black_runs(a.convert("L"), y).count(42) >= 2]
        assert min(finder_rows) > gray.height // 2  # under the number and the queue lines


def _black_runs(gray: Image.Image, y: int) -> list[int]:
    runs, run = [], 0
    for x in range(gray.width):
        if gray.getpixel((x, y)) < 128:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    return runs
