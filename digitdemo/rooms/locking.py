"""Transactions on the rooms database, and how writers take turns: SQLite's single writer in WAL mode, queued per
file in the process; PostgreSQL's advisory locks. Any database failure becomes StorageUnavailableError."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from digitdemo.errors import StorageUnavailableError
from digitdemo.rooms.database import SQLITE_BUSY_SECONDS

SQLITE_RETRY_SECONDS = 0.01
# PostgreSQL advisory locks are (namespace, key) pairs shared by the whole database: "DIGI" marks ours.
LOCK_NAMESPACE = 0x44494749
MIGRATION_LOCK = -1
OPEN_LOCK = -2  # room keys are the room code read as a base-25 number, 0..25**6-1

log = logging.getLogger("digitdemo.rooms")
_SQLITE_WRITERS: dict[str, threading.Lock] = {}
_SQLITE_WRITERS_LOCK = threading.Lock()


@contextlib.contextmanager
def storage_errors() -> Iterator[None]:
    """Turn any database failure into StorageUnavailableError (logged with its cause for the operator)."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        log.warning("rooms database unavailable: %s", exc)
        raise StorageUnavailableError("storage.unavailable") from exc


def prepare_sqlite_file(engine: Engine) -> None:
    """For an SQLite file: make its folder and put it in WAL mode (readers never wait for the writer; the setting is
    kept in the file). Other databases are left as they are."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return
    try:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("rooms database folder cannot be made: %s", exc)
        raise StorageUnavailableError("storage.unavailable") from exc
    with storage_errors():
        _switch_to_wal(engine)


def _switch_to_wal(engine: Engine) -> None:
    """SQLite refuses the switch to WAL with "database is locked" at once, without waiting out the busy timeout,
    while another connection writes in rollback mode, as another process's own switch does when several start on a
    new file together (8 of 300 rounds of three processes failed so), so the switch is tried again until
    SQLITE_BUSY_SECONDS have passed."""
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            return
        except sa.exc.OperationalError as exc:
            busy = getattr(exc.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
        time.sleep(SQLITE_RETRY_SECONDS)


@contextlib.contextmanager
def transaction(engine: Engine, lock: int | None = None) -> Iterator[Connection]:
    """One transaction, committed at the end; with `lock`, writers holding the same lock go one at a time.

    SQLite has a single writer anyway: a locked transaction starts with BEGIN IMMEDIATE, so that what it reads
    (a count before an insert) is still true when it writes. PostgreSQL takes an advisory lock on `lock`.
    """
    with storage_errors(), _writer_queue(engine, lock), engine.connect() as conn:
        if lock is not None:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(
                    sa.text("SELECT pg_advisory_xact_lock(CAST(:ns AS integer), CAST(:key AS integer))"),
                    {"ns": LOCK_NAMESPACE, "key": lock},
                )
        yield conn
        conn.commit()


def _writer_queue(engine: Engine, lock: int | None) -> contextlib.AbstractContextManager:
    """For an SQLite writer, the process-wide lock of its file: threads queue here rather than in SQLite's busy
    handler, whose growing sleeps left 60 simultaneous sends answered only seconds later."""
    if lock is None or engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    with _SQLITE_WRITERS_LOCK:
        return _SQLITE_WRITERS.setdefault(str(engine.url.database), threading.Lock())
