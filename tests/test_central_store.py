"""The central store on both of its databases, a SQLite file and a private PostgreSQL: each
event once by id across repeats and restarts, how far each site is complete, conflicts kept
out, the wire dict back as it came, and plain errors for stores that cannot be used."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count, pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware.broker import free_port
from firmware.central.store import CentralStore, SiteProgress, StoreError
from firmware.controller.ledger import Ledger
from tests.postgres import fresh_database, postgres_url  # noqa: F401 (pytest finds it here)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store of the test's own: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'central' / 'central.sqlite'}"
        return
    with fresh_database(request.getfixturevalue("postgres_url")) as database:
        yield database


def event(seq: int, *, id: str | None = None, type: str = "ticket.issued",
          day: str = "2026-12-01", **data: Any) -> dict[str, Any]:
    """A wire event as a site's controller publishes it."""
    return {**data, "id": f"e{seq}" if id is None else id, "seq": seq, "type": type,
            "at": f"{day}T09:{seq % 60:02d}:00+02:00", "day": day}


def stored_ids(store: CentralStore, site: str) -> list[str]:
    return [wire["id"] for _, wire in store.events(site=site)]


def test_each_event_is_stored_once_across_repeats_and_restarts(url: str) -> None:
    with CentralStore.open(url) as store:
        assert store.add("turku", event(1)) is True
        assert store.add("turku", event(1)) is False
        assert store.add_many("turku", [event(2), event(1), event(2), event(3)]) == 2
        assert store.add("oulu", event(1)) is True  # the same id at another site: its own
    with CentralStore.open(url) as store:  # the collector restarted; its schema is there
        assert store.add_many("turku", [event(3), event(2), event(1)]) == 0
        assert store.add("turku", event(4)) is True
        assert stored_ids(store, "turku") == ["e1", "e2", "e3", "e4"]
        assert stored_ids(store, "oulu") == ["e1"]
        assert [p.events for p in store.sites()] == [1, 4]
        assert store.conflicts == store.rejected == 0


def test_progress_after_arrival_out_of_order_with_gaps_then_a_replay(url: str) -> None:
    helsinki = ZoneInfo("Europe/Helsinki")
    now = [datetime(2026, 12, 1, 10, 0, tzinfo=helsinki)]
    with CentralStore.open(url, now=lambda: now[0]) as store:
        assert store.progress("oulu") is None and store.missing_from("oulu") is None
        assert store.add_many("oulu", [event(n) for n in (3, 1, 7, 5)]) == 4
        assert store.progress("oulu") == SiteProgress("oulu", 1, 7, 4, "2026-12-01T08:00:00+00:00")
        assert store.missing_from("oulu") == 2
        store.add("oulu", event(2))
        assert store.missing_from("oulu") == 4
        now[0] = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # the site was away for two days
        assert store.add_many("oulu", [event(n) for n in range(4, 10)]) == 4  # the replay
        done = SiteProgress("oulu", 9, 9, 9, "2026-12-03T09:30:00+00:00")
        assert store.progress("oulu") == done
        assert store.missing_from("oulu") is None
    with CentralStore.open(url) as store:
        assert store.progress("oulu") == done
        assert store.sites() == [done]


def test_a_long_run_behind_a_gap_counts_at_once_when_the_gap_is_filled(url: str) -> None:
    with CentralStore.open(url) as store:
        assert store.add_many("kemi", [event(n) for n in range(2, 2502)]) == 2500
        assert store.missing_from("kemi") == 1
        assert store.add("kemi", event(1)) is True
        progress = store.progress("kemi")
        assert progress is not None
        assert (progress.contiguous_seq, progress.max_seq, progress.events) == (2501,) * 3
        assert store.missing_from("kemi") is None
        # More than one page of events(), in order.
        assert [wire["seq"] for _, wire in store.events()] == list(range(1, 2502))


def test_a_second_id_for_a_stored_seq_is_kept_out_counted_and_logged(
        url: str, caplog: pytest.LogCaptureFixture) -> None:
    with CentralStore.open(url) as store, caplog.at_level(logging.WARNING):
        store.add("vaasa", event(1, id="first"))
        assert store.add("vaasa", event(1, id="forged")) is False
        assert store.add_many("vaasa", [event(1, id="forged-2"), event(2)]) == 1
        assert store.conflicts == 2
        assert "site vaasa: event forged claims seq 1, already stored as event first" in caplog.text
        assert store.add("vaasa", event(7, id="first")) is False  # a known id, another seq
        assert store.conflicts == 3
        assert "event first came again as seq 7, stored as seq 1" in caplog.text
        assert stored_ids(store, "vaasa") == ["first", "e2"]
        progress = store.progress("vaasa")
        assert progress is not None
        assert (progress.contiguous_seq, progress.max_seq, progress.events) == (2, 2, 2)


def test_events_filter_by_site_types_and_days_and_come_back_as_received(url: str) -> None:
    odd = event(1, type="feedback.given", day="2026-12-02", lang="sv",
                words="Hyvä palvelu, tack så mycket 👍", rating=4, ratio=0.75, masked=None,
                ratings={"1": 8, "2": [1, 2]}, extra_field={"nested": {"deep": True}},
                nul="a\x00b", surrogate="\ud800 lone")
    with CentralStore.open(url) as store:
        store.add("ab", odd)
        store.add_many("ab", [event(2, day="2026-12-02"), event(3, day="2026-12-03")])
        store.add_many("a-b", [event(5), event(4, type="survey.answered")])
        store.add("a", event(1, day="2026-11-30"))
        everything = list(store.events())
        assert [(site, wire["id"]) for site, wire in everything] == [
            ("a", "e1"), ("a-b", "e4"), ("a-b", "e5"), ("ab", "e1"), ("ab", "e2"), ("ab", "e3")]
        back = everything[3][1]
        assert back == odd and list(back) == list(odd)
        assert [p.site for p in store.sites()] == ["a", "a-b", "ab"]
        assert [w["id"] for _, w in store.events(site="ab", first_day="2026-12-02")] == [
            "e1", "e2", "e3"]
        assert [(s, w["id"]) for s, w in store.events(first_day="2026-12-01",
                                                        last_day="2026-12-02")] == [
            ("a-b", "e4"), ("a-b", "e5"), ("ab", "e1"), ("ab", "e2")]
        assert [(s, w["id"]) for s, w in store.events(
            types=["survey.answered", "feedback.given"], last_day="2026-12-01")] == [
            ("a-b", "e4")]
        assert list(store.events(types=[])) == []
        assert list(store.events(site="nowhere")) == []
        with pytest.raises(TypeError, match="not a str"):
            list(store.events(types="ticket.issued"))


NOT_EVENTS: list[Any] = [
    ["a", "list"], "text", None,
    {"seq": 1, "type": "t", "at": "a", "day": "d"},  # no id
    event(1, id=""), event(1, id="x" * 65), {**event(1), "id": 5},
    {**event(1), "seq": 0}, {**event(1), "seq": -3}, {**event(1), "seq": True},
    {**event(1), "seq": 1.0}, {**event(1), "seq": "1"}, {**event(1), "seq": 2**63},
    {**event(1), "type": None}, {**event(1), "at": 1234}, {"id": "e1", "seq": 1, "type": "t",
                                                          "at": "a"},  # no day
    event(1, id="nul\x00id"), event(1, type="lone \udc80 surrogate"),
    event(1, data={1, 2}),  # a set is not JSON
]


def test_what_is_not_an_event_raises_in_add_and_is_counted_in_add_many(url: str) -> None:
    with CentralStore.open(url) as store:
        for bad in NOT_EVENTS:
            with pytest.raises(ValueError):
                store.add("turku", bad)
        for site in ("Turku", "tur/ku", "", "x" * 33, "turku\n"):
            with pytest.raises(ValueError, match="not a site id"):
                store.add(site, event(1))
        assert store.rejected == len(NOT_EVENTS) + 5
        assert store.add_many("turku", [*NOT_EVENTS, event(1), event(1)]) == 1
        assert store.rejected == 2 * len(NOT_EVENTS) + 5
        assert store.add_many("TURKU", [event(1), event(2)]) == 0  # a site from a bad topic
        assert store.rejected == 2 * len(NOT_EVENTS) + 7
        assert stored_ids(store, "turku") == ["e1"]
        assert [p.site for p in store.sites()] == ["turku"]


def test_a_closed_store_says_so(url: str) -> None:
    store = CentralStore.open(url)
    store.close()
    store.close()  # twice is fine
    with pytest.raises(StoreError, match="is closed"):
        store.add("turku", event(1))


@pytest.mark.parametrize(("given", "says"), [
    ("", "no central store given"),
    ("   ", "no central store given"),
    ("mysql://u@h/db", "is no store piste knows: use sqlite:///"),
    ("postgresq://u@h/db", "is no store piste knows"),
    ("sqlite://host/central.sqlite", "a SQLite store has no host"),
    ("sqlite:", "names no file"),
])
def test_a_url_piste_does_not_know_is_a_plain_store_error(given: str, says: str) -> None:
    with pytest.raises(StoreError, match=says):
        CentralStore.open(given)


def test_a_sqlite_file_that_cannot_be_used_is_a_plain_store_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a database, but rather long text " * 100)
    (tmp_path / "a-file").write_text("")
    Ledger(tmp_path / "ledger.sqlite").close()  # a controller's ledger has `events` too
    for path, says in [
        (tmp_path, "cannot open the central store"),
        (tmp_path / "notes.txt", "cannot use the central store .*file is not a database"),
        (tmp_path / "a-file" / "central.sqlite", "cannot open the central store"),
        (tmp_path / "ledger.sqlite", "holds other tables named events or sites .*ledger"),
    ]:
        with pytest.raises(StoreError, match=says) as raised:
            CentralStore.open(str(path))
        assert "\n" not in str(raised.value)


def test_every_way_to_name_a_sqlite_file_and_its_durability(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with CentralStore.open("sqlite:new/dirs/central.sqlite") as store:  # relative
        store.add("turku", event(1))
        assert store._db.run("PRAGMA synchronous").fetchone() == (2,)  # FULL
    for same in (f"sqlite:///{tmp_path}/new/dirs/central.sqlite", "new/dirs/central.sqlite",
                 str(tmp_path / "new" / "dirs" / "central.sqlite")):
        with CentralStore.open(same) as store:
            assert stored_ids(store, "turku") == ["e1"]
    with sqlite3.connect(tmp_path / "new" / "dirs" / "central.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_an_unreachable_postgresql_is_a_plain_store_error_without_the_password() -> None:
    port = free_port()
    with pytest.raises(StoreError) as raised:
        CentralStore.open(f"postgresql://piste:s3cret@127.0.0.1:{port}/piste")
    message = str(raised.value)
    assert message.startswith(
        f"cannot connect to the central store postgresql://piste:***@127.0.0.1:{port}/piste: ")
    assert "s3cret" not in message and "\n" not in message


def test_a_missing_postgresql_database_is_a_plain_store_error(postgres_url: str) -> None:  # noqa: F811
    missing = postgres_url.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(StoreError, match='database "no_such_database" does not exist'):
        CentralStore.open(missing)


def test_a_lost_postgresql_connection_is_opened_again(postgres_url: str) -> None:  # noqa: F811
    with fresh_database(postgres_url) as database, CentralStore.open(database) as store:
        store.add("turku", event(1))
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [database.rsplit("/", 1)[1]]).fetchall()
        assert killed == [(True,)]
        assert store.add_many("turku", [event(1), event(2)]) == 1
        assert store.progress("turku").events == 2  # type: ignore[union-attr]


# -- against a model ------------------------------------------------------------------------

SITES = ("a", "b-2", "kuopio")
EXAMPLES = count()


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[tuple[str, dict[str, Any]]], list[int], int]:
    """Events 1..n of a few sites: some never arrive, the rest in any order and some more
    than once, a few forged twins with another id; cut into batches, a restart somewhere."""
    sent = []
    for site in draw(st.lists(st.sampled_from(SITES), min_size=1, max_size=3, unique=True)):
        for seq in range(1, draw(st.integers(1, 12)) + 1):
            sent += [(site, event(seq))] * draw(st.sampled_from([0, 1, 1, 1, 2]))
            if draw(st.integers(0, 9)) == 0:
                sent.append((site, event(seq, id=f"forged-{seq}")))
    order = draw(st.permutations(sent))
    cuts = draw(st.lists(st.integers(0, len(order)), max_size=5))
    return order, cuts, draw(st.integers(0, len(order)))


def model(order: list[tuple[str, dict[str, Any]]]) -> tuple[dict[str, dict[int, str]], int]:
    """What a store must keep: per site, seq -> the first id that arrived with it."""
    kept: dict[str, dict[int, str]] = {}
    conflicts = 0
    for site, wire in order:
        seqs = kept.setdefault(site, {})
        if seqs.get(wire["seq"], wire["id"]) != wire["id"]:
            conflicts += 1
        seqs.setdefault(wire["seq"], wire["id"])
    return kept, conflicts


def expected_progress(site: str, seqs: dict[int, str]) -> tuple[int, int, int, int | None]:
    contiguous = 0
    while contiguous + 1 in seqs:
        contiguous += 1
    highest = max(seqs)
    return contiguous, highest, len(seqs), contiguous + 1 if highest > contiguous else None


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # sites differ per example
@given(plan=deliveries())
def test_the_store_keeps_what_a_simple_model_keeps(
        url: str, plan: tuple[list[tuple[str, dict[str, Any]]], list[int], int]) -> None:
    order, cuts, restart = plan
    prefix = f"x{next(EXAMPLES)}-"  # one database for all examples: each its own sites
    order = [(prefix + site, wire) for site, wire in order]
    new = conflicts = 0
    store = CentralStore.open(url)
    try:
        for start, end in pairwise(sorted({0, len(order), restart, *cuts})):
            if start == restart:
                conflicts += store.conflicts
                store.close()
                store = CentralStore.open(url)
            new += _deliver(store, order[start:end])
        conflicts += store.conflicts
        kept, expected_conflicts = model(order)
        assert new == sum(len(seqs) for seqs in kept.values())
        assert conflicts == expected_conflicts
        for site, seqs in kept.items():
            progress = store.progress(site)
            assert progress is not None
            assert (progress.contiguous_seq, progress.max_seq, progress.events,
                    store.missing_from(site)) == expected_progress(site, seqs)
            assert stored_ids(store, site) == [seqs[seq] for seq in sorted(seqs)]
    finally:
        store.close()


def _deliver(store: CentralStore, chunk: list[tuple[str, dict[str, Any]]]) -> int:
    """One event through add, more through add_many per site (in their order of arrival)."""
    if len(chunk) == 1:
        return int(store.add(*chunk[0]))
    by_site: dict[str, list[dict[str, Any]]] = {}
    for site, wire in chunk:
        by_site.setdefault(site, []).append(wire)
    return sum(store.add_many(site, events) for site, events in by_site.items())


def test_collectors_starting_together_on_a_new_database_all_open_it(
        postgres_url: str) -> None:  # noqa: F811
    """A group of collectors started at once: each makes the tables if missing, and none
    fails on another's half-made ones."""

    def open_it(database: str, start: threading.Barrier, errors: list[StoreError]) -> None:
        start.wait()
        try:
            CentralStore.open(database).close()
        except StoreError as exc:
            errors.append(exc)

    for _ in range(5):
        with fresh_database(postgres_url) as database:
            start, errors = threading.Barrier(4), []
            threads = [threading.Thread(target=open_it, args=(database, start, errors))
                       for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            assert errors == []
