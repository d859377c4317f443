"""The phone pages' store: what the broker brings, read strictly, found only by key.

Bytes from the broker are outside input: whatever they are, `update` never raises and a
malformed message changes nothing. A ticket is found by its token or by its code typed any
way a person types it, and not once it has expired, been removed, or belongs to a site the
store does not serve.
"""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.core.phone_tokens import key_of, new_code, new_token, normalise_code
from firmware.phone.store import PublicTickets
from testkit.phone_pages import feed, feed_alive, new_ticket, site_now

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)


def test_a_ticket_is_found_by_its_token_and_by_its_code_typed_any_way() -> None:
    store = PublicTickets()
    ticket = new_ticket(lang="sv")
    feed(store, ticket)
    typed = ticket.code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    for secret in (ticket.token, ticket.code, ticket.code.replace("-", ""), typed):
        view = store.find(secret)
        assert view is not None and view.public["number"] == "K012", secret
        assert view.lang == "sv"
    assert store.find(new_token()) is None
    assert store.find(new_code()) is None
    assert store.find(ticket.token[:-1]) is None


def test_a_code_keyed_without_its_dashes_is_found_too() -> None:
    store = PublicTickets()
    ticket = new_ticket()
    feed(store, ticket, code_key=key_of(ticket.code.replace("-", "")))
    assert store.find(ticket.code.lower()) is not None


def test_the_page_gets_the_message_without_its_code_key_or_site() -> None:
    store = PublicTickets()
    ticket = new_ticket()
    feed(store, ticket)
    public = store.find(ticket.token).public
    assert "code_key" not in public and "site" not in public
    assert public["eta_range"] == [5, 10] and public["service"]["name"]["sv"] == "FPA"


def test_expired_removed_and_another_sites_tickets_are_not_found() -> None:
    now = [site_now()]
    store = PublicTickets(site="lappeenranta", now=lambda: now[0])
    ticket = new_ticket()
    feed(store, ticket, valid_until=(now[0] + timedelta(minutes=5)).isoformat())
    assert store.find(ticket.token) is not None
    now[0] += timedelta(minutes=5)
    assert store.find(ticket.token) is None and store.find(ticket.code) is None

    fresh = new_ticket()
    feed(store, fresh)
    assert store.update(fresh.topic, b"")  # the controller's removal
    assert store.find(fresh.token) is None and store.find(fresh.code) is None

    elsewhere = new_ticket(site="imatra")
    assert not store.update(elsewhere.topic, elsewhere.payload())
    assert store.find(elsewhere.token) is None
    assert PublicTickets().update(elsewhere.topic, elsewhere.payload())  # the relay: all sites


def test_a_new_code_for_the_same_ticket_retires_the_old_one() -> None:
    store = PublicTickets()
    ticket = new_ticket()
    feed(store, ticket)
    old = ticket.code
    ticket.code = new_code()
    feed(store, ticket, code_key=key_of(ticket.code))
    assert store.find(old) is None and store.find(ticket.code) is not None


def test_the_sites_alive_tells_its_age_and_when_the_lobby_is_offline() -> None:
    now = site_now()
    store = PublicTickets(now=lambda: now)
    assert store.alive("lappeenranta").age_s is None
    assert not store.alive("lappeenranta").offline
    feed_alive(store, "lappeenranta", now - timedelta(seconds=30))
    assert store.alive("lappeenranta").age_s == 30 and not store.alive("lappeenranta").offline
    feed_alive(store, "lappeenranta", now - timedelta(seconds=91))
    assert store.alive("lappeenranta").offline
    assert not store.update("piste/v1/lappeenranta/public/alive", b'{"at": "yesterday"}')
    assert store.alive("lappeenranta").offline  # the bad one changed nothing


def test_changes_follow_a_ticket_fed_from_another_thread_until_it_is_gone() -> None:
    store = PublicTickets()
    ticket = new_ticket()
    feed(store, ticket)

    async def follow() -> list[object]:
        seen: list[object] = []
        async for view in store.changes(ticket.key):
            seen.append(None if view is None else view.public["ahead"])
            if len(seen) == 1:
                threading.Thread(target=feed, args=(store, ticket), kwargs={"ahead": 2}).start()
            elif len(seen) == 2:
                threading.Thread(target=store.update, args=(ticket.topic, b"")).start()
        return seen

    assert asyncio.run(asyncio.wait_for(follow(), 10)) == [3, 2, None]


@given(topic=st.sampled_from(["piste/v1/lappeenranta/public/alive",
                              "piste/v1/lappeenranta/public/ticket/" + "a" * 32]) | st.text(),
       payload=st.binary(max_size=2000))
@settings(max_examples=300)
def test_arbitrary_bytes_never_raise_and_change_nothing(topic: str, payload: bytes) -> None:
    store = PublicTickets()
    if store.update(topic, payload):  # only a well-formed alive, or a removal, is taken
        assert topic.endswith("/alive") or payload == b""
    assert len(store) == 0


@given(field=st.sampled_from(["v", "site", "at", "valid_until", "code_key", "number", "lang",
                              "service", "status", "ahead", "eta_range", "almost", "room",
                              "call_id", "calls", "next", "day"]),
       value=json_values)
@settings(max_examples=400)
def test_a_message_with_any_field_changed_is_taken_whole_and_clean_or_not_at_all(
        field: str, value: object) -> None:
    store = PublicTickets()
    ticket = new_ticket()
    payload = json.dumps({**ticket.message, field: value}).encode()
    if not store.update(ticket.topic, payload):
        assert store.find(ticket.token) is None
        return
    public = store.find(ticket.token).public
    assert isinstance(public["number"], str) and public["lang"] in ("fi", "sv", "en")
    assert public["ahead"] is None or isinstance(public["ahead"], int)
    assert public["eta_range"] is None or all(isinstance(v, int) for v in public["eta_range"])
    assert public["status"] in ("waiting", "called", "done", "no_show")
    for names in [public["service"] and public["service"]["name"],
                  public["room"] and public["room"]["name"], *public["next"]]:
        assert not names or all(isinstance(names[lang], str) for lang in ("fi", "sv", "en"))


@given(text=st.text(max_size=40))
def test_normalise_code_gives_a_code_or_none_and_keeps_its_own_form(text: str) -> None:
    code = normalise_code(text)
    assert code is None or normalise_code(code) == code
    assert store_find_never_raises(text)


def store_find_never_raises(secret: str) -> bool:
    PublicTickets().find(secret)
    return True


def test_a_secret_that_is_not_even_text_is_not_found() -> None:
    store = PublicTickets()
    assert store.find("\udcff") is None  # a lone surrogate from a badly decoded path
