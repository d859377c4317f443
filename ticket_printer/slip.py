"""What a ticket slip says, as plain data: the slip and its line layout.

`layout()` is a pure function of the slip: no printer, no clock, no locale settings. The
ESC/POS renderer, the PNG preview and the tests all start from the same lines. Nothing
personal is ever on a slip: a number, an authority, a time and the queue, nothing else.
When the site lets customers follow their turn on a phone, the slip also carries the link to
its page as a QR code and the same ticket's short code for those who type it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from firmware.core.wait_words import span_of, wait_line

Size = Literal["normal", "double", "huge"]
Align = Literal["left", "center"]

LANGS: tuple[str, ...] = ("fi", "sv", "en")

# Every printed word in one place, per language. Names of sites and authorities come from the
# site config already translated; these are only the slip's own phrases.
TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "when": "{date} klo {time}",
        "ahead": "Ennen sinua jonossa: {n}",
        "follow": "Seuraa jononäyttöä",
        "phone": "Seuraa vuoroasi puhelimella",
        "footer": "Lipussa ei ole henkilötietoja.",
    },
    "sv": {
        "when": "{date} kl. {time}",
        "ahead": "Före dig i kön: {n}",
        "follow": "Följ köskärmen",
        "phone": "Följ din tur i telefonen",
        "footer": "Biljetten innehåller inga personuppgifter.",
    },
    "en": {
        "when": "{date} {time}",
        "ahead": "People ahead of you: {n}",
        "follow": "Follow the queue display",
        "phone": "Follow your turn on your phone",
        "footer": "This ticket holds no personal data.",
    },
}

# A reprint's mark, the same in every language's slip: whoever holds it (the customer, the
# advisor, a clerk comparing two slips) reads it in their own language.
COPY_MARK = "KOPIO · KOPIA · COPY"

# English month names written out here, not taken from the C locale: the Pi's locale is
# whatever the image shipped with, and a slip must not change with it.
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class PhoneLink:
    """The ticket's own page: the URL for the QR code and the short code to type instead.

    Both are secrets of this one ticket (whoever holds them sees its place in the queue):
    printed, never logged."""

    url: str  # base_url + token, e.g. "https://jono.example.fi/t/3q2-..."
    code: str  # "7KQ2-M9XD-PW4R-H8TZ"

    def __repr__(self) -> str:  # a slip in a log line or a traceback must not show them
        return "PhoneLink(...)"


@dataclass(frozen=True)
class TicketSlip:
    site_name: str
    number: str  # e.g. "K042"
    service_name: str  # already in the customer's language
    issued_at: datetime  # aware; printed in its own time zone (the site's)
    ahead: int
    eta_minutes: int | None
    lang: str  # one of LANGS
    note: str = ""
    eta_range: tuple[int, int] | None = None  # the controller's range; else from the minutes
    copy: bool = False  # a reprint (ticket/reprint): marked, the number the same
    phone: PhoneLink | None = None  # the page to follow the turn on; None: none on this slip

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"slip language {self.lang!r}: expected one of {', '.join(LANGS)}")
        if self.issued_at.tzinfo is None:
            raise ValueError(f"slip {self.number}: issued_at must carry a time zone")
        if self.ahead < 0:
            raise ValueError(f"slip {self.number}: ahead must be >= 0, not {self.ahead}")


@dataclass(frozen=True)
class SlipLine:
    text: str
    size: Size = "normal"
    align: Align = "center"
    bold: bool = False
    # Shrink rather than wrap when the line is too wide at its size: a code broken over two
    # lines gets mistyped.
    whole: bool = False
    # A QR code of this data in place of text, on a printer that can print one; a printer
    # that cannot leaves the line out (the code under it still says where to go).
    qr: str = field(default="", repr=False)  # the ticket's secret link: kept out of logs


BLANK = SlipLine("")


def format_issued(at: datetime, lang: str) -> str:
    """Date and time the way the language writes them: 29.11.2026 klo 9.14 / 29 Nov 2026 9:14."""
    if lang == "en":
        date = f"{at.day} {_EN_MONTHS[at.month - 1]} {at.year}"
        time = f"{at.hour}:{at.minute:02d}"
    else:
        date = f"{at.day}.{at.month}.{at.year}"
        time = f"{at.hour}.{at.minute:02d}"
    return TEXTS[lang]["when"].format(date=date, time=time)


def layout(slip: TicketSlip) -> list[SlipLine]:
    """The slip's lines, top to bottom. Blank lines are spacing, not content."""
    t = TEXTS[slip.lang]
    # A copy says so above the number and again under it: a torn-off half still shows it.
    mark = [SlipLine(COPY_MARK, size="double", bold=True), BLANK] if slip.copy else []
    lines = [
        SlipLine(slip.site_name, bold=True),
        BLANK,
        *mark,
        SlipLine(slip.number, size="huge", bold=True),
        BLANK,
        SlipLine(slip.service_name, size="double", bold=True),
        SlipLine(format_issued(slip.issued_at, slip.lang)),
        BLANK,
    ]
    # The same words and range as the kiosk's screen and the lobby display: "you are next"
    # with nobody ahead, else the count and "Arvioitu odotus 16–34 min".
    if slip.ahead > 0:
        lines.append(SlipLine(t["ahead"].format(n=slip.ahead), align="left"))
    wait = wait_line(slip.ahead, span_of(slip.eta_range, slip.eta_minutes), slip.lang)
    if wait:
        lines.append(SlipLine(wait, align="left"))
    lines += [BLANK, SlipLine(t["follow"], bold=True)]
    if slip.phone:
        # The QR code for a phone's camera, and under it the same page as a code to type.
        lines += [BLANK, SlipLine(t["phone"], bold=True), SlipLine("", qr=slip.phone.url),
                  SlipLine(slip.phone.code, size="double", bold=True, whole=True)]
    if slip.note:
        lines += [BLANK, SlipLine(slip.note)]
    if slip.copy:
        lines += [BLANK, SlipLine(COPY_MARK, bold=True)]
    lines += [BLANK, SlipLine(t["footer"])]
    return lines
