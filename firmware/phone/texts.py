"""The phone page's words in Finnish, Swedish and English.

The wait is said in the words of the kiosk, the slip and the lobby display
(`firmware.core.wait_words`), so a customer reads one estimate wherever they look.
"""

from __future__ import annotations

from firmware.core.wait_words import WORDS as WAIT_WORDS

LANGS = ("fi", "sv", "en")

# Each language's own name for itself: the switch reads in the language it switches to.
LANG_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}

TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "title": "Vuorosi",
        "your_number": "Vuoronumerosi",
        "languages": "Kieli",
        "ahead": "Ennen sinua jonossa: {ahead}",
        "almost": "Olet pian vuorossa.",
        "call": "{number}, olkaa hyvä: {room}",
        "call_no_room": "{number}, on vuorosi.",
        "done": "Käyntisi on valmis. Kiitos!",
        "no_show": "Vuorosi meni ohi. Kysy henkilökunnalta.",
        "next": "Seuraavaksi: {names}",
        "sound_on": "Laita äänimerkki päälle",
        "sound_off": "Sammuta äänimerkki",
        "live": "Päivittyy itsestään.",
        "updating": "Päivitetään…",
        "data_from": "Tiedot klo {time}.",
        "offline": "Aulan järjestelmä ei ole nyt yhteydessä.",
        "gone": "Tämä vuoronumero ei ole enää voimassa.",
        "noscript": "Päivitä sivu nähdäksesi tilanteen.",
        "code_title": "Seuraa vuoroasi",
        "code_label": "Kirjoita vuorolapun koodi",
        "code_hint": "Esimerkiksi 7KQ2-M9XD-PW4R-H8TZ",
        "code_button": "Näytä vuoroni",
    },
    "sv": {
        "title": "Din tur",
        "your_number": "Ditt könummer",
        "languages": "Språk",
        "ahead": "Före dig i kön: {ahead}",
        "almost": "Snart är det din tur.",
        "call": "{number}, välkommen till {room}",
        "call_no_room": "{number}, det är din tur.",
        "done": "Ditt besök är klart. Tack!",
        "no_show": "Din tur har gått förbi. Fråga personalen.",
        "next": "Härnäst: {names}",
        "sound_on": "Slå på ljudsignal",
        "sound_off": "Stäng av ljudsignal",
        "live": "Uppdateras automatiskt.",
        "updating": "Uppdaterar…",
        "data_from": "Uppgifter från kl. {time}.",
        "offline": "Väntsalens system är inte anslutet just nu.",
        "gone": "Det här könumret gäller inte längre.",
        "noscript": "Ladda om sidan för att se läget.",
        "code_title": "Följ din tur",
        "code_label": "Skriv koden på din kölapp",
        "code_hint": "Till exempel 7KQ2-M9XD-PW4R-H8TZ",
        "code_button": "Visa min tur",
    },
    "en": {
        "title": "Your turn",
        "your_number": "Your number",
        "languages": "Language",
        "ahead": "People ahead of you: {ahead}",
        "almost": "You are almost next.",
        "call": "{number}, please go to {room}",
        "call_no_room": "{number}, it is your turn.",
        "done": "Your visit is complete. Thank you!",
        "no_show": "Your turn has passed. Please ask the staff.",
        "next": "Next: {names}",
        "sound_on": "Turn on sound",
        "sound_off": "Turn off sound",
        "live": "Updates by itself.",
        "updating": "Updating…",
        "data_from": "Data from {time}.",
        "offline": "The lobby is offline.",
        "gone": "This ticket is no longer valid.",
        "noscript": "Reload the page to see where you are.",
        "code_title": "Follow your turn",
        "code_label": "Type the code on your ticket",
        "code_hint": "For example 7KQ2-M9XD-PW4R-H8TZ",
        "code_button": "Show my turn",
    },
}

# Said in all three languages at once: the page cannot know whose ticket was not found.
NOT_FOUND = (
    ("fi", "Vuoronumeroa ei löydy", "Numeroa ei löytynyt, tai se ei ole enää voimassa. "
     "Tarkista vuorolapun koodi.", "Kirjoita koodi"),
    ("sv", "Könumret hittades inte", "Numret hittades inte, eller så gäller det inte längre. "
     "Kontrollera koden på kölappen.", "Skriv koden"),
    ("en", "Ticket not found", "The ticket was not found, or it is no longer valid. "
     "Check the code on your ticket.", "Type the code"),
)

TOO_MANY = (
    ("fi", "Liian monta pyyntöä", "Odota hetki ja yritä sitten uudelleen."),
    ("sv", "För många förfrågningar", "Vänta en stund och försök sedan igen."),
    ("en", "Too many requests", "Please wait a moment and try again."),
)


def page_texts(lang: str) -> dict[str, str]:
    """Everything the page's script may need to say, in one language."""
    return {**TEXTS[lang], **{f"wait_{k}": v for k, v in WAIT_WORDS[lang].items()}}
