"""A slip's lines -> ESC/POS commands, through python-escpos, onto any transport.

Everything is sent as text in the printer's own font (character-size commands, never a
raster image): text prints fast, stays sharp and is a few hundred bytes instead of tens of
kilobytes over a slow serial line. A QR code, likewise, is the printer's own QR command
(GS ( k: the URL's bytes, the printer draws the symbol); a printer whose profile has no QR
command gets no QR code at all, not a raster image of one: the code under it does the job.
"""

from __future__ import annotations

import textwrap

from escpos.constants import QR_ECLEVEL_M
from escpos.escpos import Escpos

from ticket_printer.slip import SlipLine, TicketSlip, layout

# Code pages with ä ö å Ä Ö Å, best first. CP858 is CP850 with € in place of dotless ı;
# both put ä=0x84 ö=0x94 å=0x86 Ä=0x8E Ö=0x99 Å=0x8F. CP850 is the fallback because almost
# every ESC/POS printer has it (as table 2), while CP858's table number varies by maker.
CODE_PAGES: tuple[str, ...] = ("CP858", "CP850")

# Character magnification (width = height) per layout size. "huge" shrinks if the text would
# not fit on one line: a number split over two lines is worse than a smaller one.
MAGNIFICATION = {"normal": 1, "double": 2, "huge": 6}

# Typography that the code page lacks but has a plain equivalent; anything else unprintable
# becomes "?" (python-escpos's default symbol) rather than a code-page switch mid-line.
_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"',
                        "…": "...", "\u00a0": " "})

# The QR code: 6 dots a module (0.75 mm at 203 dpi) makes a link of ~50 characters a
# 25 mm square, easy for an old phone's camera; level M survives a crease or a smudge.
QR_MODULE_DOTS = 6
QR_ERROR_CORRECTION = QR_ECLEVEL_M

FEED_LINES_BEFORE_CUT = 6  # python-escpos's cut() feeds this much so the text clears the blade


def pick_code_page(printer: Escpos) -> str:
    """The first of CODE_PAGES that the printer's profile lists; a clear error if none."""
    supported = printer.profile.get_code_pages()
    for name in CODE_PAGES:
        if name in supported:
            return name
    profile = printer.profile.profile_data.get("name", "?")
    raise ValueError(
        f"printer profile {profile!r} has none of the code pages {', '.join(CODE_PAGES)}; "
        "choose a profile for the real printer model (python-escpos capabilities)"
    )


def columns(printer: Escpos) -> int:
    """Characters per line in font A at normal size (48 on an 80 mm printer)."""
    return printer.profile.get_columns("a")


def prints_qr(printer: Escpos) -> bool:
    """Whether the printer's profile says it has the QR command (python-escpos capabilities)."""
    return bool(printer.profile.supports("qrCode"))


def magnification(line: SlipLine, width_cols: int) -> int:
    size = MAGNIFICATION[line.size]
    if line.size == "huge" and line.text:
        size = max(2, min(size, width_cols // len(line.text)))
    elif line.whole and line.text:
        size = max(1, min(size, width_cols // len(line.text)))
    return size


def print_slip(printer: Escpos, slip: TicketSlip) -> None:
    """Send one slip to the printer: init, code page, the lines as text, feed and cut."""
    # ESC @ resets the printer, including its code page to table 0. python-escpos's encoder
    # does not know that and would skip the ESC t it thinks was already sent (on the second
    # ticket through the same printer object), so tell it the page is unknown, then force ours.
    printer.hw("INIT")
    printer.magic.encoding = None
    printer.charcode(pick_code_page(printer))
    cols = columns(printer)
    qr = prints_qr(printer)
    for line in layout(slip):
        if line.qr:
            if qr:
                # The printer leaves no quiet zone around the symbol (the QR standard wants 4
                # modules, 24 dots): an empty line above and below gives it one.
                printer.set(align="center", bold=False, custom_size=True, width=1, height=1)
                printer.textln("")
                printer.qr(line.qr, ec=QR_ERROR_CORRECTION, size=QR_MODULE_DOTS, native=True)
                printer.textln("")
            continue
        size = magnification(line, cols)
        printer.set(align=line.align, bold=line.bold, custom_size=True, width=size, height=size)
        text = line.text.translate(_PLAIN)
        # Wrap at word boundaries ourselves: the printer would break in the middle of a word.
        for piece in textwrap.wrap(text, max(1, cols // size)) or [""]:
            printer.textln(piece)
    printer.set(align="left", bold=False, custom_size=True, width=1, height=1)
    printer.cut()  # feeds FEED_LINES_BEFORE_CUT lines, then GS V 0 (full cut)
