"""The collector's store: every site's events, each once, and how far each site is complete.

SQLite for one server (WAL, synchronous=FULL, as the controller's ledger), PostgreSQL through
psycopg 3 for a national deployment. Both get the same schema and the same SQL text: times
are ISO text, conflicts are `INSERT ... ON CONFLICT DO NOTHING`, and the only translation,
`?` to `%s`, happens in `_Postgres.run`. That is why this module speaks plain DB-API
instead of sqlite-utils, which knows only SQLite.

An event is stored once per (site, id); a second event claiming a stored (site, seq) under
another id is a conflict: the first one stays, the other is counted and logged. The `sites`
table keeps, in the same transaction as the inserts, how far each site is complete
(`contiguous_seq`: every seq 1..it is stored), so the collector finds the first missing
seq without counting millions of rows. Several collectors sharing the work may write one
store (PostgreSQL) at once: the watermark is the store's, kept right under their concurrent
transactions (see `_advance`), and `replay_asks` lets them ask for a hole once between them.

One writer thread per store object (its collector); the lock only keeps a stray second
caller from interleaving statements on the one connection.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

log = logging.getLogger(__name__)

SITE_ID = re.compile(r"[a-z0-9-]{1,32}")
MAX_ID = 64
MAX_SEQ = 2**63 - 1  # BIGINT in PostgreSQL, INTEGER in SQLite
PAGE = 1000  # rows per query in events(): a nation's year is never held in memory at once
CONNECT_TIMEOUT_S = 10  # libpq waits forever by default for a host that does not answer
URLS = ("sqlite:///ABSOLUTE/PATH, sqlite:RELATIVE/PATH, a plain path, or "
        "postgresql://USER:PASSWORD@HOST:PORT/DATABASE")

SCHEMA = (
    # UNIQUE (site, seq) is also the index the gap queries and events() walk.
    """CREATE TABLE IF NOT EXISTS events (
        site TEXT NOT NULL, id TEXT NOT NULL, seq BIGINT NOT NULL,
        type TEXT NOT NULL, at TEXT NOT NULL, day TEXT NOT NULL,
        data TEXT NOT NULL, received_at TEXT NOT NULL,
        PRIMARY KEY (site, id), UNIQUE (site, seq))""",
    "CREATE INDEX IF NOT EXISTS events_type_day ON events (type, day)",
    """CREATE TABLE IF NOT EXISTS sites (
        site TEXT PRIMARY KEY, contiguous_seq BIGINT NOT NULL, max_seq BIGINT NOT NULL,
        events BIGINT NOT NULL, last_received TEXT NOT NULL)""",
    # Who asked a site for a replay from which seq, and when: collectors sharing the work
    # ask once for a hole between them, not once each. A table of its own, so a store
    # made before it gains it without touching `sites`.
    """CREATE TABLE IF NOT EXISTS replay_asks (
        site TEXT PRIMARY KEY, from_seq BIGINT NOT NULL, asked_at TEXT NOT NULL)""",
)
# Tables of the same name from something else (a controller's ledger has `events` too)
# fail here, at the door, instead of in the middle of a national morning.
SCHEMA_CHECK = (
    "SELECT site, id, seq, type, at, day, data, received_at FROM events WHERE 1 = 0",
    "SELECT site, contiguous_seq, max_seq, events, last_received FROM sites WHERE 1 = 0",
    "SELECT site, from_seq, asked_at FROM replay_asks WHERE 1 = 0",
)
# A claim on asking for a replay: taken if nobody asked for this seq, or the last ask is
# older than `asked_at` given; one statement, so two collectors cannot both win it.
CLAIM_ASK = ("INSERT INTO replay_asks (site, from_seq, asked_at) VALUES (?, ?, ?) "
             "ON CONFLICT (site) DO UPDATE SET from_seq = excluded.from_seq, "
             "asked_at = excluded.asked_at "
             "WHERE replay_asks.from_seq <> excluded.from_seq OR replay_asks.asked_at <= ?")
INSERT_EVENT = ("INSERT INTO events (site, id, seq, type, at, day, data, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
SAME_ID_OR_SEQ = "SELECT id, seq FROM events WHERE site = ? AND (id = ? OR seq = ?)"
COUNT_NEW = (
    "INSERT INTO sites (site, contiguous_seq, max_seq, events, last_received) "
    "VALUES (?, 0, ?, ?, ?) ON CONFLICT (site) DO UPDATE SET "
    "max_seq = CASE WHEN excluded.max_seq > sites.max_seq "
    "THEN excluded.max_seq ELSE sites.max_seq END, "
    "events = sites.events + excluded.events, last_received = excluded.last_received")
# The end of the run of stored seqs that starts right after `contiguous_seq`: the first
# stored seq whose successor is not stored. One index walk, however long the run.
RUN_END = ("SELECT e.seq FROM events e WHERE e.site = ? AND e.seq > ? AND NOT EXISTS "
           "(SELECT 1 FROM events n WHERE n.site = e.site AND n.seq = e.seq + 1) "
           "ORDER BY e.seq LIMIT 1")
PROGRESS = "SELECT site, contiguous_seq, max_seq, events, last_received FROM sites"

T = TypeVar("T")


@dataclass(frozen=True)
class SiteProgress:
    site: str
    contiguous_seq: int  # every seq 1..contiguous_seq is stored
    max_seq: int  # the highest seq stored
    events: int  # how many events stored
    last_received: str  # ISO time (UTC) of the last stored event's arrival, "" if none


class StoreError(Exception):
    """A store URL or database that cannot be used; the message says which and why."""


class _Row(NamedTuple):
    id: str
    seq: int
    type: str
    at: str
    day: str
    data: str  # the whole wire dict as JSON


class _Outcome(NamedTuple):
    new: int
    conflicts: list[str]


class _SQLite:
    setup = ("PRAGMA journal_mode=WAL",
             "PRAGMA synchronous=FULL")  # NORMAL can lose a committed batch at a power cut
    schema_lock: tuple[str, ...] = ()  # BEGIN IMMEDIATE already holds the file
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, path: str, read_only: bool = False) -> None:
        self.name = path
        try:
            if read_only:
                # A reader creates nothing: a mistyped name is said, not made an empty store.
                if not Path(path).is_file():
                    raise StoreError(f"there is no central store at {path} (no such file): "
                                     "give the collector's file, as for piste central --db")
                self.setup = ()
                self.conn = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro",
                                            uri=True, isolation_level=None, timeout=30)
                return
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Opened by the CLI, used by the collector's thread: one thread at a time.
            self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                        timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the central store {path}: {_plain(exc)}") from None

    def run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")  # the write lock now, not halfway through
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.rollback()
            raise
        self.conn.execute("COMMIT")

    def reconnect(self) -> bool:
        return False  # a file does not go away like a server does

    def close(self) -> None:
        self.conn.close()


class _Postgres:
    setup: tuple[str, ...] = ()
    # CREATE TABLE IF NOT EXISTS is not safe against itself: collectors of one group that
    # start together on a new database would fail on each other's half-made tables. One
    # lock, held to the commit, makes them take turns (the number is piste's own, 'pist').
    schema_lock = ("SELECT pg_advisory_xact_lock(1885959028)",)

    def __init__(self, url: str) -> None:
        try:
            import psycopg  # only a national server needs it, never a Pi in the lobby
        except ImportError:
            raise StoreError("a PostgreSQL store needs psycopg: install piste with its "
                             "'central' extra (pip install 'piste[central]')") from None
        self._psycopg = psycopg
        self.errors = (psycopg.Error,)
        self.url = url
        self.name = _masked(url)
        self.conn = self._connect()

    def _connect(self) -> Any:
        psycopg = self._psycopg
        try:
            given = psycopg.conninfo.conninfo_to_dict(self.url)
            extra = {} if "connect_timeout" in given else {"connect_timeout": CONNECT_TIMEOUT_S}
            return psycopg.connect(self.url, autocommit=True, **extra)
        except psycopg.Error as exc:
            raise StoreError(
                f"cannot connect to the central store {self.name}: {_plain(exc)}") from None

    def run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql.replace("?", "%s"), params)  # the one translation

    def transaction(self) -> AbstractContextManager[Any]:
        return self.conn.transaction()

    def reconnect(self) -> bool:
        """True if the connection had been lost and is back; False for any other error."""
        if not (self.conn.closed or self.conn.broken):
            return False
        self.conn.close()
        self.conn = self._connect()
        return True

    def close(self) -> None:
        self.conn.close()


_Database = _SQLite | _Postgres


class CentralStore:
    """Every site's events, each once by (site, id), with each site's progress."""

    def __init__(self, db: _Database, now: Callable[[], datetime]) -> None:
        self._db = db
        self._now = now
        self._lock = threading.RLock()
        self._closed = False
        self.rejected = 0  # non-events offered since open (add raises, add_many skips)
        self.conflicts = 0  # events kept out: their seq or id was stored with another

    @classmethod
    def open(cls, url: str, *, now: Callable[[], datetime] | None = None,
             read_only: bool = False) -> CentralStore:
        """The store at `url`, its tables created if missing. `now` gives the arrival time
        (an aware datetime); the system clock in UTC by default. A `read_only` store (for
        reports) must exist already: nothing is created or changed."""
        db = _connect(url, read_only)
        try:
            for statement in db.setup:
                db.run(statement)
            if not read_only:
                with db.transaction():
                    for statement in (*db.schema_lock, *SCHEMA):
                        db.run(statement)
        except db.errors as exc:
            db.close()
            raise StoreError(f"cannot use the central store {db.name}: {_plain(exc)}") from None
        try:
            for statement in SCHEMA_CHECK:
                db.run(statement)
        except db.errors:
            db.close()
            if read_only:
                raise StoreError(f"{db.name} is not a piste central store (it has no events "
                                 "and sites tables): give the collector's store, as for "
                                 "piste central --db") from None
            raise StoreError(
                f"{db.name} already holds other tables named events or sites (a controller's "
                "ledger?), not a piste central store: give another file or database") from None
        return cls(db, now or (lambda: datetime.now(UTC)))

    @property
    def name(self) -> str:
        """The store as it may be printed and logged: a PostgreSQL password masked."""
        return self._db.name

    def __enter__(self) -> CentralStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    # -- writing ---------------------------------------------------------------------------

    def add(self, site: str, event: dict[str, Any]) -> bool:
        """Store one event. True if it was new; False for a repeat (or a conflict).
        ValueError for a site id or an event that is not one."""
        try:
            row = _row(site, event)
        except ValueError:
            self.rejected += 1
            raise
        return self._store(site, [row]) == 1

    def add_many(self, site: str, events: Iterable[dict[str, Any]]) -> int:
        """Store a batch in one transaction; how many were new. What is not an event is
        passed over and counted in `rejected` (all of them for a site id that is not one:
        the site comes from a topic anyone on the broker could have written)."""
        rows: list[_Row] = []
        for event in events:
            try:
                rows.append(_row(site, event))
            except ValueError as exc:
                self.rejected += 1
                log.warning("site %.40r: passed over an event: %s", site, exc)
        return self._store(site, rows) if rows else 0

    def _store(self, site: str, rows: list[_Row]) -> int:
        outcome = self._guarded(lambda: self._insert(site, rows), write=True)
        # Counted and told only after the commit: a retried transaction must not count twice.
        for conflict in outcome.conflicts:
            log.warning("site %s: %s; kept the first", site, conflict)
        self.conflicts += len(outcome.conflicts)
        return outcome.new

    def _insert(self, site: str, rows: list[_Row]) -> _Outcome:
        received = self._now().astimezone(UTC).isoformat(timespec="seconds")
        new: set[int] = set()
        conflicts: list[str] = []
        for row in rows:
            cursor = self._db.run(INSERT_EVENT, (site, *row, received))
            if cursor.rowcount == 1:
                new.add(row.seq)
            elif (conflict := self._conflict(site, row)) is not None:
                conflicts.append(conflict)
        if new:
            self._advance(site, new, received)
        return _Outcome(len(new), conflicts)

    def _conflict(self, site: str, row: _Row) -> str | None:
        """Why `row` was not inserted: None for a plain repeat, else the conflict."""
        stored = dict(self._db.run(SAME_ID_OR_SEQ, (site, row.id, row.seq)).fetchall())
        if stored.get(row.id) == row.seq:
            return None
        if row.id in stored:
            return f"event {row.id} came again as seq {row.seq}, stored as seq {stored[row.id]}"
        other = next(event_id for event_id, seq in stored.items() if seq == row.seq)
        return f"event {row.id} claims seq {row.seq}, already stored as event {other}"

    def _advance(self, site: str, new: set[int], received: str) -> None:
        # The upsert first: it locks the site's row until the commit (in PostgreSQL; SQLite's
        # BEGIN IMMEDIATE holds the whole file). Collectors sharing the work thus move one
        # site's watermark one after the other, and each reads it, and looks for the end of
        # the run, after the other's events are committed. Read before the lock, two at
        # once could each miss the other's events and leave `contiguous_seq` behind for good.
        self._db.run(COUNT_NEW, (site, max(new), len(new), received))
        (contiguous,) = self._db.run("SELECT contiguous_seq FROM sites WHERE site = ?",
                                     (site,)).fetchone()
        # Only a new event can be the one right after the complete run: had it been stored
        # before, the run would already reach past it.
        if contiguous + 1 in new:
            (end,) = self._db.run(RUN_END, (site, contiguous)).fetchone()
            self._db.run("UPDATE sites SET contiguous_seq = ? WHERE site = ?", (end, site))

    def claim_replay(self, site: str, from_seq: int, again_after_s: float) -> bool:
        """True if this collector is to ask `site` for a replay from `from_seq`: nobody
        asked for it yet, or the last ask is `again_after_s` old. Collectors sharing the
        store share this, so a hole is asked for once, whoever saw it."""
        now = self._now().astimezone(UTC)
        stale = (now - timedelta(seconds=again_after_s)).isoformat(timespec="milliseconds")
        at = now.isoformat(timespec="milliseconds")
        cursor = self._guarded(lambda: self._db.run(CLAIM_ASK, (site, from_seq, at, stale)),
                               write=True)
        return bool(cursor.rowcount == 1)

    # -- reading ---------------------------------------------------------------------------

    def missing_from(self, site: str) -> int | None:
        """The first seq to ask the site to replay from, or None if nothing is missing."""
        progress = self.progress(site)
        if progress is None or progress.max_seq <= progress.contiguous_seq:
            return None
        return progress.contiguous_seq + 1

    def progress(self, site: str) -> SiteProgress | None:
        rows = self._fetch(f"{PROGRESS} WHERE site = ?", (site,))
        return SiteProgress(*rows[0]) if rows else None

    def sites(self) -> list[SiteProgress]:
        # Sorted here, not by ORDER BY: PostgreSQL would sort by its locale ("a-b" among
        # "ab..."), SQLite by bytes; Python gives both the same order.
        return sorted((SiteProgress(*row) for row in self._fetch(PROGRESS)),
                      key=lambda progress: progress.site)

    def events(self, *, site: str | None = None, types: Sequence[str] | None = None,
               first_day: str | None = None, last_day: str | None = None
               ) -> Iterator[tuple[str, dict[str, Any]]]:
        """(site, the wire dict as received), by site and seq; days are both included."""
        if isinstance(types, str):
            raise TypeError(f"types is a list of event types, such as [{types!r}], not a str")
        if types is not None and not types:
            return
        where: list[str] = ["site = ?", "seq > ?"]
        params: list[Any] = []
        if types is not None:
            where.append(f"type IN ({', '.join('?' * len(types))})")
            params += types
        for clause, day in (("day >= ?", first_day), ("day <= ?", last_day)):
            if day is not None:
                where.append(clause)
                params.append(day)
        sql = f"SELECT seq, data FROM events WHERE {' AND '.join(where)} ORDER BY seq LIMIT ?"
        names = [site] if site is not None else [progress.site for progress in self.sites()]
        for name in names:
            after = 0
            while True:  # by pages on (site, seq): no lock or transaction held while yielding
                page = self._fetch(sql, (name, after, *params, PAGE))
                for _, data in page:
                    yield name, json.loads(data)
                if len(page) < PAGE:
                    break
                after = page[-1][0]

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self._guarded(lambda: self._db.run(sql, params).fetchall(), write=False)

    # -- one place for database trouble ----------------------------------------------------

    def _guarded(self, work: Callable[[], T], *, write: bool) -> T:
        """Run `work` (in a transaction if it writes). A lost PostgreSQL connection is opened
        again and the work run once more: safe, because a repeat of a committed insert
        changes nothing. Any other database error is a StoreError."""
        with self._lock:
            if self._closed:
                raise StoreError(f"the central store {self._db.name} is closed")
            try:
                return self._attempt(work, write)
            except self._db.errors as exc:
                if not self._db.reconnect():
                    raise StoreError(
                        f"the central store {self._db.name} failed: {_plain(exc)}") from exc
                log.warning("lost the connection to %s (%s); connected again", self._db.name,
                            _plain(exc))
            try:
                return self._attempt(work, write)
            except self._db.errors as exc:
                raise StoreError(
                    f"the central store {self._db.name} failed: {_plain(exc)}") from exc

    def _attempt(self, work: Callable[[], T], write: bool) -> T:
        if not write:
            return work()
        with self._db.transaction():
            return work()


def _row(site: str, event: object) -> _Row:
    """The stored form of one wire event, or ValueError saying what is wrong with it."""
    if not isinstance(site, str) or not SITE_ID.fullmatch(site):
        raise ValueError(f"site {_show(site)} is not a site id (1 to 32 of a-z, 0-9 and -)")
    if not isinstance(event, dict):
        raise ValueError(f"an event is a JSON object, not {type(event).__name__}")
    event_id, seq = event.get("id"), event.get("seq")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= MAX_ID:
        raise ValueError(f"event id {_show(event_id)}: must be a text of 1 to {MAX_ID} "
                         "characters")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"event {event_id}: seq {_show(seq)} is not a whole number from 1")
    texts = [event_id]
    for key in ("type", "at", "day"):
        value = event.get(key)
        if not isinstance(value, str):
            raise ValueError(f"event {event_id}: {key} {_show(value)} is not a text")
        texts.append(value)
    for text in texts:
        # PostgreSQL's text cannot hold NUL, and neither database a lone surrogate: both
        # refuse them here alike, instead of one of them halfway through a batch.
        if "\x00" in text or not _encodable(text):
            raise ValueError(f"event {_show(event_id)}: {_show(text)} holds a character "
                             "that cannot be stored")
    return _Row(event_id, seq, texts[1], texts[2], texts[3], _json(event_id, event))


def _json(event_id: str, event: dict[str, Any]) -> str:
    try:
        text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"event {event_id}: not JSON ({exc})") from None
    # json escapes NUL itself; a lone surrogate (valid in JSON text) needs ASCII escapes.
    return text if _encodable(text) else json.dumps(event, separators=(",", ":"))


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _plain(exc: BaseException) -> str:
    """A database's message on one line (libpq's come with newlines and tabs)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _masked(url: str) -> str:
    """The URL as it may be printed and logged: without its password."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = f"{parts.username or ''}:***@{netloc.rpartition('@')[2]}"
    masked = urlunsplit(parts._replace(netloc=netloc))
    return re.sub(r"(password=)[^&]*", r"\1***", masked)


def _connect(url: str, read_only: bool = False) -> _Database:
    if not isinstance(url, str) or not url.strip():
        raise StoreError(f"no central store given: use {URLS}")
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    kind = scheme.group(1).lower() if scheme else ""
    if kind in ("postgresql", "postgres"):
        return _Postgres(url)
    if kind == "sqlite":
        return _SQLite(_sqlite_path(url), read_only)
    if kind:
        raise StoreError(f"{_masked(url)} is no store piste knows: use {URLS}")
    return _SQLite(url, read_only)


def _sqlite_path(url: str) -> str:
    path = url[len("sqlite:"):]
    if path.startswith("//"):
        path = path[2:]
        if not path.startswith("/"):
            raise StoreError(f"{url}: a SQLite store has no host; use {URLS}")
    if not path:
        raise StoreError(f"{url} names no file: use {URLS}")
    return path
