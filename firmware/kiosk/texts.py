"""Every word the kiosk screen shows, per language, in one place.

A language switch is a data change. Language names are written in their own language
(Suomi, Svenska, English): a customer looks for the word they can read. A counted word is
`{n:#one|other}` ("1 second", "2 seconds": firmware/core/plural.py); Finnish needs none
where the noun after a number keeps one form ("1 sekunnin", "12 sekunnin kuluttua").
"""

from __future__ import annotations

import math

from firmware.core.plural import FORMATTER

LANG_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}

TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "choose": "Valitse palvelu",
        "choose_hint": "Kosketa palvelun nimeä, niin saat vuoronumeron.",
        "advisor": "Palveluneuvoja auttaa mielellään",
        "opens": "Avautuu {when}",
        "today": "tänään",
        "closed": "Suljettu",
        "appointment": "Minulla on ajanvaraus",
        "large_on": "Suuri teksti: päällä",
        "large_off": "Suuri teksti: pois",
        "speech_on": "Puhe: päällä",
        "speech_off": "Puhe: pois",
        "page": "Sivu {page}/{pages}",
        "page_prev": "◀ Edellinen sivu",
        "page_next": "Seuraava sivu ▶",
        "code_title": "Ajanvarauksen koodi",
        "code_hint": "Kirjoita koodi ajanvarausvahvistuksesta tai näytä viivakoodi lukijalle.",
        "code_empty": "Koodi näkyy tässä",
        "erase": "Poista",
        "cancel": "Peruuta",
        "ok": "Jatka",
        "issuing": "Haetaan vuoronumeroa...",
        "issuing_hint": "Hetki vain.",
        "your_number": "Vuoronumerosi",
        "ahead": "Ennen sinua jonossa: {n}",
        "appointment_at": "Ajanvaraus klo {time}",
        "again": "Olet jo ilmoittautunut. Tämä on sama numero.",
        "printing": "Lippua tulostetaan...",
        "take_ticket": "Ota lippu tulostimesta",
        "not_printed": "Lippua ei voitu tulostaa. Numerosi on voimassa: "
        "muista se tai pyydä apua palveluneuvojalta.",
        "done": "Valmis",
        "back": "Takaisin",
        "refused_unknown": "Tällä koodilla ei saa vuoronumeroa nyt.",
        "refused_unknown_hint": "Ajanvaraukseen voi ilmoittautua {early:#minuutti|minuuttia} "
        "ennen varattua aikaa ja vielä {late:#minuutti|minuuttia} sen jälkeen. "
        "Tarkista koodi tai kysy palveluneuvojalta.",
        "refused_busy": "Täällä on juuri otettu monta vuoronumeroa. Odota hetki.",
        "refused_busy_hint": "Voit ottaa vuoronumeron {wait}.",
        "refused_attempts": "Tällä laitteella on annettu liian monta väärää koodia.",
        "refused_attempts_hint": "Voit yrittää uudelleen {wait} tai kysyä "
        "palveluneuvojalta.",
        "refused_forbidden": "Tämä laite ei voi antaa vuoronumeroa. Kysy palveluneuvojalta.",
        "refused_closed": "Palvelu ei ole nyt avoinna. {opens}",
        "refused_other": "Vuoronumeroa ei voitu antaa. Palveluneuvoja auttaa sinua.",
        "limit": "Vuoronumeroita on juuri otettu monta. Odota hetki, niin voit ottaa uuden.",
        "limit_hint": "Palveluneuvoja auttaa, jos tarvitset useamman numeron.",
        "warning": "Tarvitsetko lisää aikaa?",
        "warning_hint": "Näyttö palaa alkuun {n} sekunnin kuluttua.",
        "more_time": "Lisää aikaa",
        "starting": "Vuoronumerolaite käynnistyy.",
        "starting_hint": "Hetki vain, pian voit ottaa numeron.",
        "error": "Vuoronumerolaite on epäkunnossa.",
        "error_hint": "Palveluneuvoja auttaa sinua.",
        "help": "Pyydä apua",
        "help_asking": "Palveluneuvojalle ilmoitetaan...",
        "help_told": "Palveluneuvojalle on ilmoitettu. Hän tulee luoksesi pian.",
        "help_again": "Palveluneuvojalle on jo ilmoitettu. Hän tulee luoksesi pian.",
        "help_desk": "Palveluneuvojalle ei saatu ilmoitusta. Kysy apua palvelupisteen "
        "neuvonnasta.",
        "help_hint": "Voit odottaa tässä.",
        "pin_title": "Huolto: anna PIN-koodi",
        "pin_wrong": "Väärä PIN-koodi.",
        "pin_wait": "Väärä PIN-koodi. Seuraavan voi antaa {wait}.",
        "pin_locked": "Liian monta väärää PIN-koodia. Seuraavan voi antaa {wait}.",
        "pin_short": "PIN-koodissa on vähintään {n:#numero|numeroa}.",
        "wait_moment": "hetken kuluttua",
        "wait_seconds": "{n} sekunnin kuluttua",
        "wait_minutes": "{n} minuutin kuluttua",
    },
    "sv": {
        "choose": "Välj tjänst",
        "choose_hint": "Tryck på tjänstens namn så får du ett könummer.",
        "advisor": "Servicerådgivaren hjälper gärna",
        "opens": "Öppnar {when}",
        "today": "i dag",
        "closed": "Stängt",
        "appointment": "Jag har en bokad tid",
        "large_on": "Stor text: på",
        "large_off": "Stor text: av",
        "speech_on": "Tal: på",
        "speech_off": "Tal: av",
        "page": "Sida {page}/{pages}",
        "page_prev": "◀ Föregående sida",
        "page_next": "Nästa sida ▶",
        "code_title": "Kod för den bokade tiden",
        "code_hint": "Skriv koden från bokningsbekräftelsen eller visa streckkoden för läsaren.",
        "code_empty": "Koden syns här",
        "erase": "Radera",
        "cancel": "Avbryt",
        "ok": "Fortsätt",
        "issuing": "Könumret hämtas...",
        "issuing_hint": "Ett ögonblick.",
        "your_number": "Ditt könummer",
        "ahead": "Före dig i kön: {n}",
        "appointment_at": "Bokad tid kl. {time}",
        "again": "Du har redan anmält dig. Det här är samma nummer.",
        "printing": "Lappen skrivs ut...",
        "take_ticket": "Ta lappen från skrivaren",
        "not_printed": "Lappen kunde inte skrivas ut. Ditt nummer gäller: "
        "kom ihåg det eller be servicerådgivaren om hjälp.",
        "done": "Klar",
        "back": "Tillbaka",
        "refused_unknown": "Den här koden ger inget könummer nu.",
        "refused_unknown_hint": "Du kan anmäla dig {early:#minut|minuter} före den bokade "
        "tiden och ännu {late:#minut|minuter} efter den. Kontrollera koden eller fråga "
        "servicerådgivaren.",
        "refused_busy": "Många könummer har just tagits här. Vänta en stund.",
        "refused_busy_hint": "Du kan ta ett könummer {wait}.",
        "refused_attempts": "För många felaktiga koder har angetts i den här automaten.",
        "refused_attempts_hint": "Du kan försöka igen {wait} eller fråga "
        "servicerådgivaren.",
        "refused_forbidden": "Den här automaten kan inte ge könummer. "
        "Fråga servicerådgivaren.",
        "refused_closed": "Tjänsten är inte öppen nu. {opens}",
        "refused_other": "Könumret kunde inte ges. Servicerådgivaren hjälper dig.",
        "limit": "Många könummer har just tagits. Vänta en stund, sedan kan du ta ett nytt.",
        "limit_hint": "Servicerådgivaren hjälper om du behöver flera nummer.",
        "warning": "Behöver du mer tid?",
        "warning_hint": "Skärmen går tillbaka till början om {n:#sekund|sekunder}.",
        "more_time": "Mer tid",
        "starting": "Könummerautomaten startar.",
        "starting_hint": "Ett ögonblick, snart kan du ta ett nummer.",
        "error": "Könummerautomaten är ur funktion.",
        "error_hint": "Servicerådgivaren hjälper dig.",
        "help": "Be om hjälp",
        "help_asking": "Servicerådgivaren meddelas...",
        "help_told": "Servicerådgivaren har fått besked och kommer till dig snart.",
        "help_again": "Servicerådgivaren har redan fått besked och kommer till dig snart.",
        "help_desk": "Servicerådgivaren kunde inte meddelas. Fråga vid "
        "serviceställets rådgivning.",
        "help_hint": "Du kan vänta här.",
        "pin_title": "Service: ange PIN-koden",
        "pin_wrong": "Fel PIN-kod.",
        "pin_wait": "Fel PIN-kod. Nästa kan anges {wait}.",
        "pin_locked": "För många fel PIN-koder. Nästa kan anges {wait}.",
        "pin_short": "PIN-koden har minst {n:#siffra|siffror}.",
        "wait_moment": "om en stund",
        "wait_seconds": "om {n:#sekund|sekunder}",
        "wait_minutes": "om {n:#minut|minuter}",
    },
    "en": {
        "choose": "Choose a service",
        "choose_hint": "Touch the name of the service to get a queue number.",
        "advisor": "The service advisor is happy to help",
        "opens": "Opens {when}",
        "today": "today",
        "closed": "Closed",
        "appointment": "I have an appointment",
        "large_on": "Large text: on",
        "large_off": "Large text: off",
        "speech_on": "Speech: on",
        "speech_off": "Speech: off",
        "page": "Page {page}/{pages}",
        "page_prev": "◀ Previous page",
        "page_next": "Next page ▶",
        "code_title": "Appointment code",
        "code_hint": "Type the code from your booking confirmation, or show its barcode "
        "to the reader.",
        "code_empty": "The code shows here",
        "erase": "Erase",
        "cancel": "Cancel",
        "ok": "Continue",
        "issuing": "Getting your queue number...",
        "issuing_hint": "Just a moment.",
        "your_number": "Your queue number",
        "ahead": "People ahead of you: {n}",
        "appointment_at": "Appointment at {time}",
        "again": "You have already checked in. This is the same number.",
        "printing": "Printing your ticket...",
        "take_ticket": "Take your ticket from the printer",
        "not_printed": "The ticket could not be printed. Your number is valid: "
        "remember it or ask the service advisor.",
        "done": "Done",
        "back": "Back",
        "refused_unknown": "This code does not give a queue number now.",
        "refused_unknown_hint": "You can check in from {early:#minute|minutes} before your "
        "appointment until {late:#minute|minutes} after it. Check the code or ask the "
        "service advisor.",
        "refused_busy": "Many queue numbers were just taken here. Please wait a moment.",
        "refused_busy_hint": "You can take a number {wait}.",
        "refused_attempts": "Too many wrong codes were typed on this kiosk.",
        "refused_attempts_hint": "You can try again {wait}, or ask the service advisor.",
        "refused_forbidden": "This kiosk cannot give a queue number. "
        "Please ask the service advisor.",
        "refused_closed": "This service is not open now. {opens}",
        "refused_other": "A queue number could not be given. The service advisor will help you.",
        "limit": "Many queue numbers were just taken. Please wait a moment, then take yours.",
        "limit_hint": "The service advisor helps if you need several numbers.",
        "warning": "Do you need more time?",
        "warning_hint": "The screen goes back to the start in {n:#second|seconds}.",
        "more_time": "More time",
        "starting": "The queue number machine is starting.",
        "starting_hint": "Just a moment, you can take a number soon.",
        "error": "The queue number machine is out of order.",
        "error_hint": "The service advisor will help you.",
        "help": "Ask staff for help",
        "help_asking": "Telling the service advisor...",
        "help_told": "The service advisor has been told and will come to you soon.",
        "help_again": "The service advisor has already been told and will come to you soon.",
        "help_desk": "The service advisor could not be told. Please ask at the service "
        "desk.",
        "help_hint": "You can wait here.",
        "pin_title": "Service: enter the PIN",
        "pin_wrong": "Wrong PIN.",
        "pin_wait": "Wrong PIN. The next one can be entered {wait}.",
        "pin_locked": "Too many wrong PINs. The next one can be entered {wait}.",
        "pin_short": "A PIN has at least {n:#digit|digits}.",
        "wait_moment": "in a moment",
        "wait_seconds": "in {n:#second|seconds}",
        "wait_minutes": "in {n:#minute|minutes}",
    },
}

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "fi": ("ma", "ti", "ke", "to", "pe", "la", "su"),
    "sv": ("mån", "tis", "ons", "tor", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def text(lang: str, key: str, **values: object) -> str:
    table = TEXTS.get(lang, TEXTS["fi"])
    return FORMATTER.format(table.get(key, TEXTS["fi"][key]), **values)


def wait_words(lang: str, seconds: float | None) -> str:
    """How long to wait, as the end of a sentence: "in 45 seconds", "in 15 minutes".

    Unknown or about a second: "in a moment" (never "in 1 seconds", never a made-up number).
    Over a minute and a half, whole minutes rounded up: a wait never ends later than said.
    """
    if seconds is None or seconds <= 1:
        return text(lang, "wait_moment")
    whole = math.ceil(seconds)
    if whole <= 90:
        return text(lang, "wait_seconds", n=whole)
    return text(lang, "wait_minutes", n=math.ceil(whole / 60))
