"""What the room screen says after a clerk's key, fi / sv / en (shown together, the device's
language first)."""

from __future__ import annotations

DONE = {
    "call_next": ("Kutsuttu {n}", "Uppropad {n}", "Called {n}"),
    "recall": ("Kutsuttu uudelleen {n}", "Uppropad igen {n}", "Called again {n}"),
    "no_show": ("{n} ei saapunut", "{n} kom inte", "{n} did not come"),
    "complete": ("{n} valmis", "{n} klar", "{n} done"),
    "paused": ("Tauko alkoi", "Pausen började", "Break started"),
    "serving": ("Palvelu jatkuu", "Betjäningen fortsätter", "Serving again"),
}
REFUSED = {
    "empty": ("Jono on tyhjä", "Kön är tom", "Nobody is waiting"),
    "no_ticket": ("Ei kutsuttua numeroa", "Inget uppropat nummer", "No number is called"),
    "unreachable": ("Jonopalvelu ei vastaa", "Kötjänsten svarar inte",
                    "The queue service does not answer"),
    "busy": ("Hetki, edellinen on kesken", "Ett ögonblick", "One moment, still working"),
    "other": ("Ei onnistunut: {m}", "Misslyckades: {m}", "Refused: {m}"),
}


def say(texts: tuple[str, str, str], lang: str, **values: str) -> str:
    order = {"fi": 0, "sv": 1, "en": 2}
    first = order.get(lang, 0)
    picked = [texts[first], *(t for i, t in enumerate(texts) if i != first)]
    return " · ".join(p.format(**values) for p in picked)

# The silent alarm's faults in `health`, for the service team (never on the door screen).
ALARM_FAULTS = {
    "key": ("Hälytysnappia ei saatu käyttöön: hiljainen hälytys ei lähde tästä huoneesta "
            "napilla.",
            "Larmknappen kunde inte tas i bruk: tyst larm kan inte skickas med knappen från "
            "detta rum.",
            "The alarm key could not be opened: the silent alarm cannot be sent with the key "
            "from this room."),
    "led": ("Hälytysnapin merkkivaloa ei saatu käyttöön: virkailija ei näe, lähtikö hälytys.",
            "Larmknappens lampa kunde inte tas i bruk: handläggaren ser inte om larmet gick "
            "iväg.",
            "The alarm key's LED could not be opened: the clerk cannot see whether the alarm "
            "was sent."),
}


def in_words(texts: tuple[str, str, str]) -> dict[str, str]:
    return dict(zip(("fi", "sv", "en"), texts, strict=True))
