"""What the rooms' store takes and hands out: its limits, a new room, a room, a stored drawing and the class's
results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


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


DEFAULT_LIMITS = Limits()


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
