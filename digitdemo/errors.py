"""Errors the package raises with a message id and parameters; the page words them in the reader's language."""

from __future__ import annotations


class DigitDemoError(ValueError):
    """Base class: any bad input, bad file or unavailable service the package refuses or reports.

    `msg_id` names the message in the catalogues and `params` fill it in. Until this branch meets the catalogues,
    str() is the id followed by its parameters.
    """

    def __init__(self, msg_id: str, **params: object) -> None:
        super().__init__(msg_id)
        self.msg_id = msg_id
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.msg_id
        return f"{self.msg_id} ({', '.join(f'{name}={value}' for name, value in self.params.items())})"


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


class StorageUnavailable(DigitDemoError):  # noqa: N818 -- the name the class-room UI is written against
    """The class-room database cannot be reached or used right now; nothing was changed."""
