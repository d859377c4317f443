"""A picture of a printed ticket, drawn from its ESC/POS bytes (for the README and reviews).

It draws what `decode` reads back, not what the layout meant, so the picture shows the
bytes a printer would really get. Geometry follows an 80 mm printer at 203 dpi: 576 dots
across, 48 columns of font A, characters magnified by whole numbers. A QR code is drawn
from the data read back out of its GS ( k command, at the module size the bytes ask for,
with the `qrcode` library (python-escpos's own dependency): the picture's code scans to
the same link as the printed one.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

from ticket_printer.decode import DecodedLine, DecodedQr, DecodedTicket, decode_ticket

PAPER_WIDTH = 576  # dots: 72 mm printable at 203 dpi, as in python-escpos's TM-T20II profile
MARGIN = 24
COLUMNS = 48
CELL_WIDTH = (PAPER_WIDTH - 2 * MARGIN) // COLUMNS  # 11 px per normal character
CELL_HEIGHT = 2 * CELL_WIDTH  # font A is twice as tall as wide (12 x 24 dots)
LINE_GAP = 6  # ESC/POS default line spacing leaves about a quarter of a line between lines
FONT_SIZE = 18  # DejaVu Sans Mono's advance is 0.6 em: 18 px -> 11 px per character

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {False: "DejaVuSansMono.ttf", True: "DejaVuSansMono-Bold.ttf"}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=32)
def _font(bold: bool, size: int) -> Font:
    path = FONT_DIR / FONT_FILES[bold]
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)  # a machine without DejaVu still gets a picture


def _line_image(line: DecodedLine) -> Image.Image:
    """One line in black on white, magnified like the printer does (width and height apart)."""
    font = _font(line.bold, FONT_SIZE * line.height)
    text_width = max(1, round(font.getlength(line.text)))
    height = CELL_HEIGHT * line.height
    image = Image.new("L", (text_width, height), 255)
    ImageDraw.Draw(image).text((0, height // 2), line.text, font=font, fill=0, anchor="lm")
    if line.width != line.height:
        stretched = max(1, round(text_width * line.width / line.height))
        image = image.resize((stretched, height))
    return image


_CORRECTION = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q,
               "H": ERROR_CORRECT_H}


def _qr_image(code: DecodedQr) -> Image.Image | None:
    """The symbol as the printer draws it (no quiet zone: the slip's empty lines are one);
    None when the data cannot be a QR code (too long), as the printer would print none."""
    maker = qrcode.QRCode(error_correction=_CORRECTION[code.correction], box_size=code.module,
                          border=0)
    maker.add_data(code.data)
    try:
        maker.make(fit=True)
    except (ValueError, qrcode.exceptions.DataOverflowError):
        return None
    image = maker.make_image().get_image().convert("L")
    return image if image.width <= PAPER_WIDTH else None


def _x(line: DecodedLine | DecodedQr, width: int) -> int:
    if line.align == "center":
        return (PAPER_WIDTH - width) // 2
    if line.align == "right":
        return PAPER_WIDTH - MARGIN - width
    return MARGIN


def _blocks(ticket: DecodedTicket) -> list[tuple[DecodedLine | DecodedQr, Image.Image, bool]]:
    """Everything printed, top to bottom: (what, its picture, whether it has ink)."""
    blocks: list[tuple[DecodedLine | DecodedQr, Image.Image, bool]] = []
    codes = sorted(ticket.qr_codes, key=lambda code: code.line)
    for index in range(len(ticket.lines) + 1):
        for code in codes:
            if code.line == index and (image := _qr_image(code)) is not None:
                blocks.append((code, image, True))
        if index < len(ticket.lines):
            line = ticket.lines[index]
            blocks.append((line, _line_image(line), bool(line.text)))
    return blocks


def render_preview_png(data: bytes, out_path: Path | str) -> Path:
    """Draw the ticket the bytes describe as a PNG at `out_path`; returns the path."""
    ticket = decode_ticket(data)
    blocks = _blocks(ticket)
    height = MARGIN + sum(im.height + LINE_GAP for _, im, _ in blocks) + MARGIN
    paper = Image.new("L", (PAPER_WIDTH, height), 255)
    y = MARGIN
    for what, im, inked in blocks:
        if inked:
            paper.paste(im, (_x(what, im.width), y))
        y += im.height + LINE_GAP
    if ticket.cuts:
        _draw_cut(paper)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    paper.save(out, format="PNG")
    return out


def _draw_cut(paper: Image.Image) -> None:
    """A dashed line where the blade cuts, so a reader sees where the slip ends."""
    draw = ImageDraw.Draw(paper)
    y = paper.height - 4
    for x in range(0, PAPER_WIDTH, 16):
        draw.line([(x, y), (x + 8, y)], fill=128, width=2)


def main(argv: list[str] | None = None) -> int:
    """`python -m ticket_printer.preview TICKET.escpos OUT.png`: the picture for the README."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("ticket", type=Path, help="raw ESC/POS bytes, e.g. from the file printer")
    parser.add_argument("out", type=Path, help="where to write the PNG")
    args = parser.parse_args(argv)
    try:
        data = args.ticket.read_bytes()
    except OSError as exc:
        print(f"{args.ticket}: cannot read it ({exc.strerror or exc}); nothing was drawn",
              file=sys.stderr)
        return 2
    if args.out.is_dir():
        print(f"{args.out} is a directory; give the PNG file to write, e.g. "
              f"{args.out / 'ticket.png'}", file=sys.stderr)
        return 2
    try:
        print(render_preview_png(data, args.out))
    except OSError as exc:
        print(f"{args.out}: cannot write the picture ({exc.strerror or exc})", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
