"""Atomic saves: a save that fails or is killed mid-write leaves the previous file intact and loadable."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from digitdemo.data import load_dataset
from digitdemo.files import write_atomic
from digitdemo.numpy_model import load_model, save_weights

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT = 60  # seconds: a child that is never killed ends by itself


def start_child(code: str) -> subprocess.Popen:
    """A Python process running `code` with the package importable, its stdout readable line by line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )


def kill(child: subprocess.Popen) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL


def visible_names(folder: Path) -> list[str]:
    """Names a reader of the folder sees: temporary files are hidden (dot-prefixed) and never take a target's name."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_model_save_killed_mid_write_keeps_the_previous_model(tmp_path, lab_model):
    """SIGKILL while a model file is half written: the old model still loads and equals what it was."""
    target = tmp_path / "lab.npz"
    save_weights(lab_model.weights, target)
    before = target.read_bytes()
    child = start_child(
        f"""
        import sys, time
        from digitdemo.files import write_atomic

        def write(tmp):
            with open(tmp, "wb") as handle:
                handle.write(b"PK" + b"\\0" * 4_000_000)  # the first half of a large archive
                handle.flush()
                print(tmp, flush=True)
                time.sleep({CHILD_TIMEOUT})

        write_atomic({str(target)!r}, write)
        """
    )
    temporary = Path(child.stdout.readline().strip())
    assert temporary.exists() and temporary.stat().st_size > 4_000_000  # the kill lands mid-write
    kill(child)
    assert target.read_bytes() == before
    np.testing.assert_array_equal(load_model(target).weights["W1"], lab_model.weights["W1"])
    assert visible_names(tmp_path) == ["lab.npz"]
    assert temporary.parent == target.parent and temporary.name.startswith(".")


def test_first_save_killed_leaves_no_partial_target(tmp_path):
    """SIGKILL during the very first save: no file under the target's name exists, rather than a damaged one."""
    target = tmp_path / "new.npz"
    child = start_child(
        f"""
        import time
        from digitdemo.files import write_atomic

        def write(tmp):
            tmp.write_bytes(b"PK" + b"\\0" * 1000)
            print("written", flush=True)
            time.sleep({CHILD_TIMEOUT})

        write_atomic({str(target)!r}, write)
        """
    )
    assert child.stdout.readline().strip() == "written"
    kill(child)
    assert not target.exists()
    assert visible_names(tmp_path) == []


def test_dataset_saves_killed_at_random_moments_are_whole(tmp_path):
    """A process re-saving a dataset over and over is killed at random moments: the file always loads, complete."""
    target = tmp_path / "mnist5k_lab.npz"
    child_code = f"""
        import numpy as np
        from digitdemo.files import write_atomic

        for i in range(1000):  # bounded: about a minute even if never killed
            seed = i % 10
            X = np.random.default_rng(seed).random((5000, 400), dtype=np.float32)
            y = np.full((5000, 1), seed, np.uint8)
            write_atomic({str(target)!r}, lambda tmp: np.savez_compressed(tmp, X=X, y=y))
            print(i, flush=True)
        """
    delays = np.random.default_rng(0).uniform(0.0, 0.4, size=4)
    for delay in delays:
        child = start_child(child_code)
        assert child.stdout.readline()  # at least one save finished: a previous file exists
        time.sleep(delay)
        kill(child)
        dataset = load_dataset(tmp_path)  # validates shape, dtype and labels
        seed = int(dataset.y[0, 0])
        assert np.all(dataset.y == seed)
        np.testing.assert_array_equal(dataset.X, np.random.default_rng(seed).random((5000, 400), dtype=np.float32))
        assert visible_names(tmp_path) == ["mnist5k_lab.npz"]


def test_failed_write_leaves_target_and_no_temporary(tmp_path):
    """A write that raises leaves the old file as it was and removes its temporary file."""
    target = tmp_path / "record.json"
    target.write_text("old")

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(target, broken)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_write_atomic_replaces_and_keeps_permissions_readable(tmp_path):
    """A successful write replaces the file's content and leaves it readable by others (not mkstemp's 0600)."""
    target = tmp_path / "sub" / "record.json"
    write_atomic(target, lambda tmp: tmp.write_text("new"))
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o044 == 0o044
    assert [p.name for p in target.parent.iterdir()] == ["record.json"]
