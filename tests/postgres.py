"""A private PostgreSQL server for the test run, like the private Mosquitto: initdb into a
temporary folder, a free port on 127.0.0.1, the socket in that folder, trust for local
connections (a throwaway server that only this run can reach), stopped and removed at the
end. The system's cluster on 5432, if the Debian package started one, is neither used nor
touched.

Use `postgres_url` (the server, database `piste`) or `postgres_db` (a fresh database per
test); import them into the test module so pytest finds them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from firmware.central.local_postgres import (
    MISSING,
    LocalPostgres,
    PostgresError,
    server_bin_dir,
)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """"postgresql://postgres@127.0.0.1:PORT/piste" on a server of this test run's own."""
    bin_dir = server_bin_dir()
    if bin_dir is None:
        pytest.fail(MISSING, pytrace=False)  # never a silent skip: CI must test PostgreSQL
    try:
        server = LocalPostgres(bin_dir).__enter__()
    except PostgresError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server.url()
    finally:
        server.stop()


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the private server; dropped afterwards, even if a test left
    a connection open."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    base = server_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[str]:
    """The URL of a database of this test's own on the private server."""
    with fresh_database(postgres_url) as url:
        yield url
