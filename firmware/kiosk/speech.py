"""What the kiosk says aloud, and the voice that says it.

`screen_text()` is pure: the content of the screen as sentences in the UI language, built
from the same view and buttons the screen draws, so speech never says something the screen
does not show. Nothing personal is spoken: the typed appointment code is never read back
whole (only how many characters it has); a ticket number is spelt out character by character
so it is heard right ("K, 0, 4, 3").

`KioskVoice` wraps the project's espeak-ng `Speaker` (firmware.speech). A kiosk without it
still works; it logs once that it cannot speak.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from display_driver.layout import focusable
from firmware.core.plural import FORMATTER
from firmware.kiosk.screen import (
    Button,
    KioskView,
    help_parts,
    opening_text,
    refusal_text,
)
from firmware.kiosk.texts import text

log = logging.getLogger(__name__)

VOLUME_STEPS = (40, 60, 80, 100)

SPOKEN: dict[str, dict[str, str]] = {
    "fi": {
        "keys": "Valitse ylös- ja alas-näppäimillä ja paina valintanäppäintä. "
        "Apu-näppäin lukee näytön uudelleen.",
        "open": "Avoinna nyt: {names}.",
        "closed_list": "Suljettu: {names}.",
        "typed": "Kirjoitettu {n:#merkki|merkkiä}.",
        "selected": "{label}, valittu",
        "volume": "Äänenvoimakkuus {n}",
        "disabled": "{label}. Ei valittavissa nyt.",
        "number": "Vuoronumerosi on {number}.",
    },
    "sv": {
        "keys": "Välj med upp- och nedknapparna och tryck på valknappen. "
        "Hjälpknappen läser skärmen igen.",
        "open": "Öppet nu: {names}.",
        "closed_list": "Stängt: {names}.",
        "typed": "{n:#tecken skrivet|tecken skrivna}.",
        "selected": "{label}, vald",
        "volume": "Volym {n}",
        "disabled": "{label}. Kan inte väljas nu.",
        "number": "Ditt könummer är {number}.",
    },
    "en": {
        "keys": "Choose with the up and down keys and press the select key. "
        "The help key reads the screen again.",
        "open": "Open now: {names}.",
        "closed_list": "Closed: {names}.",
        "typed": "{n:#character|characters} typed.",
        "selected": "{label}, selected",
        "volume": "Volume {n}",
        "disabled": "{label}. Not available now.",
        "number": "Your queue number is {number}.",
    },
}


def said(lang: str, key: str, **values: object) -> str:
    return FORMATTER.format(SPOKEN.get(lang, SPOKEN["fi"])[key], **values)


def spell(number: str) -> str:
    """"K043" -> "K, 0, 4, 3": heard one by one, as on the display."""
    return ", ".join(number)


def start_words(view: KioskView, buttons: list[Button]) -> list[str]:
    """The start screen's sentences: the heading, which page of how many (when the list
    turns pages), the authorities on screen, the page turns, the other ways in."""
    lang = view.lang
    t = lambda key, **v: text(lang, key, **v)  # noqa: E731
    parts: list[str] = []
    parts += [t("choose") + ".", t("choose_hint")]
    # The authorities of the page on screen, and which page of how many: a customer
    # who listens hears that there are more and how to reach them.
    turns = [b for b in buttons if b.action == "page"]
    shown = {b.service_id for b in buttons if b.action == "issue"}
    services = [s for s in view.services if s.id in shown] if turns else view.services
    if turns:
        pages = int(turns[0].arg.partition("/")[2])
        page = min(max(view.page, 0), pages - 1)
        parts.append(t("page", page=page + 1, pages=pages) + ".")
    open_names = [s.name for s in services if s.open]
    closed = [s.name + ", " + (opening_text(s.next_open, lang, view.now)
                               if s.next_open else t("closed"))
              for s in services if not s.open]
    if open_names:
        parts.append(said(lang, "open", names=", ".join(open_names)))
    if closed:
        parts.append(said(lang, "closed_list", names="; ".join(closed)))
    parts += [label.rstrip(".") + "." for label in
              (b.label for b in turns if b.enabled)]
    parts += [t("appointment") + ".", t("help") + ".", t("advisor") + "."]
    return parts


def screen_text(view: KioskView, buttons: list[Button]) -> str:
    """The screen read aloud, top to bottom, in the view's language."""
    lang = view.lang
    t = lambda key, **v: text(lang, key, **v)  # noqa: E731
    parts: list[str] = []
    if view.seconds_left is not None and view.phase not in ("error", "starting"):
        return " ".join([t("warning"), t("warning_hint", n=view.seconds_left),
                         t("more_time") + "."])
    if view.phase == "start":
        parts += start_words(view, buttons)
    elif view.phase in ("code", "pin"):
        parts += [t("code_title" if view.phase == "code" else "pin_title") + "."]
        if view.phase == "code":
            parts.append(t("code_hint"))
        parts.append(said(lang, "typed", n=len(view.code)))
    elif view.phase == "issuing":
        parts += [t("issuing"), t("issuing_hint")]
    elif view.phase == "ticket" and view.ticket is not None:
        ticket = view.ticket
        parts += [said(lang, "number", number=spell(ticket.number)), ticket.service_name + "."]
        if ticket.appointment_at:
            parts.append(t("appointment_at", time=ticket.appointment_at) + ".")
        if ticket.again:
            parts.append(t("again"))
        wait = ticket.wait_line(view.lang)
        if ticket.ahead:
            parts.append(t("ahead", n=ticket.ahead) + ".")
        if wait:
            parts.append(wait + ".")
        parts.append(t("printing") if ticket.printing else
                     t("take_ticket") + "." if ticket.printed else t("not_printed"))
    elif view.phase == "refused":
        parts += [refusal_text(view), t("advisor") + "."]
    elif view.phase == "limit":
        parts += [t("limit"), t("limit_hint")]
    elif view.phase == "starting":
        parts += [t("starting"), t("starting_hint")]
    elif view.phase == "help":
        parts += [part for part in help_parts(view) if part]
    else:  # the out-of-order screen says it in every language; speech in the UI language
        parts += [t("error"), t("error_hint")]
        return " ".join(parts)
    if focusable(buttons):
        parts.append(said(lang, "keys"))
    return " ".join(parts)


CHUNK_CHARS = 380  # the speaker takes at most 400 characters per utterance
MAX_CHUNKS = 3  # ... and keeps at most 3 waiting: more would drop the start of the screen


def chunks(words: str) -> list[str]:
    """`words` cut at sentence ends into at most MAX_CHUNKS pieces the speaker accepts."""
    pieces: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(words.split())):
        if pieces and len(pieces[-1]) + 1 + len(sentence) <= CHUNK_CHARS:
            pieces[-1] += " " + sentence
        else:
            pieces.append(sentence[:CHUNK_CHARS])
    return pieces[:MAX_CHUNKS]


class KioskVoice:
    """The kiosk's use of the speaker: on/off per customer, volume steps, interruptible."""

    def __init__(self, start_volume: int, speaker: Any = None) -> None:
        self.start_volume = start_volume
        self.volume = start_volume
        self.enabled = False
        self._speaker = speaker
        self._opened = speaker is not None
        self.problem = ""

    def _get(self) -> Any:
        if not self._opened:
            self._opened = True
            try:
                from firmware.speech import Speaker  # another engineer's module (espeak-ng)
            except ImportError:
                self.problem = "speech output is not installed (firmware.speech)"
                log.warning("kiosk: %s", self.problem)
                return None
            self._speaker = Speaker.open(volume=self.volume)
            if not self._speaker.available:
                self.problem = self._speaker.problem
                log.warning("kiosk speech unavailable: %s", self.problem)
        return self._speaker

    @property
    def spoken(self) -> list[tuple[str, str]]:
        speaker = self._get()
        return list(getattr(speaker, "spoken", []))

    def say(self, words: str, lang: str, *, interrupt: bool = True) -> None:
        """Say `words` if speech is on (a new screen interrupts what is being said)."""
        if not self.enabled or not words:
            return
        speaker = self._get()
        if speaker is None:
            return
        for i, chunk in enumerate(chunks(words)):
            speaker.say(chunk, lang, interrupt=interrupt and i == 0)

    def step_volume(self) -> int:
        """One step louder; after the loudest, back to the quietest."""
        louder = [v for v in VOLUME_STEPS if v > self.volume]
        self.volume = louder[0] if louder else VOLUME_STEPS[0]
        speaker = self._get()
        if speaker is not None:
            speaker.set_volume(self.volume)
        return self.volume

    def reset(self) -> None:
        """The next customer starts with speech off at the configured volume."""
        speaker = self._get() if self.enabled or self.volume != self.start_volume else None
        self.enabled = False
        self.volume = self.start_volume
        if speaker is not None:
            speaker.stop()
            speaker.set_volume(self.volume)
