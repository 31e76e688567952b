"""Where the class rooms live: the database URL (environment, secrets or an SQLite file) and its SQLAlchemy engine."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from digitdemo.errors import StorageUnavailableError

DATABASE_URL_ENV = "DIGITDEMO_DATABASE_URL"
DATA_DIR_ENV = "DIGITDEMO_DATA_DIR"
DATABASE_FILE = "classrooms.sqlite3"
SQLITE_BUSY_SECONDS = 30  # how long a writer waits for another's lock: 60 sends in one second land well within it
POSTGRES_CONNECT_SECONDS = 5


def default_data_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Folder for the SQLite file: DIGITDEMO_DATA_DIR, else $XDG_DATA_HOME/digitdemo, else ~/.local/share/digitdemo."""
    if env.get(DATA_DIR_ENV):
        return Path(env[DATA_DIR_ENV]).expanduser()
    base = Path(env["XDG_DATA_HOME"]) if env.get("XDG_DATA_HOME") else Path.home() / ".local" / "share"
    return base / "digitdemo"


def resolve_database_url(secret_url: str | None = None, env: Mapping[str, str] = os.environ) -> str:
    """The rooms database: DIGITDEMO_DATABASE_URL, else `secret_url` (from secrets.toml), else an SQLite file.

    PostgreSQL URLs without a driver (postgres://, postgresql://) get psycopg 3, the driver this project installs.
    """
    url = env.get(DATABASE_URL_ENV) or secret_url
    if not url:
        return f"sqlite:///{default_data_dir(env) / DATABASE_FILE}"
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def engine_options(url: str) -> dict:
    """Keyword arguments for sqlalchemy.create_engine (and st.connection) that the rooms rely on for `url`."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_SECONDS}}
    # After the server restarts, pooled connections are dead: test each before use instead of failing once.
    return {"pool_pre_ping": True, "connect_args": {"connect_timeout": POSTGRES_CONNECT_SECONDS}}


def build_engine(url: str) -> Engine:
    """An SQLAlchemy engine for `url` with engine_options; StorageUnavailableError for a malformed URL or a missing
    driver."""
    try:
        return sa.create_engine(url, **engine_options(url))
    except (sa.exc.ArgumentError, ImportError) as exc:
        # The URL may hold a password: only its scheme goes into the message.
        raise StorageUnavailableError("storage.bad_url", scheme=url.split(":", 1)[0]) from exc
