"""The ticket's phone link on its way from the controller's answer to the printed slip.

The controller's answer (and the console's print job) carries `phone` {url, code} beside
the ticket when the site
lets customers follow their turn on a phone; the kiosk prints it as a QR code and a code,
and a link it cannot read is left off with a log line while the number still prints.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from escpos.printer import Dummy
from hypothesis import given
from hypothesis import strategies as st

from firmware.kiosk import flow as kf
from firmware.kiosk.flow import Issued, Phase, Print
from firmware.kiosk.phone_link import phone_link
from firmware.kiosk.remote_print import RemotePrints, parse_job
from firmware.kiosk.wire import issue_answer, ticket_slip
from tests.test_kiosk_flow import CONFIG, TUESDAY_10, Lobby, ticket
from ticket_printer.decode import decode_ticket
from ticket_printer.escpos_render import print_slip
from ticket_printer.slip import COPY_MARK, PhoneLink, TicketSlip

URL = "https://jono.example.fi/t/Qx7_k2Lm9PzR-4vTa8Yc0w"
CODE = "7KQ2-M9XD-PW4R-H8TZ"
PHONE = {"url": URL, "code": CODE}


def on_paper(slip: TicketSlip) -> bytes:
    printer = Dummy(profile="TM-T20II")
    print_slip(printer, slip)
    return printer.output


def answered(phone: Any = None, **more: Any) -> Issued:
    answer = {"ok": True, "ticket": ticket(**more), "phone": phone}
    event = issue_answer(answer, CONFIG, "fi", lambda: TUESDAY_10)
    assert isinstance(event, Issued)
    return event


def test_the_answers_phone_link_goes_onto_the_slip_the_flow_prints() -> None:
    lobby = Lobby().ready()
    lobby.touch("issue", service="kela")
    effects = lobby.answer({"ok": True, "ticket": ticket(), "phone": PHONE})
    (job,) = [e for e in effects if isinstance(e, Print)]
    assert job.slip.phone == PhoneLink(URL, CODE)
    ticket_on_paper = decode_ticket(on_paper(job.slip))
    assert [code.text for code in ticket_on_paper.qr_codes] == [URL]  # a phone scans this
    assert CODE in ticket_on_paper.text.splitlines()
    assert lobby.flow.phase is Phase.TICKET


def test_without_a_phone_link_the_slip_is_the_same_as_before() -> None:
    event = answered()
    assert event.slip.phone is None
    before = ticket_slip(_ticket_of(ticket()), CONFIG, "fi")
    assert on_paper(event.slip) == on_paper(before)
    assert decode_ticket(on_paper(event.slip)).qr_codes == []


def _ticket_of(body: dict[str, Any]) -> Any:
    from mqtt_bridge.messages import Ticket

    return Ticket.from_wire(body)


BAD_PHONES = [
    "https://jono.example.fi/t/x",  # not an object
    [URL, CODE],
    {"url": URL},  # no code
    {"code": CODE},  # no url
    {"url": URL, "code": "7kq2m9xdpw4rh8tz"},  # not as printed: the controller's form only
    {"url": URL, "code": "7KQ2-M9XD-PW4R-H8TU"},  # U is no Crockford character
    {"url": URL, "code": 12345},
    {"url": "javascript:alert(1)//t/Qx7_k2Lm9PzR-4vTa8Yc0w", "code": CODE},
    {"url": "ftp://jono.example.fi/t/Qx7_k2Lm9PzR-4vTa8Yc0w", "code": CODE},
    {"url": "https:///t/Qx7_k2Lm9PzR-4vTa8Yc0w", "code": CODE},  # no host
    {"url": "https://jono.example.fi/Qx7_k2Lm9PzR-4vTa8Yc0w", "code": CODE},  # no /t/
    {"url": "https://jono.example.fi/t/", "code": CODE},  # no token
    {"url": URL + "?utm_source=x", "code": CODE},
    {"url": "https://user@jono.example.fi/t/Qx7_k2Lm9PzR-4vTa8Yc0w", "code": CODE},
    {"url": "https://jono.example.fi/t/Qx7 k2Lm9PzR-4vTa8Yc0w", "code": CODE},
    {"url": "https://jönö.example.fi/t/Qx7_k2Lm9PzR-4vTa8Yc0w", "code": CODE},
    {"url": "https://[::1/t/Qx7_k2Lm9PzR-4vTa8Yc0w", "code": CODE},
    {"url": "https://jono.example.fi/" + "a/" * 100 + "t/Qx7_k2Lm9PzR-4vTa8Yc0w", "code": CODE},
]


@pytest.mark.parametrize("phone", BAD_PHONES)
def test_a_phone_link_that_cannot_be_read_is_left_off_and_the_number_prints(
    phone: Any, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    event = answered(phone=phone)
    assert event.slip.phone is None and event.slip.number == "K001"
    assert on_paper(event.slip) == on_paper(answered().slip)  # the slip of a site without
    assert "phone link cannot be read" in caplog.text
    # The log says what was wrong, never the link or the code it was given.
    assert "Qx7_k2Lm9PzR" not in caplog.text and "M9XD" not in caplog.text


def test_a_null_phone_is_no_phone_and_says_nothing(caplog: pytest.LogCaptureFixture) -> None:
    assert answered(phone=None).slip.phone is None
    assert "phone" not in caplog.text


def test_a_site_address_with_a_path_and_port_is_read() -> None:
    for url in ("https://192.168.1.10:8444/t/Qx7_k2Lm9PzR-4vTa8Yc0w",
                "http://kiosk.local/jono/t/Qx7_k2Lm9PzR-4vTa8Yc0w"):
        assert phone_link({"phone": {"url": url, "code": CODE}}) == PhoneLink(url, CODE)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=60),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=8,
)


@given(st.one_of(json_values, st.fixed_dictionaries({"url": json_values, "code": json_values}),
                 st.fixed_dictionaries({"url": st.just(URL), "code": json_values}),
                 st.fixed_dictionaries({"url": st.text(max_size=80), "code": st.just(CODE)})))
def test_any_phone_value_gives_a_link_or_none(value: Any) -> None:
    link = phone_link({"phone": value})
    assert link is None or (link.url == value["url"] and link.code == value["code"])


# -- the console's print jobs: the same QR code on the original and its copy --------------------


def job(copy: bool = False, phone: Any = None, **more: Any) -> bytes:
    body = {"request_id": f"r-{copy}", "lang": "sv",
            "ticket": ticket(number="K042", **more)}
    if copy:
        body["copy"] = True
    if phone is not None:
        body["phone"] = phone
    return json.dumps(body).encode()


def slip_for(parsed: Any) -> TicketSlip:  # as the kiosk role makes it
    return ticket_slip(parsed.ticket, CONFIG, parsed.lang, copy=parsed.copy, phone=parsed.phone)


def test_a_reprint_from_the_console_prints_the_same_qr_code_as_the_original() -> None:
    prints = RemotePrints()
    original = prints.take(job(phone=PHONE), False, slip_for)
    copy = prints.take(job(copy=True, phone=PHONE), False, slip_for)
    assert original is not None and copy is not None and copy.copy
    first, second = decode_ticket(on_paper(original)), decode_ticket(on_paper(copy))
    assert [c.text for c in first.qr_codes] == [c.text for c in second.qr_codes] == [URL]
    assert COPY_MARK in second.text and CODE in second.text.splitlines()


def test_a_print_job_with_an_unreadable_phone_link_still_prints(
    caplog: pytest.LogCaptureFixture,
) -> None:
    prints = RemotePrints()
    slip = prints.take(job(phone={"url": URL, "code": "nope"}), False, slip_for)
    assert slip is not None and slip.phone is None and prints.refused == 0
    assert "phone link cannot be read" in caplog.text


def test_a_print_job_keeps_its_link_out_of_its_repr() -> None:
    parsed = parse_job(job(phone=PHONE))
    assert parsed.phone == PhoneLink(URL, CODE)
    assert URL not in repr(parsed) and CODE not in repr(parsed)


def test_the_flow_prints_a_console_job_with_its_link() -> None:
    lobby = Lobby().ready()
    slip = slip_for(parse_job(job(phone=PHONE)))
    effects = lobby.on(kf.PrintJob(slip))
    assert [e.slip.phone for e in effects if isinstance(e, Print)] == [PhoneLink(URL, CODE)]


def test_the_consoles_reprint_job_carries_the_answers_link_to_the_kiosk() -> None:
    from firmware.web.actions import print_job
    from tests.test_mqtt_api_doc import check

    # The controller's answer to ticket/reprint carries the same phone link again; the
    # console's job for the kiosk keeps it, as the contract's PrintJob allows.
    answer_ticket = ticket(number="K042", lang="en")
    sent = print_job({"request_id": "r-9"}, answer_ticket, copy=True, phone=PHONE)
    check("PrintJob", sent)
    parsed = parse_job(json.dumps(sent).encode())
    assert (parsed.copy, parsed.lang, parsed.phone) == (True, "en", PhoneLink(URL, CODE))
