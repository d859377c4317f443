"""The phone pages as HTML: a ticket, the code form, not found, too many requests.

One small document each, with its CSS and script inline (no second request on a poor
connection, no framework, nothing from anywhere else). The ticket's state is rendered
here at load, so the page says where the customer is even without script; the script
then keeps it live with the same words (they travel in the page as data). The inline
style and script are allowed by their hashes in the CSP, so the headers are the same for
every response: a nonce would make the 404 for one wrong secret differ from another's.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from importlib.resources import files
from typing import Any

from firmware.core.wait_words import span_of, wait_line
from firmware.phone.store import Alive, TicketView
from firmware.phone.texts import LANG_NAMES, LANGS, NOT_FOUND, TEXTS, TOO_MANY, page_texts

CSS = files("firmware.phone").joinpath("page.css").read_text(encoding="utf-8").strip()
SCRIPT = files("firmware.phone").joinpath("page.js").read_text(encoding="utf-8").strip()


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CSP = ("default-src 'none'; "
       f"style-src {_hash(CSS)}; script-src {_hash(SCRIPT)}; connect-src 'self'; "
       "img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def _doc(lang: str, title: str, body: str, script: str = "") -> bytes:
    return ("<!doctype html>\n"
            f'<html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            '<link rel="icon" href="data:,">'  # no request for a favicon: it would 404
            f"<title>{escape(title)}</title><style>{CSS}</style></head>"
            f"<body><main>{body}</main>{script}</body></html>\n").encode()


def _switch(lang: str, current: str, label: str) -> str:
    """Links to the page in the other two languages, each named in its own language."""
    links = "".join(f'<li><a href="?lang={other}" lang="{other}" hreflang="{other}">'
                    f"{LANG_NAMES[other]}</a></li>" for other in LANGS if other != current)
    return f'<nav aria-label="{escape(label)}"><ul>{links}</ul></nav>'


def _name(names: dict[str, str] | None, lang: str) -> str:
    return (names or {}).get(lang) or (names or {}).get("fi") or ""


def call_text(ticket: dict[str, Any], lang: str) -> str:
    """ "K012, please go to Room 5" in the page's language."""
    words = TEXTS[lang]
    room = ticket.get("room")
    if room:
        return words["call"].format(number=ticket["number"], room=_name(room["name"], lang))
    return words["call_no_room"].format(number=ticket["number"])


def lines(ticket: dict[str, Any], lang: str) -> dict[str, str]:
    """What each part of the page says for a ticket: the same rules as page.js's `render`
    ("" leaves a part out)."""
    words = TEXTS[lang]
    status, ahead = ticket["status"], ticket["ahead"]
    waiting = status == "waiting"
    note = ""
    if waiting and ticket["almost"] and ahead != 0:
        note = words["almost"]
    elif status == "done" and not ticket["next"]:
        note = words["done"]
    elif status == "no_show":
        note = words["no_show"]
    wait = ""
    if waiting and ahead is not None:
        wait = wait_line(ahead, span_of(ticket["eta_range"]), lang) or ""
    names = ", ".join(_name(n, lang) for n in ticket["next"])
    return {
        "service": _name(ticket["service"]["name"], lang) if ticket["service"] else "",
        "ahead": words["ahead"].format(ahead=ahead) if waiting and ahead is not None else "",
        "wait": wait,
        "note": note,
        "say": call_text(ticket, lang) if status == "called" else "",
        "next": words["next"].format(names=names) if names else "",
    }


def alive_message(alive: Alive) -> dict[str, Any]:
    """The `alive` event: how old the site's last sign of life is, and whether that means
    the lobby is offline."""
    return {"at": alive.at.isoformat() if alive.at else None,
            "age_s": round(alive.age_s) if alive.age_s is not None else None,
            "offline": alive.offline}


def _data(value: Any) -> str:
    # In a script element only "</" could end it early: "<" as \u003c is the same JSON.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def ticket_page(view: TicketView, lang: str, alive: Alive) -> bytes:
    ticket, words = view.public, TEXTS[lang]
    parts = lines(ticket, lang)
    newest = alive.at if alive.at is not None and alive.at > view.at else view.at
    data_from = words["data_from"].format(time=newest.strftime("%H:%M"))
    conn = (words["offline"] + " " + data_from if alive.offline
            else words["updating"] + " " + data_from)

    def part(pid: str, tag: str = "p") -> str:
        text = parts[pid]
        return f'<{tag} id="{pid}"{"" if text else " hidden"}>{escape(text)}</{tag}>'

    body = (
        _switch(lang, lang, words["languages"])
        + f'<h1>{escape(words["your_number"])} <span class="num" id="num">'
        + f'{escape(ticket["number"])}</span></h1>'
        + part("service") + part("ahead") + part("wait")
        + f'<p id="note" role="status">{escape(parts["note"])}</p>'
        + f'<p id="say" aria-live="assertive" aria-atomic="true">{escape(parts["say"])}</p>'
        + part("next")
        + f'<button type="button" id="sound" hidden>{escape(words["sound_on"])}</button>'
        + f'<p id="conn" role="status" class="stale">{escape(conn)}</p>'
        + f'<noscript><p>{escape(words["noscript"])}</p></noscript>')
    data = {"lang": lang, "texts": page_texts(lang), "ticket": ticket,
            "alive": alive_message(alive)}
    script = (f'<script type="application/json" id="data">{_data(data)}</script>'
              f"<script>{SCRIPT}</script>")
    return _doc(lang, f"{ticket['number']} – {words['title']}", body, script)


def code_page(lang: str) -> bytes:
    """The start page: type the code printed under the QR."""
    words = TEXTS[lang]
    body = (_switch(lang, lang, words["languages"])
            + f"<h1>{escape(words['code_title'])}</h1>"
            + '<form action="/t/" method="get">'
            + f'<label for="code">{escape(words["code_label"])}</label>'
            + '<input id="code" name="code" required autocomplete="off" autocapitalize="characters"'
            + ' spellcheck="false" inputmode="text" aria-describedby="code-hint">'
            + f'<p class="hint" id="code-hint">{escape(words["code_hint"])}</p>'
            + f'<button type="submit">{escape(words["code_button"])}</button></form>')
    return _doc(lang, words["code_title"], body)


def _three(parts: tuple[tuple[str, ...], ...], with_link: bool) -> bytes:
    title = " · ".join(p[1] for p in parts)
    body = f"<h1>{escape(title)}</h1>"
    for lang, _heading, text, *link in parts:
        attr = "" if lang == "fi" else f' lang="{lang}"'
        body += f"<p{attr}>{escape(text)}"
        if with_link:
            body += f' <a href="/?lang={lang}">{escape(link[0])}</a>'
        body += "</p>"
    return _doc("fi", title, body)


NOT_FOUND_PAGE = _three(NOT_FOUND, with_link=True)
TOO_MANY_PAGE = _three(TOO_MANY, with_link=False)
