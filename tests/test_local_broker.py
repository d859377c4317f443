"""The tests' and the demo's private Mosquitto (firmware/broker.py) when its port is taken:
a free port is free only until someone binds it, and the suite's workers pick ports at the
same time. A broker that took our port must never pass for ours (the wire spy then logged
in to another test's broker, was refused, and the test failed now and then)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware.broker import LocalBroker, PortTaken, _listens


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port someone else listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_broker_whose_chosen_port_was_taken_listens_on_another(
        tmp_path: Path, taken_port: int) -> None:
    broker = LocalBroker(tmp_path / "broker")
    broker._move_to(taken_port)  # as if another worker had bound its choice meanwhile
    with broker:
        assert broker.port != taken_port
        assert broker.process is not None and _listens(broker.process.pid, broker.port)
        assert f"listener {broker.port} " in broker.conf.read_text().splitlines()[0] + " "


def test_a_broker_given_a_taken_port_says_so(tmp_path: Path, taken_port: int) -> None:
    broker = LocalBroker(tmp_path / "broker", port=taken_port)
    with pytest.raises(PortTaken, match=f"port {taken_port} is taken"):
        broker.start()
