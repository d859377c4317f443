"""ESC/POS bytes -> what the printer would print: lines of text with size, bold and alignment.

The tests and the PNG preview read tickets back through this instead of trusting the code
that wrote them. It understands the commands a receipt printer meets in practice and steps
over everything else by the command's length; on unknown or cut-off input it never raises.
A QR code printed with the printer's own command (GS ( k) is read back as its data, the way a
phone would scan it, so a test can follow the link on a printed ticket.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
LF, CR, HT, FF = 0x0A, 0x0D, 0x09, 0x0C

# ESC t n table numbers (Epson) whose Python codec we know. Others keep the caller's encoding.
CODE_PAGE_CODECS = {0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865",
                    16: "cp1252", 17: "cp866", 18: "cp852", 19: "cp858"}

# Commands by their second byte -> total length in bytes, for the fixed-length ones.
_ESC_LENGTHS = {
    **dict.fromkeys(b"@2<imLS", 2),
    **dict.fromkeys(b"!EG-MatdJe3{VrRU T=", 3),
    **dict.fromkeys(b"$\\c", 4),
    ord("p"): 5,
}
_GS_LENGTHS = {
    **dict.fromkeys(b"!Bb|HhwfarI/", 3),
    **dict.fromkeys(b"LW$\\P", 4),
}
_FS_LENGTHS = {**dict.fromkeys(b"&.", 2), **dict.fromkeys(b"!C-W", 3), **dict.fromkeys(b"Sp", 4)}


@dataclass(frozen=True)
class DecodedLine:
    text: str
    width: int = 1  # character magnification, 1..8
    height: int = 1
    bold: bool = False
    align: str = "left"  # "left", "center" or "right"

    @property
    def size(self) -> int:
        """The larger magnification: 1 normal, 2 double, more for the ticket number."""
        return max(self.width, self.height)


# GS ( k: the 2D code's type (cn) and the QR functions (fn) we read; Epson numbers them
# 165 (model), 167 (module size), 169 (error correction), 180 (store data), 181 (print).
QR = 0x31
QR_MODULE, QR_CORRECTION, QR_STORE, QR_PRINT = 0x43, 0x45, 0x50, 0x51
QR_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}


@dataclass(frozen=True)
class DecodedQr:
    """A QR code the printer would print: its data and how it is drawn."""

    data: bytes  # what a phone scanning the symbol reads
    line: int  # printed after this many of the ticket's lines (an index into `lines`)
    module: int = 3  # dots per module (GS ( k 167); the printers' default is 3
    correction: str = "L"  # L, M, Q or H (GS ( k 169)
    align: str = "left"

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass
class DecodedTicket:
    lines: list[DecodedLine] = field(default_factory=list)
    cuts: int = 0
    cut_at_end: bool = False  # a cut was the last command and nothing printable followed
    code_pages: list[int] = field(default_factory=list)  # every ESC t n, in order
    images: int = 0  # raster / bit-image / graphics commands (GS v 0, ESC *, GS ( L, ...)
    qr_codes: list[DecodedQr] = field(default_factory=list)  # in the order printed

    @property
    def code_page(self) -> int | None:
        return self.code_pages[-1] if self.code_pages else None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class _Style:
    width: int = 1
    height: int = 1
    bold: bool = False
    align: str = "left"


class _Decoder:
    def __init__(self, data: bytes, encoding: str) -> None:
        self.data = data
        self.default_codec = codecs.lookup(encoding).name
        self.codec = self.default_codec
        self.style = _Style()
        self.line_style: _Style | None = None  # the style at the line's first character
        self.chars: list[str] = []
        self.out = DecodedTicket()
        # The printer's QR settings and symbol storage area: kept until ESC @ or new data.
        self.qr_module, self.qr_correction, self.qr_data = 3, "L", b""

    def byte(self, i: int) -> int:
        return self.data[i] if i < len(self.data) else 0

    def run(self) -> DecodedTicket:
        i = 0
        while i < len(self.data):
            b = self.data[i]
            if b == ESC:
                i += self.esc(i)
            elif b == GS:
                i += self.gs(i)
            elif b == DLE:
                i += 5 if self.byte(i + 1) == 0x14 else 3  # DLE DC4 fn m t; DLE EOT/ENQ n
            elif b == FS:
                if self.byte(i + 1) == ord("p"):  # FS p n m: print an image stored in the printer
                    self.printed_image()
                i += _FS_LENGTHS.get(self.byte(i + 1), 2)
            else:
                self.character(b)
                i += 1
        if self.chars:
            self.end_line()  # an unterminated last line: the printer holds it, we show it
        return self.out

    # -- text -----------------------------------------------------------------------------

    def character(self, b: int) -> None:
        if b in (LF, FF):
            self.end_line()
        elif b == HT:
            self.put(" ")
        elif b >= 0x20 and b != 0x7F:
            self.put(bytes([b]).decode(self.codec, errors="replace"))
        # other C0 controls (CR, NUL, BEL, ...) print nothing

    def put(self, char: str) -> None:
        if self.line_style is None:
            self.line_style = _Style(**vars(self.style))
        self.chars.append(char)
        self.out.cut_at_end = False

    def end_line(self) -> None:
        style = self.line_style or self.style
        self.out.lines.append(DecodedLine("".join(self.chars), style.width, style.height,
                                          style.bold, style.align))
        self.chars, self.line_style = [], None
        self.out.cut_at_end = False

    def printed_image(self) -> None:
        self.out.images += 1
        self.out.cut_at_end = False

    # -- commands -----------------------------------------------------------------------------

    def esc(self, i: int) -> int:
        cmd, n = self.byte(i + 1), self.byte(i + 2)
        if cmd == ord("@"):
            self.style = _Style()
            self.codec = self.default_codec
            self.qr_module, self.qr_correction, self.qr_data = 3, "L", b""
        elif cmd == ord("!"):
            self.style.bold = bool(n & 0x08)
            self.style.height = 2 if n & 0x10 else 1
            self.style.width = 2 if n & 0x20 else 1
        elif cmd == ord("E"):
            self.style.bold = bool(n & 0x01)
        elif cmd == ord("a"):
            self.style.align = {0: "left", 1: "center", 2: "right"}.get(n % 48, "left")
        elif cmd == ord("t"):
            self.out.code_pages.append(n)
            self.codec = CODE_PAGE_CODECS.get(n, self.default_codec)
        elif cmd == ord("d"):
            if self.chars:
                self.end_line()
            for _ in range(n):
                self.end_line()
        elif cmd in (ord("i"), ord("m")):
            self.cut()
        elif cmd == ord("*"):  # bit image: ESC * m nL nH d1..dk
            self.printed_image()
            columns = self.byte(i + 3) + 256 * self.byte(i + 4)
            return 5 + columns * (3 if n >= 32 else 1)
        elif cmd == ord("D"):  # tab stops, NUL-terminated
            return self.until_nul(i, i + 2)
        elif cmd == ord("("):  # ESC ( X pL pH d1..dk (buzzer and the like)
            return 5 + self.byte(i + 3) + 256 * self.byte(i + 4)
        return _ESC_LENGTHS.get(cmd, 2)

    def gs(self, i: int) -> int:
        cmd, n = self.byte(i + 1), self.byte(i + 2)
        if cmd == ord("!"):
            self.style.width = ((n >> 4) & 0x07) + 1
            self.style.height = (n & 0x07) + 1
        elif cmd == ord("V"):
            self.cut()
            return 3 if n in (0, 1, 48, 49) else 4
        elif cmd == ord("v"):  # raster image: GS v 0 m xL xH yL yH d1..dk
            self.printed_image()
            width_bytes = self.byte(i + 4) + 256 * self.byte(i + 5)
            rows = self.byte(i + 6) + 256 * self.byte(i + 7)
            return 8 + width_bytes * rows
        elif cmd == ord("("):  # GS ( X pL pH d1..dk; "L" is graphics, "k" 2D codes
            size = self.byte(i + 3) + 256 * self.byte(i + 4)
            if n == ord("L"):
                self.printed_image()
            elif n == ord("k") and i + 5 + size <= len(self.data):  # a cut-off one: not sent
                self.two_d_code(self.data[i + 5:i + 5 + size])
            return 5 + size
        elif cmd == ord("8") and n == ord("L"):  # GS 8 L p1 p2 p3 p4: large graphics data
            self.printed_image()
            size = int.from_bytes(bytes(self.byte(i + k) for k in range(3, 7)), "little")
            return 7 + size
        elif cmd == ord("*"):  # define downloaded bit image: GS * x y d1..d(x*y*8)
            return 4 + n * self.byte(i + 3) * 8
        elif cmd == ord("/"):
            self.printed_image()
        elif cmd == ord("k"):  # barcode: NUL-terminated (m <= 6) or counted (m >= 65)
            if n <= 6:
                return self.until_nul(i, i + 3)
            return 4 + self.byte(i + 3)
        return _GS_LENGTHS.get(cmd, 2)

    def two_d_code(self, body: bytes) -> None:
        """GS ( k's cn fn [parameters]: the QR functions we read; other codes step over."""
        if len(body) < 3 or body[0] != QR:
            return
        fn, arg = body[1], body[2]
        if fn == QR_MODULE and 1 <= arg <= 16:
            self.qr_module = arg
        elif fn == QR_CORRECTION and arg in QR_LEVELS:
            self.qr_correction = QR_LEVELS[arg]
        elif fn == QR_STORE:
            self.qr_data = body[3:]  # after m = 48
        elif fn == QR_PRINT and self.qr_data:  # with nothing stored, the printer prints nothing
            if self.chars:
                self.end_line()
            self.out.qr_codes.append(DecodedQr(self.qr_data, len(self.out.lines),
                                               self.qr_module, self.qr_correction,
                                               self.style.align))
            self.out.cut_at_end = False

    def cut(self) -> None:
        if self.chars:
            self.end_line()
        self.out.cuts += 1
        self.out.cut_at_end = True

    def until_nul(self, command: int, start: int) -> int:
        """Length of a command at `command` whose data runs from `start` to a NUL."""
        end = self.data.find(b"\x00", start)
        return (len(self.data) if end < 0 else end + 1) - command


def decode_ticket(data: bytes, encoding: str = "cp858") -> DecodedTicket:
    """Everything the bytes would print, plus cuts, code-page changes and images.

    `encoding` is the printer's table before any ESC t (and after ESC t selects one not in
    CODE_PAGE_CODECS)."""
    return _Decoder(bytes(data), encoding).run()


def decode_escpos(data: bytes, encoding: str = "cp858") -> list[DecodedLine]:
    """The printed lines, top to bottom (blank lines and feeds included as empty text)."""
    return decode_ticket(data, encoding).lines
