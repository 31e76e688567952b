"""Errors that carry a message fit to show a user: what went wrong, with which file, what to do."""


class DigitDemoError(ValueError):
    """Base class: any bad input or bad file the package refuses."""


class DataFileError(DigitDemoError):
    """A data file is missing, unreadable or not in the lab's layout."""


class ModelFileError(DigitDemoError):
    """A model file is missing, unreadable or of another architecture."""


class ImageError(DigitDemoError):
    """An image or drawing cannot be turned into the network's input."""
