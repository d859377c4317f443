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
