"""Errors that carry a message fit to show a user: what went wrong, with which file, what to do.

Each error holds a message id and its parameters, so a page can word it in its reader's language; `str(exc)` is the
English text, for the command line and logs.
"""

from __future__ import annotations

from digitdemo.i18n import DEFAULT_LANGUAGE, message


class DigitDemoError(ValueError):
    """Base class: any bad input or bad file the package refuses, as message id `msg_id` with `params`."""

    def __init__(self, msg_id: str, **params: object) -> None:
        self.msg_id = msg_id
        self.params = params
        super().__init__(message(DEFAULT_LANGUAGE, msg_id, **params))


class DataFileError(DigitDemoError):
    """A data file is missing, unreadable or not in the lab's layout."""


class ModelFileError(DigitDemoError):
    """A model file is missing, unreadable or of another architecture."""


class ImageError(DigitDemoError):
    """An image or drawing cannot be turned into the network's input."""


class RoomError(DigitDemoError):
    """A class-room request is refused: unknown or closed room, bad drawing, a limit reached."""


class TeacherKeyError(RoomError):
    """A teacher action without the room's teacher key."""


class StorageUnavailableError(DigitDemoError):
    """The class-room database cannot be reached or used right now; nothing was changed."""
