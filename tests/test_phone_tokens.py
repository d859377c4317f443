"""A ticket's phone secrets and its public message, as pure functions (issue 25).

Hypothesis for what reads outside text (a typed code: any text gives a code or None, never
an exception) and for the public row builder over random days of a queue: each waiting
ticket's `ahead` and `eta_range` are the controller's forecast's, nothing personal is in a
message, the authority is left out on an anonymous site, and every message fits
docs/mqtt-api.yaml and reads back as itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.clock import ManualClock
from firmware.controller.ledger import Ledger
from firmware.controller.use_cases import Controller
from firmware.core import estimate
from firmware.core.phone_tokens import (
    CODE_ALPHABET,
    key_of,
    new_code,
    new_token,
    normalise_code,
)
from firmware.core.phone_view import PhoneKeys, public_tickets
from firmware.core.queue import TicketStatus
from firmware.site_config import parse_site_config
from firmware.site_config.reader import ConfigError
from firmware.site_model import PhoneConfig
from mqtt_bridge import topics
from mqtt_bridge.messages import MessageError, PhoneLink, PublicTicket, TicketAnswer
from mqtt_bridge.payloads import Command, encode
from testkit.site_factory import MONDAY, at, small_site
from tests import wire_contract
from tests.conftest import DEMO_SITE

CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}")


# -- tokens and codes -------------------------------------------------------------------


def test_tokens_and_codes_are_random_and_shaped_as_the_slip_needs() -> None:
    tokens = {new_token() for _ in range(200)}
    codes = {new_code() for _ in range(200)}
    assert len(tokens) == len(codes) == 200  # 128 and 80 random bits: never the same
    assert all(len(t) == 22 and set(t) <= set(string.ascii_letters + string.digits + "-_")
               for t in tokens)
    assert all(CODE.fullmatch(c) for c in codes)
    # Every character of the alphabet turns up: the code uses all of its 80 bits.
    assert set("".join(codes).replace("-", "")) == set(CODE_ALPHABET)


def test_a_key_is_the_salted_hash_and_any_text_has_one() -> None:
    assert key_of("abc") == hashlib.sha256(b"piste-phone-v1:abc").hexdigest()[:32]
    assert re.fullmatch(r"[0-9a-f]{32}", key_of("\ud800 mangled"))  # a lone surrogate
    assert key_of("7KQ2-M9XD-PW4R-H8TZ") != key_of("7KQ2M9XDPW4RH8TZ")  # codes: normalise first


@given(st.text(max_size=200))
def test_any_text_normalises_to_a_code_or_none_without_raising(text: str) -> None:
    found = normalise_code(text)
    assert found is None or CODE.fullmatch(found)
    if found is not None:
        assert normalise_code(found) == found  # the printed form is its own reading


_TYPED = st.sampled_from(CODE_ALPHABET + "OIL" + "oil" + CODE_ALPHABET.lower())


@given(st.lists(_TYPED, min_size=16, max_size=16), st.lists(st.sampled_from(["", " ", "-",
                                                                            "  ", "- "]),
                                                             min_size=17, max_size=17))
def test_a_code_typed_any_which_way_reads_as_printed(chars: list[str], gaps: list[str]) -> None:
    typed = gaps[0] + "".join(c + g for c, g in zip(chars, gaps[1:], strict=True))
    plain = "".join(chars).upper().replace("O", "0").replace("I", "1").replace("L", "1")
    assert normalise_code(typed) == "-".join(plain[i:i + 4] for i in range(0, 16, 4))


@pytest.mark.parametrize("text", ["", "7KQ2-M9XD-PW4R-H8T", "7KQ2-M9XD-PW4R-H8TZ1",
                                  "7KQ2-M9XD-PW4R-H8TU", "７KQ2-M9XD-PW4R-H8TZ", "x" * 10_000,
                                  "7KQ2/M9XD/PW4R/H8TZ"])
def test_what_cannot_be_a_code_is_none(text: str) -> None:
    assert normalise_code(text) is None


# -- the [phone] config -------------------------------------------------------------------


def _with_phone(table: str) -> str:
    text = DEMO_SITE.read_text(encoding="utf-8")
    head, rest = text.split("[phone]\n", 1)
    _, tail = rest.split("\n\n", 1)
    return f"{head}[phone]\n{table}\n\n{tail}"


def test_the_demo_has_phones_on_beside_the_console() -> None:
    config = parse_site_config(DEMO_SITE.read_text(encoding="utf-8"))
    assert config.phone.enabled and config.phone.base_url.endswith("/t/")
    assert config.phone.public_port == 8444 and config.phone.almost_next == 3


@pytest.mark.parametrize(("table", "words"), [
    ("enabled = true", "phone.base_url: missing: the address the QR code opens"),
    ('enabled = true\nbase_url = "ftp://x.fi/t/"', "must start with https://"),
    ('enabled = true\nbase_url = "https://x.fi/p/"', "must end with /t/"),
    ('base_url = "https://x.fi/t/?a=1"', "no spaces, no ? or #"),
    ('base_url = "https:///t/"', "needs a host name"),
    ("enabled = \"yes\"", "phone.enabled: expected true or false"),
    ("almost_next = -1", "phone.almost_next: expected a number of people from 0 to 50"),
    ("public_port = 8443", "8443 is the staff console's port on lobby-1"),
    ("requests_per_minute = 0", "phone.requests_per_minute: expected requests a minute"),
    ("pubic_port = 8444", "unknown key 'pubic_port'; did you mean 'public_port'?"),
])
def test_a_wrong_phone_table_is_said_in_plain_words(table: str, words: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_site_config(_with_phone(table), "site.toml")
    assert words in str(error.value)


def test_phones_are_off_by_default() -> None:
    text = DEMO_SITE.read_text(encoding="utf-8")
    head, rest = text.split("[phone]\n", 1)
    _, tail = rest.split("\n\n", 1)
    assert parse_site_config(head + tail).phone == PhoneConfig()


# -- the public row builder ---------------------------------------------------------------

ISSUE_STEP = st.tuples(st.just("issue"), st.sampled_from(["kela", "kela", "vero", "migri"]),
                      st.sampled_from(["fi", "sv", "en"]),
                      st.lists(st.sampled_from(["kela", "vero"]), max_size=2, unique=True),
                      st.booleans())
STEP = st.one_of(
    ISSUE_STEP, ISSUE_STEP, ISSUE_STEP,
    st.tuples(st.sampled_from(["call", "call", "recall", "complete", "no-show"]),
              st.sampled_from(["1", "2", "3"])),
    st.tuples(st.just("wait"), st.integers(1, 40)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(STEP, min_size=4, max_size=40), st.booleans(), st.integers(0, 5))
def test_a_public_row_is_the_forecasts_place_and_nothing_personal(
        steps: list[tuple], anonymous: bool, almost_next: int) -> None:
    config = dataclasses.replace(small_site(anonymous), phone=PhoneConfig(
        enabled=True, base_url="https://x.fi/t/", almost_next=almost_next))
    clock = ManualClock(at(MONDAY, 10, 0))
    ledger = Ledger(":memory:")
    controller = Controller(config, ledger, clock)
    for n, step in enumerate(steps):
        name, *args = step
        if name == "wait":
            clock.advance(minutes=args[0])
            continue
        if name == "issue":
            service, lang, then, assistance = args
            body = {"service": service, "lang": lang, "device": "k", "assistance": assistance,
                    "then": [s for s in then if s != service]}
            controller.handle(Command(topics.ISSUE, f"r{n}", body))
        else:
            body = {"room": args[0], **({"services": []} if name == "call" else {})}
            controller.handle(Command(f"ticket/{name}", f"r{n}", body))
    now = clock.now()
    state = controller.state
    plan = estimate.forecast(state, config, now)
    keys = {number: PhoneKeys(key_of(number + "t"), key_of(number + "c"))
            for number in state.tickets}
    rows = public_tickets(state, config, plan, now, keys)
    assert set(rows) == {k.key for k in keys.values()}
    for key, row in rows.items():
        ticket = state.tickets[row.number]
        waiting = ticket.status is TicketStatus.WAITING
        assert row.ahead == (plan.ahead_of(row.number) if waiting else None)
        assert row.eta_range == (estimate.eta_range(plan.calls.get(row.number))
                                 if waiting else None)
        assert row.almost == (row.ahead is not None and row.ahead <= almost_next)
        assert row.status == str(ticket.status) and row.calls == ticket.calls
        assert (row.room is not None) == (ticket.status is TicketStatus.CALLED)
        if anonymous:
            assert row.service is None and row.next == ()
        else:
            assert row.service is not None and row.service.id == ticket.service
            assert len(row.next) == len(ticket.then)
        wire = row.to_wire()
        payload = encode(wire)
        for personal in (b"assistance", b"appointment", b'"device"', b"token", b"https://"):
            assert personal not in payload
        verdict = wire_contract.check(topics.public_ticket(config.site.id, key), payload, True)
        assert verdict.ok, verdict.error
        assert PublicTicket.from_wire(json.loads(payload)) == row
    ledger.close()


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=6), max_leaves=30))
def test_reading_a_public_message_takes_any_json_and_only_raises_message_error(
        value: object) -> None:
    with contextlib.suppress(MessageError):
        PublicTicket.from_wire(value)


def test_a_public_message_with_one_field_wrong_is_refused() -> None:
    config = dataclasses.replace(small_site(), phone=PhoneConfig(enabled=True,
                                                                  base_url="https://x.fi/t/"))
    clock = ManualClock(at(MONDAY, 10, 0))
    controller = Controller(config, Ledger(":memory:"), clock)
    controller.handle(Command(topics.ISSUE, "r1", {"service": "kela", "lang": "fi",
                                                   "device": "k"}))
    plan = estimate.forecast(controller.state, config, clock.now())
    row = next(iter(public_tickets(controller.state, config, plan, clock.now(),
                                   {"K001": PhoneKeys("a" * 32, "b" * 32)}).values()))
    good = row.to_wire()
    assert PublicTicket.from_wire(good) == row
    for key, bad in (("v", 2), ("status", "gone"), ("code_key", "token"), ("ahead", -1),
                     ("number", "K1"), ("at", "09:00"), ("almost", None), ("next", {}),
                     ("lang", "de"), ("calls", True)):
        with pytest.raises(MessageError):
            PublicTicket.from_wire({**good, key: bad})
    controller.ledger.close()


def test_an_answer_reads_its_phone_link_and_a_broken_one_is_none() -> None:
    ticket = {"number": "K001", "service": "kela"}
    link = {"url": "https://x.fi/t/abcdefghijklmnopqrstuv", "code": "7KQ2-M9XD-PW4R-H8TZ"}
    answer = TicketAnswer.from_wire({"ok": True, "ticket": ticket, "phone": link})
    assert answer.phone == PhoneLink(link["url"], link["code"])
    assert answer.to_wire()["phone"] == link
    for broken in ("x", {"url": "javascript:alert(1)", "code": "A"}, {"code": "A"}):
        kept = TicketAnswer.from_wire({"ok": True, "ticket": ticket, "phone": broken})
        assert kept.phone is None and kept.ticket is not None  # the slip still prints
    assert "phone" not in TicketAnswer(answer.ticket).to_wire()
