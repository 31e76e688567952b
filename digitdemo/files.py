"""Reading NumPy files safely (no pickles, clear errors) and writing files so that a crash mid-write loses nothing."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from digitdemo.errors import DigitDemoError
from digitdemo.i18n import Message


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success rename it onto `target`, else delete it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=target.suffix)
    os.close(fd)
    os.chmod(tmp_name, 0o644)  # mkstemp makes files private; these are shared project files
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        _fsync_directory(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_directory(folder: Path) -> None:
    """Make a rename in `folder` durable: without this a power cut can undo it (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(target: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp_path)` and move the result onto `target` only once it is complete."""
    with atomic_path(target) as tmp:
        write(tmp)
    return Path(target)


def load_arrays(path: Path, error: type[DigitDemoError], action: Message) -> np.ndarray | dict[str, np.ndarray]:
    """A .npy file's array, or a .npz file's arrays by name; pickled objects are refused, never loaded.

    Any failure raises `error` naming the file and ending with the message `action` (what the user should do).
    """
    try:
        loaded = np.load(path, allow_pickle=False)
        if isinstance(loaded, np.lib.npyio.NpzFile):
            with loaded:
                return {key: loaded[key] for key in loaded.files}
        return loaded
    except ValueError as exc:
        if "pickle" in str(exc):  # NumPy's words when a file needs unpickling, which could run code
            raise error("file.pickled", path=path, action=action) from exc
        raise error("file.damaged", path=path, detail=exc, action=action) from exc
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise error("file.unreadable", path=path, detail=f"{type(exc).__name__}: {exc}", action=action) from exc
