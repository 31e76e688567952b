"""The class rooms' store: students send their drawings to a room, the teacher reads the class's results and manages
the room. Every change to one room holds that room's lock, so counts and checks still hold when written."""

from __future__ import annotations

import contextlib
import hmac
import math
import time
import uuid
from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from digitdemo.data import N_PIXELS
from digitdemo.errors import RoomError, StorageUnavailableError, TeacherKeyError
from digitdemo.metrics import confusion_matrix, misclassified, per_digit_accuracy
from digitdemo.rooms.codes import code_number, digest, new_code, new_teacher_key, normalize_code, student_hash
from digitdemo.rooms.locking import OPEN_LOCK, transaction
from digitdemo.rooms.schema import DRAWING_COLUMNS, DRAWINGS, ROOMS, SCHEMA_VERSION, decode, encode, migrate
from digitdemo.rooms.validation import check_digit, check_drawing
from digitdemo.rooms.values import DEFAULT_LIMITS, ClassStats, ClassView, Limits, OpenedRoom, Room, StoredDrawing

SECONDS_PER_DAY = 86_400
SECONDS_PER_HOUR = 3_600
RATE_WINDOW_SECONDS = 60


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

    def __init__(self, engine: Engine, limits: Limits = DEFAULT_LIMITS, clock: Callable[[], float] = time.time) -> None:
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
        """Apply the migrations after the database's version up to `target`, under a lock -> the version now
        (an SQLite file gets its folder made and is switched to WAL first)."""
        return migrate(self.engine, self.clock(), target)

    def purge_expired(self) -> int:
        """Delete rooms older than limits.room_days with their drawings -> number of rooms deleted."""
        with transaction(self.engine, OPEN_LOCK) as conn:
            return self._purge(conn)

    # -- students --------------------------------------------------------------------------------------------
    def open_room(self) -> OpenedRoom:
        """A new room with a fresh code and teacher key; RoomError when the server holds limits.open_rooms open rooms,
        or limits.kept_rooms rooms open or closed (the message says in how many hours the oldest expires)."""
        teacher_key = new_teacher_key()
        with transaction(self.engine, OPEN_LOCK) as conn:
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
            conn.execute(sa.insert(ROOMS).values(code=code, key_hash=digest(teacher_key), opened_at=self.clock()))
        return OpenedRoom(code, teacher_key)

    def join_room(self, code: str) -> Room:
        """The open room with this code (as typed) -> Room; RoomError if there is none or it is closed."""
        with transaction(self.engine) as conn:
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
        hashed = student_hash(student)
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
                if earlier.student_hash != hashed:  # another student's send id: not a retry of this one
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
                    DRAWINGS.c.student_hash == hashed,
                    DRAWINGS.c.sent_at > now - RATE_WINDOW_SECONDS,
                )
            ).scalar_one()
            if recent >= self.limits.sends_per_minute:
                raise RoomError("rooms.too_fast", limit=self.limits.sends_per_minute)
            return conn.execute(
                sa.insert(DRAWINGS)
                .values(
                    room_id=room.id,
                    student_hash=hashed,
                    pixels=encode(pixels),
                    label=label,
                    prediction=int(np.argmax(proba)),
                    probabilities=encode(proba),
                    model=model,
                    sent_at=now,
                    send_id=send_id,
                )
                .returning(DRAWINGS.c.id)
            ).scalar_one()

    def my_drawings(self, code: str, student: str) -> list[StoredDrawing]:
        """This student's drawings in this room, oldest first (also after the room is closed)."""
        hashed = student_hash(student)
        with transaction(self.engine) as conn:
            room = self._room(conn, code)
            return self._drawings(conn, (DRAWINGS.c.room_id == room.id) & (DRAWINGS.c.student_hash == hashed))

    # -- teacher ---------------------------------------------------------------------------------------------
    def teacher_room(self, code: str, teacher_key: str) -> Room:
        """The room, if `teacher_key` is its key -> Room; TeacherKeyError otherwise."""
        with transaction(self.engine) as conn:
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
        label = None if label is None else check_digit(label)
        prediction = None if prediction is None else check_digit(prediction)
        with transaction(self.engine) as conn:
            room = self._teacher(conn, code, teacher_key)
            ids, labels, predictions = self._labels(conn, room)
            chosen = ids[misclassified(labels, predictions, label, prediction)][:limit]
            misread = self._drawings(conn, DRAWINGS.c.id.in_(chosen.tolist())) if len(chosen) else []
        counts = confusion_matrix(labels, predictions)
        stats = ClassStats(len(labels), int(np.trace(counts)), counts, per_digit_accuracy(counts))
        return ClassView(self._public(room), stats, misread)

    def export_arrays(self, code: str, teacher_key: str) -> tuple[np.ndarray, np.ndarray]:
        """The room's drawings in the lab's layout: X (n, 400) float32 column-major, y (n, 1) int64, oldest first."""
        with transaction(self.engine) as conn:
            room = self._teacher(conn, code, teacher_key)
            rows = conn.execute(
                sa.select(DRAWINGS.c.pixels, DRAWINGS.c.label)
                .where(DRAWINGS.c.room_id == room.id)
                .order_by(DRAWINGS.c.id)
            ).all()
        X = np.stack([decode(row.pixels) for row in rows]) if rows else np.zeros((0, N_PIXELS), np.float32)
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
    def _purge(self, conn: Connection) -> int:
        """Delete expired rooms and their drawings inside the caller's transaction -> rooms deleted."""
        cutoff = self.clock() - self.limits.room_days * SECONDS_PER_DAY
        expired = sa.select(ROOMS.c.id).where(ROOMS.c.opened_at <= cutoff).scalar_subquery()
        conn.execute(sa.delete(DRAWINGS).where(DRAWINGS.c.room_id.in_(expired)))
        return conn.execute(sa.delete(ROOMS).where(ROOMS.c.opened_at <= cutoff)).rowcount

    def _unused_code(self, conn: Connection) -> str:
        """A random room code no stored room has (the caller holds OPEN_LOCK, so no one takes it meanwhile)."""
        while True:
            code = new_code()
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
        with transaction(self.engine, code_number(canonical)) as conn:
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
        if not isinstance(teacher_key, str) or not hmac.compare_digest(digest(teacher_key), room.key_hash):
            raise TeacherKeyError("rooms.teacher_only")
        return room

    def _expires_at(self, opened_at: float) -> float:
        return opened_at + self.limits.room_days * SECONDS_PER_DAY

    def _public(self, room: _RoomRow) -> Room:
        return Room(room.code, room.opened_at, self._expires_at(room.opened_at), room.closed_at is not None)

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
                decode(row.pixels),
                row.label,
                row.prediction,
                decode(row.probabilities),
                row.model,
                row.sent_at,
            )
            for row in rows
        ]
