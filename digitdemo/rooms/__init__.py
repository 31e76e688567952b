"""Class rooms: students send their drawings to a room, the teacher reads the class's results and manages the room.

Storage is SQL through SQLAlchemy: an SQLite file by default, PostgreSQL when a URL is given (`database`). Codes,
keys and tokens (`codes`), what a send may hold (`validation`), the schema's migrations (`schema`), transactions and
how writers take turns (`locking`), the store (`store`) and what it hands out (`values`), downloads (`export`).
"""

from digitdemo.rooms.codes import CODE_ALPHABET, CODE_LENGTH, is_student_token, new_student_token, normalize_code
from digitdemo.rooms.database import (
    DATABASE_URL_ENV,
    build_engine,
    default_data_dir,
    engine_options,
    resolve_database_url,
)
from digitdemo.rooms.export import csv_bytes, npz_bytes
from digitdemo.rooms.schema import SCHEMA_VERSION
from digitdemo.rooms.store import RoomStore
from digitdemo.rooms.validation import check_drawing
from digitdemo.rooms.values import ClassStats, ClassView, Limits, OpenedRoom, Room, StoredDrawing

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DATABASE_URL_ENV",
    "SCHEMA_VERSION",
    "ClassStats",
    "ClassView",
    "Limits",
    "OpenedRoom",
    "Room",
    "RoomStore",
    "StoredDrawing",
    "build_engine",
    "check_drawing",
    "csv_bytes",
    "default_data_dir",
    "engine_options",
    "is_student_token",
    "new_student_token",
    "normalize_code",
    "npz_bytes",
    "resolve_database_url",
]
