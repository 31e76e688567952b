"""Room codes students type, teacher keys and anonymous student tokens, and the hashes the database keeps of them."""

from __future__ import annotations

import hashlib
import secrets

from digitdemo.errors import RoomError

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: what a student reads off a projector and types on a phone cannot be mistaken.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6  # 25**6 = 244 million codes
TEACHER_KEY_BYTES = 32  # 256 bits from secrets; only its SHA-256 is stored
STUDENT_TOKEN_BYTES = 16
STUDENT_TOKEN_LENGTHS = (16, 128)


def is_student_token(token: object) -> bool:
    """Whether `token` can be a student token (a string of the lengths new_student_token makes)."""
    return isinstance(token, str) and STUDENT_TOKEN_LENGTHS[0] <= len(token) <= STUDENT_TOKEN_LENGTHS[1]


def new_student_token() -> str:
    """A random anonymous token for one browser; it names no one and is stored only as a hash."""
    return secrets.token_urlsafe(STUDENT_TOKEN_BYTES)


def new_teacher_key() -> str:
    """A random teacher key: only the teacher's browser holds it, the database only its digest."""
    return secrets.token_urlsafe(TEACHER_KEY_BYTES)


def new_code() -> str:
    """A random room code of CODE_LENGTH letters from CODE_ALPHABET."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: object) -> str:
    """A room code as typed ('ac d-34x') -> its canonical form ('ACD34X'); RoomError if it cannot be one."""
    if isinstance(code, str):
        cleaned = "".join(code.split()).replace("-", "").upper()
        if len(cleaned) == CODE_LENGTH and all(c in CODE_ALPHABET for c in cleaned):
            return cleaned
    raise RoomError("rooms.code_invalid", length=CODE_LENGTH)


def digest(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret: a slow password hash buys nothing against 128+ random bits."""
    return hashlib.sha256(secret.encode()).hexdigest()


def student_hash(student: object) -> str:
    """A student token from new_student_token -> the hash stored; RoomError for anything else."""
    if not is_student_token(student):
        raise RoomError("rooms.student_invalid")
    return digest(student)


def code_number(code: str) -> int:
    """A canonical room code -> its value as a base-25 number (0..25**6-1), the room's lock key."""
    value = 0
    for char in code:
        value = value * len(CODE_ALPHABET) + CODE_ALPHABET.index(char)
    return value
