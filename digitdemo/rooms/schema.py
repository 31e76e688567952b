"""The rooms database's schema: its migrations, applied in order under a lock so that several processes may start at
once, the tables as queries name them, and how arrays are stored in them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from digitdemo.errors import StorageUnavailableError
from digitdemo.rooms.locking import MIGRATION_LOCK, prepare_sqlite_file, transaction
from digitdemo.rooms.validation import MODEL_NAME_MAX


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


def migrate(engine: Engine, applied_at: float, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations after the database's version up to `target`, under a lock -> the version now.

    An SQLite file gets its folder made and is switched to WAL first; each version is recorded at `applied_at`.
    """
    prepare_sqlite_file(engine)
    with transaction(engine, MIGRATION_LOCK) as conn:
        SCHEMA_TABLE.create(conn, checkfirst=True)
        current = conn.execute(sa.select(sa.func.max(SCHEMA_TABLE.c.version))).scalar() or 0
        if current > SCHEMA_VERSION:
            raise StorageUnavailableError("storage.schema_newer", found=current, supported=SCHEMA_VERSION)
        for version in range(current + 1, target + 1):
            MIGRATIONS[version - 1](conn)
            conn.execute(sa.insert(SCHEMA_TABLE).values(version=version, applied_at=applied_at))
        return max(current, target)


def encode(array: np.ndarray) -> bytes:
    """float32 array -> little-endian bytes for a BLOB/BYTEA column."""
    return np.ascontiguousarray(array, dtype="<f4").tobytes()


def decode(blob: bytes) -> np.ndarray:
    """Bytes from encode -> writable float32 array."""
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)
