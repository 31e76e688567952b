"""Class rooms: students send their drawings to a room, the teacher reads the class's results and manages the room.

Storage is SQL through SQLAlchemy: an SQLite file by default, PostgreSQL when a URL is given. The schema is
versioned in a migration table and upgraded at start under a lock, so several processes may start at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import logging
import math
import os
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from digitdemo.data import N_CLASSES, N_PIXELS
from digitdemo.errors import RoomError, StorageUnavailableError, TeacherKeyError
from digitdemo.metrics import confusion_matrix, misclassified, per_digit_accuracy

DATABASE_URL_ENV = "DIGITDEMO_DATABASE_URL"
DATA_DIR_ENV = "DIGITDEMO_DATA_DIR"
DATABASE_FILE = "classrooms.sqlite3"
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: what a student reads off a projector and types on a phone cannot be mistaken.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6  # 25**6 = 244 million codes
TEACHER_KEY_BYTES = 32  # 256 bits from secrets; only its SHA-256 is stored
STUDENT_TOKEN_BYTES = 16
STUDENT_TOKEN_LENGTHS = (16, 128)
MODEL_NAME_MAX = 64
# The lab's inputs lie about -0.13..1.13; far outside this is not a drawing the app made.
PIXEL_RANGE = (-1.0, 2.0)
PROBABILITY_SUM_TOLERANCE = 1e-3
SQLITE_BUSY_SECONDS = 30  # how long a writer waits for another's lock: 60 sends in one second land well within it
SQLITE_RETRY_SECONDS = 0.01
POSTGRES_CONNECT_SECONDS = 5
SECONDS_PER_DAY = 86_400
SECONDS_PER_HOUR = 3_600
RATE_WINDOW_SECONDS = 60
# PostgreSQL advisory locks are (namespace, key) pairs shared by the whole database: "DIGI" marks ours.
LOCK_NAMESPACE = 0x44494749
MIGRATION_LOCK = -1
OPEN_LOCK = -2  # room keys are the room code read as a base-25 number, 0..25**6-1

log = logging.getLogger(__name__)
_SQLITE_WRITERS: dict[str, threading.Lock] = {}
_SQLITE_WRITERS_LOCK = threading.Lock()


def is_student_token(token: object) -> bool:
    """Whether `token` can be a student token (a string of the lengths new_student_token makes)."""
    return isinstance(token, str) and STUDENT_TOKEN_LENGTHS[0] <= len(token) <= STUDENT_TOKEN_LENGTHS[1]


def csv_bytes(X: np.ndarray, y: np.ndarray) -> bytes:
    """Drawings X (n, 400) and labels y (n, 1) as CSV: header x0..x399,label, then per drawing 400 column-major values
    and its label."""
    out = io.StringIO()
    header = ",".join([*(f"x{i}" for i in range(N_PIXELS)), "label"])
    # %.9g keeps every float32 exactly; labels stay whole numbers.
    np.savetxt(out, np.hstack([X, y]), fmt=["%.9g"] * N_PIXELS + ["%d"], delimiter=",", header=header, comments="")
    return out.getvalue().encode()


def npz_bytes(X: np.ndarray, y: np.ndarray) -> bytes:
    """Drawings X (n, 400) float32 column-major and labels y (n, 1) int64 as an .npz holding X and y, as data/ does."""
    out = io.BytesIO()
    np.savez_compressed(out, X=X, y=y)
    return out.getvalue()


@dataclass(frozen=True)
class Limits:
    """What one server accepts: sends per student per minute, drawings per room, open rooms, rooms kept (open or
    closed: a closed room stays readable and exportable until it expires), days a room is kept.

    kept_rooms is what bounds the storage: at most kept_rooms * drawings_per_room drawings are ever stored.
    """

    sends_per_minute: int = 20
    drawings_per_room: int = 5000
    open_rooms: int = 100
    kept_rooms: int = 300
    room_days: float = 7.0


class OpenedRoom(NamedTuple):
    """A new room: the code students type, and the teacher key that only the teacher's browser holds."""

    code: str
    teacher_key: str


class Room(NamedTuple):
    """A room as students and the teacher see it; times are seconds since the epoch (UTC)."""

    code: str
    opened_at: float
    expires_at: float
    closed: bool


class StoredDrawing(NamedTuple):
    """One sent drawing: x (400,) float32 column-major as the network saw it, probabilities (10,) float32."""

    id: int
    x: np.ndarray
    label: int
    prediction: int
    probabilities: np.ndarray
    model: str
    sent_at: float


class ClassStats(NamedTuple):
    """The class's drawings as the network read them: confusion (10, 10) int64 rows labels, per_digit (10,) float64."""

    count: int
    correct: int
    confusion: np.ndarray
    per_digit: np.ndarray

    @property
    def accuracy(self) -> float | None:
        """Share of drawings read right, or None before the first drawing."""
        return self.correct / self.count if self.count else None


class ClassView(NamedTuple):
    """The teacher's class view of a room: the room, its stats and the misread drawings chosen."""

    room: Room
    stats: ClassStats
    misread: list[StoredDrawing]


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
    """Keyword arguments for sqlalchemy.create_engine (and st.connection) that this module relies on for `url`."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_SECONDS}}
    # After the server restarts, pooled connections are dead: test each before use instead of failing once.
    return {"pool_pre_ping": True, "connect_args": {"connect_timeout": POSTGRES_CONNECT_SECONDS}}


def build_engine(url: str) -> Engine:
    """An SQLAlchemy engine for `url` with engine_options; a malformed URL or missing driver is StorageUnavailableError."""
    try:
        return sa.create_engine(url, **engine_options(url))
    except (sa.exc.ArgumentError, ImportError) as exc:
        # The URL may hold a password: only its scheme goes into the message.
        raise StorageUnavailableError("storage.bad_url", scheme=url.split(":", 1)[0]) from exc


def new_student_token() -> str:
    """A random anonymous token for one browser; it names no one and is stored only as a hash."""
    return secrets.token_urlsafe(STUDENT_TOKEN_BYTES)


def normalize_code(code: object) -> str:
    """A room code as typed ('ac d-34x') -> its canonical form ('ACD34X'); RoomError if it cannot be one."""
    if isinstance(code, str):
        cleaned = "".join(code.split()).replace("-", "").upper()
        if len(cleaned) == CODE_LENGTH and all(c in CODE_ALPHABET for c in cleaned):
            return cleaned
    raise RoomError("rooms.code_invalid", length=CODE_LENGTH)


def check_drawing(
    x: object, label: object, probabilities: object, model: object
) -> tuple[np.ndarray, int, np.ndarray, str]:
    """Validate a drawing to send -> x (400,) float32, label int, probabilities (10,) float32, model name.

    Refuses, with RoomError, anything but 400 finite numbers in the lab's range, a whole-number label 0-9, ten
    probabilities from 0 to 1 that sum to 1, and a model name of 1-64 characters.
    """
    pixels = _numbers(x, "rooms.drawing_invalid")
    if pixels.shape != (N_PIXELS,):
        raise RoomError("rooms.drawing_shape", expected=N_PIXELS, shape=str(pixels.shape))
    if not np.isfinite(pixels).all() or pixels.min() < PIXEL_RANGE[0] or pixels.max() > PIXEL_RANGE[1]:
        raise RoomError("rooms.drawing_invalid")
    proba = _numbers(probabilities, "rooms.probabilities_invalid")
    if (
        proba.shape != (N_CLASSES,)
        or not np.isfinite(proba).all()
        or proba.min() < 0
        or proba.max() > 1
        or abs(proba.sum() - 1) > PROBABILITY_SUM_TOLERANCE
    ):
        raise RoomError("rooms.probabilities_invalid")
    if not isinstance(model, str) or not 0 < len(model) <= MODEL_NAME_MAX:
        raise RoomError("rooms.model_invalid", limit=MODEL_NAME_MAX)
    return pixels.astype(np.float32), _digit(label), proba.astype(np.float32), model


def _numbers(values: object, msg_id: str) -> np.ndarray:
    """Any array-like of real numbers -> float64 ndarray; RoomError(msg_id) for text, objects or ragged lists."""
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as exc:
        raise RoomError(msg_id) from exc
    if array.dtype.kind not in "fiu":
        raise RoomError(msg_id)
    return array.astype(np.float64)


def _digit(label: object) -> int:
    """A label 0-9 given as an int or NumPy integer -> int; RoomError otherwise (bools and floats included)."""
    if isinstance(label, (int, np.integer)) and not isinstance(label, (bool, np.bool_)) and 0 <= label < N_CLASSES:
        return int(label)
    raise RoomError("rooms.label_invalid", label=repr(label))


def _digest(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret: a slow password hash buys nothing against 128+ random bits."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _code_number(code: str) -> int:
    """A canonical room code -> its value as a base-25 number (0..25**6-1), the room's lock key."""
    value = 0
    for char in code:
        value = value * len(CODE_ALPHABET) + CODE_ALPHABET.index(char)
    return value


def _encode(array: np.ndarray) -> bytes:
    """float32 array -> little-endian bytes for a BLOB/BYTEA column."""
    return np.ascontiguousarray(array, dtype="<f4").tobytes()


def _decode(blob: bytes) -> np.ndarray:
    """Bytes from _encode -> writable float32 array."""
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)


# Schema history. Each migration takes the schema from the version before it to its own; a migration, once
# released, never changes: new columns and tables come as a new one appended here.
def _migration_1(conn: Connection) -> None:
    """Rooms and their drawings."""
    md = sa.MetaData()
    sa.Table(
        "digitdemo_rooms",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("opened_at", sa.Float, nullable=False),
        sa.Column("closed_at", sa.Float),
    )
    sa.Table(
        "digitdemo_drawings",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("room_id", sa.Integer, sa.ForeignKey("digitdemo_rooms.id"), nullable=False),
        sa.Column("student_hash", sa.String(64), nullable=False),
        sa.Column("pixels", sa.LargeBinary, nullable=False),
        sa.Column("label", sa.SmallInteger, nullable=False),
        sa.Column("prediction", sa.SmallInteger, nullable=False),
        sa.Column("probabilities", sa.LargeBinary, nullable=False),
        sa.Column("model", sa.String(MODEL_NAME_MAX), nullable=False),
        sa.Column("sent_at", sa.Float, nullable=False),
        sa.Index("digitdemo_drawings_student", "room_id", "student_hash", "sent_at"),
    )
    md.create_all(conn, checkfirst=False)


def _migration_2(conn: Connection) -> None:
    """A send id per drawing, unique in its room, so that a send retried after a lost answer is stored once."""
    conn.execute(sa.text("ALTER TABLE digitdemo_drawings ADD COLUMN send_id VARCHAR(64)"))
    conn.execute(sa.text("CREATE UNIQUE INDEX digitdemo_drawings_send ON digitdemo_drawings (room_id, send_id)"))


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_migration_1, _migration_2)
SCHEMA_VERSION = len(MIGRATIONS)

_SCHEMA_MD = sa.MetaData()
SCHEMA_TABLE = sa.Table(
    "digitdemo_schema",
    _SCHEMA_MD,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.Float, nullable=False),
)
# Queries name only the columns they use; the tables themselves are made by the migrations above.
ROOMS = sa.table(
    "digitdemo_rooms",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("key_hash", sa.String),
    sa.column("opened_at", sa.Float),
    sa.column("closed_at", sa.Float),
)
DRAWINGS = sa.table(
    "digitdemo_drawings",
    sa.column("id", sa.Integer),
    sa.column("room_id", sa.Integer),
    sa.column("student_hash", sa.String),
    sa.column("pixels", sa.LargeBinary),
    sa.column("label", sa.SmallInteger),
    sa.column("prediction", sa.SmallInteger),
    sa.column("probabilities", sa.LargeBinary),
    sa.column("model", sa.String),
    sa.column("sent_at", sa.Float),
    sa.column("send_id", sa.String),
)
DRAWING_COLUMNS = (
    DRAWINGS.c.id,
    DRAWINGS.c.pixels,
    DRAWINGS.c.label,
    DRAWINGS.c.prediction,
    DRAWINGS.c.probabilities,
    DRAWINGS.c.model,
    DRAWINGS.c.sent_at,
)


class _RoomRow(NamedTuple):
    id: int
    code: str
    key_hash: str
    opened_at: float
    closed_at: float | None


class RoomStore:
    """Class rooms kept in the database behind `engine` (SQLite or PostgreSQL), with `limits` and a `clock`.

    Call prepare() once at start. Every method raises RoomError (or its TeacherKeyError) for a refused request and
    StorageUnavailableError when the database cannot be reached; neither leaves a partial change behind.
    """

    def __init__(self, engine: Engine, limits: Limits = Limits(), clock: Callable[[], float] = time.time) -> None:
        if engine.dialect.name not in ("sqlite", "postgresql"):
            raise StorageUnavailableError("storage.unsupported", dialect=engine.dialect.name)
        self.engine = engine
        self.limits = limits
        self.clock = clock

    # -- start -----------------------------------------------------------------------------------------------
    def prepare(self) -> int:
        """At start: bring the schema to the newest version (see migrate), purge expired rooms -> the version."""
        version = self.migrate()
        self.purge_expired()
        return version

    def migrate(self, target: int = SCHEMA_VERSION) -> int:
        """Apply the migrations after the database's version up to `target`, under a lock -> the version now.

        An SQLite file gets its folder made and is switched to WAL first.
        """
        database = self.engine.url.database
        if self.engine.dialect.name == "sqlite" and database and database != ":memory:":
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                log.warning("rooms database folder cannot be made: %s", exc)
                raise StorageUnavailableError("storage.unavailable") from exc
            with self._storage():
                self._switch_to_wal()
        with self._transaction(MIGRATION_LOCK) as conn:
            SCHEMA_TABLE.create(conn, checkfirst=True)
            current = conn.execute(sa.select(sa.func.max(SCHEMA_TABLE.c.version))).scalar() or 0
            if current > SCHEMA_VERSION:
                raise StorageUnavailableError("storage.schema_newer", found=current, supported=SCHEMA_VERSION)
            for version in range(current + 1, target + 1):
                MIGRATIONS[version - 1](conn)
                conn.execute(sa.insert(SCHEMA_TABLE).values(version=version, applied_at=self.clock()))
            return max(current, target)

    def purge_expired(self) -> int:
        """Delete rooms older than limits.room_days with their drawings -> number of rooms deleted."""
        with self._transaction(OPEN_LOCK) as conn:
            return self._purge(conn)

    # -- students --------------------------------------------------------------------------------------------
    def open_room(self) -> OpenedRoom:
        """A new room with a fresh code and teacher key; RoomError when the server holds limits.open_rooms open rooms,
        or limits.kept_rooms rooms open or closed (the message says in how many hours the oldest expires)."""
        teacher_key = secrets.token_urlsafe(TEACHER_KEY_BYTES)
        with self._transaction(OPEN_LOCK) as conn:
            self._purge(conn)
            kept, closed, oldest = conn.execute(
                sa.select(sa.func.count(), sa.func.count(ROOMS.c.closed_at), sa.func.min(ROOMS.c.opened_at))
            ).one()
            # The open limit first: closing a room frees a place under it, which the message suggests.
            if kept - closed >= self.limits.open_rooms:
                raise RoomError("rooms.server_full", limit=self.limits.open_rooms)
            if kept >= self.limits.kept_rooms:
                hours = math.ceil((self._expires_at(oldest) - self.clock()) / SECONDS_PER_HOUR)
                raise RoomError(
                    "rooms.server_kept_full",
                    limit=self.limits.kept_rooms,
                    days=f"{self.limits.room_days:g}",
                    hours=max(hours, 1),
                )
            code = self._unused_code(conn)
            conn.execute(sa.insert(ROOMS).values(code=code, key_hash=_digest(teacher_key), opened_at=self.clock()))
        return OpenedRoom(code, teacher_key)

    def join_room(self, code: str) -> Room:
        """The open room with this code (as typed) -> Room; RoomError if there is none or it is closed."""
        with self._transaction() as conn:
            return self._public(self._open_room(conn, code))

    def send_drawing(
        self,
        code: str,
        student: str,
        x: np.ndarray,
        label: int,
        probabilities: np.ndarray,
        model: str,
        send_id: str | None = None,
    ) -> int:
        """Store a student's drawing x (400,) with the digit they meant and the network's (10,) probabilities -> id.

        The prediction stored is the argmax of `probabilities`. Everything is checked before the database is
        touched. The same student repeating a `send_id` in a room gets the first send's id and stores nothing new.
        """
        pixels, label, proba, model = check_drawing(x, label, probabilities, model)
        student_hash = self._student_hash(student)
        send_id = send_id or uuid.uuid4().hex
        if not isinstance(send_id, str) or len(send_id) > 64:
            raise RoomError("rooms.send_id_invalid")
        with self._locked_room(code, self._open_room) as (conn, room):
            earlier = conn.execute(
                sa.select(DRAWINGS.c.id, DRAWINGS.c.student_hash).where(
                    DRAWINGS.c.room_id == room.id, DRAWINGS.c.send_id == send_id
                )
            ).first()
            if earlier is not None:
                if earlier.student_hash != student_hash:  # another student's send id: not a retry of this one
                    raise RoomError("rooms.send_id_invalid")
                return earlier.id
            in_room = conn.execute(
                sa.select(sa.func.count()).select_from(DRAWINGS).where(DRAWINGS.c.room_id == room.id)
            ).scalar_one()
            if in_room >= self.limits.drawings_per_room:
                raise RoomError("rooms.full", limit=self.limits.drawings_per_room)
            now = self.clock()
            recent = conn.execute(
                sa.select(sa.func.count())
                .select_from(DRAWINGS)
                .where(
                    DRAWINGS.c.room_id == room.id,
                    DRAWINGS.c.student_hash == student_hash,
                    DRAWINGS.c.sent_at > now - RATE_WINDOW_SECONDS,
                )
            ).scalar_one()
            if recent >= self.limits.sends_per_minute:
                raise RoomError("rooms.too_fast", limit=self.limits.sends_per_minute)
            return conn.execute(
                sa.insert(DRAWINGS)
                .values(
                    room_id=room.id,
                    student_hash=student_hash,
                    pixels=_encode(pixels),
                    label=label,
                    prediction=int(np.argmax(proba)),
                    probabilities=_encode(proba),
                    model=model,
                    sent_at=now,
                    send_id=send_id,
                )
                .returning(DRAWINGS.c.id)
            ).scalar_one()

    def my_drawings(self, code: str, student: str) -> list[StoredDrawing]:
        """This student's drawings in this room, oldest first (also after the room is closed)."""
        student_hash = self._student_hash(student)
        with self._transaction() as conn:
            room = self._room(conn, code)
            return self._drawings(conn, (DRAWINGS.c.room_id == room.id) & (DRAWINGS.c.student_hash == student_hash))

    # -- teacher ---------------------------------------------------------------------------------------------
    def teacher_room(self, code: str, teacher_key: str) -> Room:
        """The room, if `teacher_key` is its key -> Room; TeacherKeyError otherwise."""
        with self._transaction() as conn:
            return self._public(self._teacher(conn, code, teacher_key))

    def class_view(
        self,
        code: str,
        teacher_key: str,
        label: int | None = None,
        prediction: int | None = None,
        limit: int | None = None,
    ) -> ClassView:
        """What the teacher's class view shows, read in one transaction: the room, its ClassStats (count, right
        answers, confusion matrix (10, 10), per-digit accuracy (10,)) and the drawings the network misread, oldest
        first, optionally of one label and/or one prediction, at most `limit`."""
        label = None if label is None else _digit(label)
        prediction = None if prediction is None else _digit(prediction)
        with self._transaction() as conn:
            room = self._teacher(conn, code, teacher_key)
            ids, labels, predictions = self._labels(conn, room)
            chosen = ids[misclassified(labels, predictions, label, prediction)][:limit]
            misread = self._drawings(conn, DRAWINGS.c.id.in_(chosen.tolist())) if len(chosen) else []
        counts = confusion_matrix(labels, predictions)
        stats = ClassStats(len(labels), int(np.trace(counts)), counts, per_digit_accuracy(counts))
        return ClassView(self._public(room), stats, misread)

    def class_stats(self, code: str, teacher_key: str) -> ClassStats:
        """Count, right answers, confusion matrix (10, 10) and per-digit accuracy (10,) of the room's drawings."""
        return self.class_view(code, teacher_key, limit=0).stats

    def misread(
        self,
        code: str,
        teacher_key: str,
        label: int | None = None,
        prediction: int | None = None,
        limit: int | None = None,
    ) -> list[StoredDrawing]:
        """The room's drawings the network misread, oldest first, optionally of one label and/or one prediction."""
        return self.class_view(code, teacher_key, label, prediction, limit).misread

    def export_arrays(self, code: str, teacher_key: str) -> tuple[np.ndarray, np.ndarray]:
        """The room's drawings in the lab's layout: X (n, 400) float32 column-major, y (n, 1) int64, oldest first."""
        with self._transaction() as conn:
            room = self._teacher(conn, code, teacher_key)
            rows = conn.execute(
                sa.select(DRAWINGS.c.pixels, DRAWINGS.c.label)
                .where(DRAWINGS.c.room_id == room.id)
                .order_by(DRAWINGS.c.id)
            ).all()
        X = np.stack([_decode(row.pixels) for row in rows]) if rows else np.zeros((0, N_PIXELS), np.float32)
        return X, np.array([[row.label] for row in rows], dtype=np.int64).reshape(-1, 1)

    def remove_drawing(self, code: str, teacher_key: str, drawing_id: int) -> None:
        """Delete one drawing of this room; RoomError if the room has no drawing with that id."""
        with self._locked_room(code, self._teacher, teacher_key) as (conn, room):
            deleted = conn.execute(
                sa.delete(DRAWINGS).where(DRAWINGS.c.room_id == room.id, DRAWINGS.c.id == drawing_id)
            ).rowcount
            if not deleted:
                raise RoomError("rooms.drawing_not_found", drawing=drawing_id)

    def clear_room(self, code: str, teacher_key: str) -> int:
        """Delete all of this room's drawings -> how many; the room stays open."""
        with self._locked_room(code, self._teacher, teacher_key) as (conn, room):
            return conn.execute(sa.delete(DRAWINGS).where(DRAWINGS.c.room_id == room.id)).rowcount

    def close_room(self, code: str, teacher_key: str) -> None:
        """Stop the room taking drawings or students; the teacher can still read and export it until it expires."""
        with self._locked_room(code, self._teacher, teacher_key) as (conn, room):
            if room.closed_at is None:
                conn.execute(sa.update(ROOMS).where(ROOMS.c.id == room.id).values(closed_at=self.clock()))

    # -- internals -------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _storage(self) -> Iterator[None]:
        """Turn any database failure into StorageUnavailableError (logged with its cause for the operator)."""
        try:
            yield
        except sa.exc.SQLAlchemyError as exc:
            log.warning("rooms database unavailable: %s", exc)
            raise StorageUnavailableError("storage.unavailable") from exc

    def _switch_to_wal(self) -> None:
        """Put the SQLite file in WAL mode: readers never wait for the writer; the setting is kept in the file.

        SQLite refuses the switch with "database is locked" at once, without waiting out the busy timeout, while
        another connection writes in rollback mode, as another process's own switch does when several start on a new
        file together (8 of 300 rounds of three processes failed so), so the switch is tried again until
        SQLITE_BUSY_SECONDS have passed.
        """
        deadline = time.monotonic() + SQLITE_BUSY_SECONDS
        while True:
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA journal_mode=WAL")
                return
            except sa.exc.OperationalError as exc:
                busy = getattr(exc.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() > deadline:
                    raise
            time.sleep(SQLITE_RETRY_SECONDS)

    @contextlib.contextmanager
    def _transaction(self, lock: int | None = None) -> Iterator[Connection]:
        """One transaction, committed at the end; with `lock`, writers holding the same lock go one at a time.

        SQLite has a single writer anyway: a locked transaction starts with BEGIN IMMEDIATE, so that what it reads
        (a count before an insert) is still true when it writes. PostgreSQL takes an advisory lock on `lock`.
        """
        with self._storage(), self._queue(lock), self.engine.connect() as conn:
            if lock is not None:
                if self.engine.dialect.name == "sqlite":
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    conn.execute(
                        sa.text("SELECT pg_advisory_xact_lock(CAST(:ns AS integer), CAST(:key AS integer))"),
                        {"ns": LOCK_NAMESPACE, "key": lock},
                    )
            yield conn
            conn.commit()

    def _queue(self, lock: int | None) -> contextlib.AbstractContextManager:
        """For an SQLite writer, the process-wide lock of its file: threads queue here rather than in SQLite's busy
        handler, whose growing sleeps left 60 simultaneous sends answered only seconds later."""
        if lock is None or self.engine.dialect.name != "sqlite":
            return contextlib.nullcontext()
        with _SQLITE_WRITERS_LOCK:
            return _SQLITE_WRITERS.setdefault(str(self.engine.url.database), threading.Lock())

    def _purge(self, conn: Connection) -> int:
        """Delete expired rooms and their drawings inside the caller's transaction -> rooms deleted."""
        cutoff = self.clock() - self.limits.room_days * SECONDS_PER_DAY
        expired = sa.select(ROOMS.c.id).where(ROOMS.c.opened_at <= cutoff).scalar_subquery()
        conn.execute(sa.delete(DRAWINGS).where(DRAWINGS.c.room_id.in_(expired)))
        return conn.execute(sa.delete(ROOMS).where(ROOMS.c.opened_at <= cutoff)).rowcount

    def _unused_code(self, conn: Connection) -> str:
        """A random room code no stored room has (the caller holds OPEN_LOCK, so no one takes it meanwhile)."""
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if conn.execute(sa.select(ROOMS.c.id).where(ROOMS.c.code == code)).first() is None:
                return code

    @contextlib.contextmanager
    def _locked_room(
        self, code: str, find: Callable[..., _RoomRow], *args: object
    ) -> Iterator[tuple[Connection, _RoomRow]]:
        """The opening of every change to one room: a transaction holding the room's lock (so that what is counted
        or checked still holds when written) and the room `find(conn, code, *args)` accepts -> (connection, room).
        A code that cannot be one is refused before the database is touched."""
        canonical = normalize_code(code)
        with self._transaction(_code_number(canonical)) as conn:
            yield conn, find(conn, canonical, *args)

    def _room(self, conn: Connection, code: str) -> _RoomRow:
        """The unexpired room with this code; RoomError if there is none."""
        canonical = normalize_code(code)
        row = conn.execute(sa.select(ROOMS).where(ROOMS.c.code == canonical)).first()
        if row is None or self._expires_at(row.opened_at) <= self.clock():
            raise RoomError("rooms.not_found", code=canonical, days=f"{self.limits.room_days:g}")
        return _RoomRow(*row)

    def _open_room(self, conn: Connection, code: str) -> _RoomRow:
        """The unexpired room with this code, still open; RoomError if there is none or it is closed."""
        room = self._room(conn, code)
        if room.closed_at is not None:
            raise RoomError("rooms.closed", code=room.code)
        return room

    def _teacher(self, conn: Connection, code: str, teacher_key: str) -> _RoomRow:
        """The room, if `teacher_key` is its key (compared in constant time); TeacherKeyError otherwise."""
        room = self._room(conn, code)
        if not isinstance(teacher_key, str) or not hmac.compare_digest(_digest(teacher_key), room.key_hash):
            raise TeacherKeyError("rooms.teacher_only")
        return room

    def _expires_at(self, opened_at: float) -> float:
        return opened_at + self.limits.room_days * SECONDS_PER_DAY

    def _public(self, room: _RoomRow) -> Room:
        return Room(room.code, room.opened_at, self._expires_at(room.opened_at), room.closed_at is not None)

    @staticmethod
    def _student_hash(student: object) -> str:
        """A student token from new_student_token -> the hash stored; RoomError for anything else."""
        if not is_student_token(student):
            raise RoomError("rooms.student_invalid")
        return _digest(student)

    @staticmethod
    def _labels(conn: Connection, room: _RoomRow) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(n,) int64 ids, labels and predictions of the room's drawings, oldest first."""
        rows = conn.execute(
            sa.select(DRAWINGS.c.id, DRAWINGS.c.label, DRAWINGS.c.prediction)
            .where(DRAWINGS.c.room_id == room.id)
            .order_by(DRAWINGS.c.id)
        ).all()
        columns = np.array(rows, dtype=np.int64).reshape(-1, 3).T
        return columns[0], columns[1], columns[2]

    @staticmethod
    def _drawings(conn: Connection, where: sa.ColumnElement[bool]) -> list[StoredDrawing]:
        rows = conn.execute(sa.select(*DRAWING_COLUMNS).where(where).order_by(DRAWINGS.c.id)).all()
        return [
            StoredDrawing(
                row.id,
                _decode(row.pixels),
                row.label,
                row.prediction,
                _decode(row.probabilities),
                row.model,
                row.sent_at,
            )
            for row in rows
        ]
