"""Shared fixtures: a real Mosquitto on a free port, headless SDL, mock GPIO pins."""

from __future__ import annotations

import os
import subprocess
import uuid
import weakref
from dataclasses import dataclass

# The libraries' own switches for a machine without screen, sound or GPIO. Set before any
# test imports pygame or gpiozero.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from collections.abc import Iterator
from pathlib import Path

import pytest

from firmware.broker import LocalBroker
from mqtt_bridge.memory import MemoryBroker
from tests.wire_contract import check, topic_matches
from tests.wire_spy import FLUSH_PREFIX, WireSpy

# The private PostgreSQL server of the central store's tests, for any test that asks.
pytest_plugins = ["tests.postgres", "pytester"]

ROOT = Path(__file__).resolve().parent.parent
DEMO_SITE = ROOT / "config" / "demo-site.toml"


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """One real broker for the tests that only need one; each test uses its own site id."""
    with LocalBroker(tmp_path_factory.mktemp("mosquitto")) as running:
        yield running


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A broker of the test's own, for tests that kill or restart it."""
    with LocalBroker(tmp_path / "mosquitto") as running:
        yield running


# The wire contract, kept true for good: every broker the suite starts (LocalBroker, and
# DebianBroker on Debian's own config, which starts through it) gets a spy that records
# every message (tests/wire_spy.py), and after each test everything its brokers carried
# since the last check is checked against docs/mqtt-api.yaml (tests/wire_contract.py). A
# broker with logins and an ACL (the access-control tests, the production configs) gets one
# login more for the spy in the test's own copy of the password file and ACL, reading
# everything and writing only its own flush markers; a TLS listener is reached with the CA
# its config names (the test's). A central broker's spy sees what the bridges carried in.
#
# Tests that write malformed messages on purpose (fuzzing, attacks, garbage print jobs) name
# the topics they abuse with @pytest.mark.wire_abuse("cmd/#", ...). By topic, because MQTT 5
# tells a subscriber nothing about who published; the declared topics are the ones only a
# test's own client writes malformed (commands, print jobs), while the program's answers
# (`reply/...`), events, state, status, health and alerts are never declared, so everything
# the program publishes is still checked.
_SPIES: list[WireSpy] = []  # every spy of the session, until its messages are checked
# The in-memory brokers of the running test (tests/test_*.py through `memory_broker`): their
# tap records every message they take in, checked the same way after the test.
_MEMORY_WIRES: list[list[tuple[str, bytes, bool]]] = []
# The live spy of each running broker, by the broker itself: weakly, since an id() is reused
# once its object is gone, and a new broker taken for an old one got the old one's spy login
# (it was never written to the new broker's files: the spy was refused, now and then).
_SPY_OF: weakref.WeakKeyDictionary[LocalBroker, WireSpy] = weakref.WeakKeyDictionary()


SPY_USER = "piste-wire-spy"


@dataclass(frozen=True)
class SpyLogin:
    username: str = ""  # "" on a broker that lets anyone in
    password: str = ""
    ca_file: str = ""  # the listener's CA when it takes only TLS


def _conf_lines(path: Path) -> list[str]:
    """The broker's config as Mosquitto reads it: an `include_dir` (Debian's main config
    has conf.d) brings in its `*.conf` files there, in the order of their names."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        lines.append(line)
        if line.split(None, 1)[:1] == ["include_dir"]:
            for part in sorted(Path(line.split(None, 1)[1].strip()).glob("*.conf")):
                lines += _conf_lines(part)
    return lines


def _options(lines: list[str], port: int) -> tuple[dict[str, str], dict[str, str]]:
    """(the broker's options, those of its listener on `port`). Logins and ACL are the
    broker's (per_listener_settings false, as piste's configs have it); TLS is the
    listener's: the lines after its `listener` line, up to the next one's."""
    everywhere: dict[str, str] = {}
    listeners: dict[str, dict[str, str]] = {}
    current = None
    for line in lines:
        if not line or line.startswith("#"):
            continue
        key, value = [*line.split(None, 1), ""][:2]
        if key == "listener":
            current = listeners.setdefault(value.split()[0], {})
            continue
        everywhere[key] = value.strip()
        if current is not None:
            current[key] = value.strip()
    return everywhere, listeners.get(str(port), {})


def _spy_login(broker: LocalBroker) -> SpyLogin:
    """How the spy logs in: anonymously on an open broker; on one with logins, with a login
    of its own added to the test's password file, and an ACL entry in the test's ACL that
    reads everything and writes only its own flush markers; over TLS with the listener's
    CA (the test's) when the listener takes only TLS."""
    options, listener = _options(_conf_lines(broker.conf), broker.port)
    if listener.get("require_certificate") == "true":
        raise RuntimeError(f"the wire spy has no client certificate for {broker.conf}")
    ca_file = ""
    if "certfile" in listener:
        ca_file = listener.get("cafile", "")
        if not ca_file:
            raise RuntimeError(f"the wire spy finds no cafile to trust in {broker.conf}")
    passwd, acl = options.get("password_file"), options.get("acl_file")
    if passwd is None:
        if options.get("allow_anonymous") != "true":
            raise RuntimeError(f"the wire spy cannot log in to the broker of {broker.conf}")
        return SpyLogin(ca_file=ca_file)
    secret = uuid.uuid4().hex
    subprocess.run(["mosquitto_passwd", "-b", passwd, SPY_USER, secret], check=True,
                   capture_output=True)
    if acl is not None:
        with open(acl, "a", encoding="utf-8") as rules:
            rules.write(f"\nuser {SPY_USER}\ntopic read #\ntopic write {FLUSH_PREFIX}#\n")
    return SpyLogin(SPY_USER, secret, ca_file)


def wire_seen(broker: LocalBroker) -> set[str]:
    """The topics the spy on a running broker has recorded in this test (flushed first), for
    a test that makes sure its broker is watched: what is not recorded is not checked."""
    spy = _SPY_OF.get(broker)
    assert spy is not None and spy.flush(), f"no wire spy on the broker of {broker.conf}"
    return {topic for topic, _, _ in spy.since(0)}


@pytest.fixture(scope="session", autouse=True)
def _spy_on_every_broker() -> Iterator[None]:
    start, stop = LocalBroker.start, LocalBroker.stop

    logins: weakref.WeakKeyDictionary[LocalBroker, SpyLogin] = weakref.WeakKeyDictionary()

    def start_and_spy(self: LocalBroker, timeout: float = 10.0) -> LocalBroker:
        if self not in logins:  # once: a restarted broker keeps its files
            logins[self] = _spy_login(self)
        started = start(self, timeout)
        old = _SPY_OF.pop(self, None)
        if old is not None:  # from before a kill: it would reconnect on its own
            old.close()
        login = logins[self]
        _SPY_OF[self] = spy = WireSpy(self.host, self.port, login.username,
                                      login.password, login.ca_file).start()
        _SPIES.append(spy)
        return started

    def flush_and_stop(self: LocalBroker) -> None:
        spy = _SPY_OF.pop(self, None)
        if spy is not None:
            spy.flush()
            spy.close()
        stop(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LocalBroker, "start", start_and_spy)
        patch.setattr(LocalBroker, "stop", flush_and_stop)
        yield
    for spy in list(_SPY_OF.values()):
        spy.close()


@pytest.fixture
def memory_broker() -> Iterator[MemoryBroker]:
    """An MQTT broker in memory (mqtt_bridge/memory.py) for a test of a device's behaviour,
    its every message checked against docs/mqtt-api.yaml after the test like a real one's."""
    broker = MemoryBroker()
    wire: list[tuple[str, bytes, bool]] = []
    broker.taps.append(lambda topic, payload, retain: wire.append((topic, payload, retain)))
    _MEMORY_WIRES.append(wire)
    yield broker


def _abused(request: pytest.FixtureRequest) -> list[str]:
    """Topic filters the test declared it writes malformed on purpose (`wire_abuse`), relative
    to `piste/v1/{site}/` unless they name their own root."""
    filters = []
    for marker in request.node.iter_markers("wire_abuse"):
        for name in marker.args:
            filters.append(name if name.startswith(("piste/", "homeassistant/"))
                           else f"piste/v1/+/{name}")
    return filters


@pytest.fixture(autouse=True)
def wire_contract(request: pytest.FixtureRequest) -> Iterator[None]:
    """After the test, checks every message its brokers carried (set up first among the
    test's fixtures, so checked after its devices and brokers have stopped)."""
    yield
    live = set(map(id, list(_SPY_OF.values())))
    for spy in list(_SPY_OF.values()):
        spy.flush()
    abused = _abused(request)
    failures = []
    carried = [spy.drain() for spy in list(_SPIES)] + _MEMORY_WIRES
    for spy in list(_SPIES):
        if id(spy) not in live:
            _SPIES.remove(spy)  # its broker has stopped: nothing more will come
    _MEMORY_WIRES.clear()  # a memory broker lives no longer than its test
    for messages in carried:
        for topic, payload, retained in messages:
            if any(topic_matches(f, topic) for f in abused):
                continue
            verdict = check(topic, payload, retained)
            if not verdict.ok:
                failures.append(f"  {topic}: {verdict.error}\n    {payload[:200]!r}")
    failures = list(dict.fromkeys(failures))
    if failures and os.environ.get("PISTE_WIRE_LOG"):  # to measure the whole suite at once
        with open(os.environ["PISTE_WIRE_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{request.node.nodeid}\n" + "\n".join(failures) + "\n")
    if failures:
        pytest.fail(f"{len(failures)} message(s) on the wire do not match docs/mqtt-api.yaml "
                    "(declare deliberate ones with @pytest.mark.wire_abuse):\n"
                    + "\n".join(failures[:40]), pytrace=False)
