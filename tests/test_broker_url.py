"""The broker address from the command line: whatever is typed, either a host and a port
that mean what was typed, or a plain sentence (never an exception of another kind)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mqtt_bridge.broker_url import BrokerUrl, BrokerUrlError, parse

labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
hostnames = st.lists(labels, min_size=1, max_size=4).map(".".join)
ports = st.integers(1, 65535)
schemes = st.sampled_from(["mqtt://", "tcp://", "mqtts://", "ssl://", ""])


@given(st.text(max_size=200))
def test_any_text_gives_an_address_or_a_plain_sentence(text: str) -> None:
    try:
        address = parse(text)
    except BrokerUrlError as exc:
        message = str(exc)
        assert message.startswith("broker URL '")
        assert len(message) < 400  # a pasted screenful is not echoed back whole
        assert all(c.isprintable() for c in message)
        return
    assert 1 <= address.port <= 65535
    assert (address.host and address.host in text) or "[" in text
    assert "/" not in address.host and "@" not in address.host


@given(st.sampled_from("!\"#$%&'()*+,/;<=>?@[\\]^`{|}~ "), st.text(max_size=20))
def test_a_stray_character_before_the_host_is_never_read_as_a_host(junk: str,
                                                                   rest: str) -> None:
    # mqtt//bad once gave host "mqtt": whatever follows a scheme name must not be dropped.
    with pytest.raises(BrokerUrlError):
        parse(f"mqtt{junk}{rest}" if junk not in ":" else "mqtt:/x")


@given(schemes, hostnames, ports)
def test_a_well_formed_address_reads_back(scheme: str, host: str, port: int) -> None:
    address = parse(f"{scheme}{host}:{port}")
    tls = {"mqtts://": True, "ssl://": True, "": None}.get(scheme, False)
    assert address == BrokerUrl(host, port, tls)


@given(schemes, hostnames)
def test_the_port_defaults_by_scheme(scheme: str, host: str) -> None:
    expected = 8883 if scheme in ("mqtts://", "ssl://") else 1883
    assert parse(f"{scheme}{host}").port == expected


@given(st.ip_addresses(v=6), ports)
def test_ipv6_in_brackets(address: ipaddress.IPv6Address, port: int) -> None:
    assert parse(f"mqtt://[{address}]:{port}") == BrokerUrl(str(address), port, False)


@given(hostnames, st.one_of(st.integers(max_value=0), st.integers(min_value=65536),
                            st.from_regex(r"[^0-9/@]+", fullmatch=True)))
def test_a_bad_port_is_refused_as_a_port(host: str, port: object) -> None:
    with pytest.raises(BrokerUrlError, match="port"):
        parse(f"mqtt://{host}:{port}")
