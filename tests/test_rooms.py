"""Class rooms' storage on SQLite and on a real PostgreSQL server: flows, isolation, limits, expiry, failures."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from digitdemo.data import validate
from digitdemo.errors import DigitDemoError, RoomError, StorageUnavailableError, TeacherKeyError
from digitdemo.i18n import message
from digitdemo.metrics import per_digit_accuracy
from digitdemo.rooms import (
    CODE_ALPHABET,
    CODE_LENGTH,
    SCHEMA_VERSION,
    ClassStats,
    Limits,
    RoomStore,
    StoredDrawing,
    build_engine,
    check_drawing,
    csv_bytes,
    default_data_dir,
    new_student_token,
    normalize_code,
    npz_bytes,
    resolve_database_url,
)
from scripts import postgres

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ["sqlite", "postgresql"]
CONCURRENT = 60
DEFAULT_LIMITS = Limits()


class Clock:
    """A clock the test moves by hand, starting now."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database: an SQLite file in tmp_path, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'classrooms.sqlite3'}"
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(cluster.url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    yield cluster.url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
    admin.dispose()


def class_stats(store: RoomStore, code: str, teacher_key: str) -> ClassStats:
    """The room's ClassStats alone, as the class view reads them."""
    return store.class_view(code, teacher_key, limit=0).stats


def misread(store: RoomStore, code: str, teacher_key: str, **chosen: int | None) -> list[StoredDrawing]:
    """The room's misread drawings alone, chosen as class_view chooses them (label, prediction, limit)."""
    return store.class_view(code, teacher_key, **chosen).misread


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(database_url) -> Iterator[sa.Engine]:
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine, clock) -> RoomStore:
    store = RoomStore(engine, clock=clock)
    store.prepare()
    return store


def drawing(rng: np.random.Generator, prediction: int) -> tuple[np.ndarray, np.ndarray]:
    """A random (400,) float32 input in the lab's range and (10,) probabilities whose argmax is `prediction`."""
    x = rng.uniform(-0.13, 1.13, 400).astype(np.float32)
    proba = rng.dirichlet(np.ones(10))
    proba[prediction] += 2
    return x, proba / proba.sum()


def send(store: RoomStore, rng: np.random.Generator, code: str, student: str, label: int, **options) -> int:
    """Send a random drawing meant as `label` that the network reads right -> its id."""
    x, proba = drawing(rng, label)
    return store.send_drawing(code, student, x, label, proba, "lab", **options)


def count_rows(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_class_flow(store, rng):
    """Open, join by a code typed loosely, send, each student lists only their own, the teacher's figures, export."""
    room = store.open_room()
    empty = class_stats(store, room.code, room.teacher_key)
    assert (empty.count, empty.accuracy, store.export_arrays(room.code, room.teacher_key)[0].shape) == (
        0,
        None,
        (0, 400),
    )
    typed = f" {room.code[:3].lower()}-{room.code[3:]} "
    assert store.join_room(typed).code == room.code
    ana, ben = new_student_token(), new_student_token()
    sent = []  # (student, label, prediction, x)
    for student, label, prediction in [(ana, 7, 7), (ana, 7, 1), (ben, 3, 3), (ben, 3, 8), (ben, 7, 1)]:
        x, proba = drawing(rng, prediction)
        store.send_drawing(typed, student, x, label, proba, "lab")
        sent.append((student, label, prediction, x))

    mine = store.my_drawings(room.code, ana)
    assert [(d.label, d.prediction) for d in mine] == [(7, 7), (7, 1)]
    np.testing.assert_array_equal(mine[1].x, sent[1][3])
    assert mine[0].model == "lab" and mine[0].probabilities.shape == (10,)
    assert [(d.label, d.prediction) for d in store.my_drawings(room.code, ben)] == [(3, 3), (3, 8), (7, 1)]

    stats = class_stats(store, room.code, room.teacher_key)
    assert (stats.count, stats.correct, stats.accuracy) == (5, 2, 0.4)
    assert stats.confusion[7, 1] == 2 and stats.confusion[3, 8] == 1 and stats.confusion.sum() == 5
    np.testing.assert_allclose(stats.per_digit[[3, 7]], [0.5, 1 / 3])
    assert np.isnan(stats.per_digit[0])

    assert [(d.label, d.prediction) for d in misread(store, room.code, room.teacher_key)] == [(7, 1), (3, 8), (7, 1)]
    assert [d.label for d in misread(store, room.code, room.teacher_key, label=3)] == [3]
    assert len(misread(store, room.code, room.teacher_key, prediction=1)) == 2
    assert misread(store, room.code, room.teacher_key, label=7, prediction=8) == []
    assert len(misread(store, room.code, room.teacher_key, limit=1)) == 1

    X, y = store.export_arrays(room.code, room.teacher_key)
    np.testing.assert_array_equal(X, np.stack([s[3] for s in sent]))
    np.testing.assert_array_equal(y[:, 0], [s[1] for s in sent])
    csv = np.loadtxt(io.BytesIO(csv_bytes(X, y)), delimiter=",", skiprows=1)
    assert csv.shape == (5, 401)
    np.testing.assert_array_equal(csv[:, :400].astype(np.float32), X)  # %.9g keeps float32 exact
    np.testing.assert_array_equal(csv[:, 400], y[:, 0])
    with np.load(io.BytesIO(npz_bytes(X, y))) as npz:
        X_npz, y_npz = validate(npz["X"], npz["y"], "export", "export again")
    np.testing.assert_array_equal(X_npz, X)
    np.testing.assert_array_equal(y_npz, y)


def test_teacher_actions(store, rng):
    """Remove one drawing, clear the room, close it: closed, students cannot send or join, the teacher still reads."""
    room = store.open_room()
    student = new_student_token()
    ids = [send(store, rng, room.code, student, d) for d in (1, 2, 3)]
    store.remove_drawing(room.code, room.teacher_key, ids[1])
    assert [d.id for d in store.my_drawings(room.code, student)] == [ids[0], ids[2]]
    with pytest.raises(RoomError) as exc:
        store.remove_drawing(room.code, room.teacher_key, ids[1])
    assert exc.value.msg_id == "rooms.drawing_not_found"

    assert store.clear_room(room.code, room.teacher_key) == 2
    assert class_stats(store, room.code, room.teacher_key).count == 0
    send(store, rng, room.code, student, 4)

    store.close_room(room.code, room.teacher_key)
    assert store.teacher_room(room.code, room.teacher_key).closed
    for attempt in (
        lambda: send(store, rng, room.code, student, 5),
        lambda: store.join_room(room.code),
    ):
        with pytest.raises(RoomError) as exc:
            attempt()
        assert exc.value.msg_id == "rooms.closed"
    assert class_stats(store, room.code, room.teacher_key).count == 1
    assert len(store.my_drawings(room.code, student)) == 1
    assert store.export_arrays(room.code, room.teacher_key)[0].shape == (1, 400)


def test_teacher_actions_need_the_key(store, rng):
    """Every teacher query and action is refused with a student's token, another room's key or none; nothing changes."""
    room, other = store.open_room(), store.open_room()
    student = new_student_token()
    drawing_id = send(store, rng, room.code, student, 2)
    actions = {
        "teacher_room": lambda key: store.teacher_room(room.code, key),
        "class_stats": lambda key: class_stats(store, room.code, key),
        "misread": lambda key: misread(store, room.code, key),
        "remove_drawing": lambda key: store.remove_drawing(room.code, key, drawing_id),
        "clear_room": lambda key: store.clear_room(room.code, key),
        "close_room": lambda key: store.close_room(room.code, key),
    }
    for name, action in actions.items():
        for key in (student, other.teacher_key, "", None, room.teacher_key[:-1]):
            with pytest.raises(TeacherKeyError) as exc:
                action(key)
            assert exc.value.msg_id == "rooms.teacher_only", name
    assert class_stats(store, room.code, room.teacher_key).count == 1
    assert not store.join_room(room.code).closed


def test_rooms_are_isolated(store, rng):
    """A student of room A cannot read room B's drawings nor theirs through B; B's teacher cannot touch A's drawings."""
    a, b = store.open_room(), store.open_room()
    student, classmate = new_student_token(), new_student_token()
    in_a = send(store, rng, a.code, student, 6)
    send(store, rng, b.code, classmate, 9)

    assert store.my_drawings(b.code, student) == []
    assert store.my_drawings(a.code, classmate) == []
    assert [d.id for d in store.my_drawings(a.code, student)] == [in_a]
    with pytest.raises(RoomError) as exc:
        store.remove_drawing(b.code, b.teacher_key, in_a)
    assert exc.value.msg_id == "rooms.drawing_not_found"
    assert class_stats(store, a.code, a.teacher_key).count == 1
    stats_b = class_stats(store, b.code, b.teacher_key)
    assert stats_b.count == 1 and stats_b.confusion[9, 9] == 1
    assert store.clear_room(b.code, b.teacher_key) == 1
    assert class_stats(store, a.code, a.teacher_key).count == 1


def test_keys_and_tokens_are_stored_only_as_hashes(store, engine, rng):
    """No teacher key or student token appears in any column; the tables hold no name or address columns."""
    room = store.open_room()
    student = new_student_token()
    assert len(room.teacher_key) >= 22  # token_urlsafe(32): 256 random bits in 43 characters
    send(store, rng, room.code, student, 1)
    with engine.connect() as conn:
        stored = [
            str(value)
            for table in ("digitdemo_rooms", "digitdemo_drawings")
            for row in conn.execute(sa.text(f"SELECT * FROM {table}"))
            for value in row
        ]
    assert not any(room.teacher_key in value or student in value for value in stored)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("digitdemo_drawings")}
    assert columns == {
        "id",
        "room_id",
        "student_hash",
        "pixels",
        "label",
        "prediction",
        "probabilities",
        "model",
        "sent_at",
        "send_id",
    }


def send_concurrently(url: str, jobs: list[tuple], limits: Limits = DEFAULT_LIMITS) -> tuple[list, float]:
    """Run store.send_drawing(*job) for each job at once, each thread on its own engine and connection to `url`.

    -> each job's id or exception, and the seconds from the common start to the last answer.
    """
    results: list = [None] * len(jobs)
    started, finished = [0.0] * len(jobs), [0.0] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def send(i: int) -> None:
        engine = build_engine(url)
        try:
            store = RoomStore(engine, limits)
            with engine.connect():  # connect before the barrier, so that the sends themselves coincide
                pass
            barrier.wait()
            started[i] = time.perf_counter()
            results[i] = store.send_drawing(*jobs[i])
        except Exception as exc:  # the test asserts on every outcome
            results[i] = exc
        finally:
            finished[i] = time.perf_counter()
            engine.dispose()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, max(finished) - min(started)


def test_sixty_concurrent_sends_land_once(store, database_url, engine, rng):
    """60 students send in the same instant: 60 rows, each once; the same 60 sends retried at once add nothing."""
    room = store.open_room()
    jobs = []
    for i in range(CONCURRENT):
        x, proba = drawing(rng, i % 10)
        jobs.append((room.code, new_student_token(), x, i % 10, proba, "lab", f"send-{i}"))
    first, seconds = send_concurrently(database_url, jobs)
    assert all(isinstance(result, int) for result in first), [r for r in first if not isinstance(r, int)][:3]
    assert len(set(first)) == CONCURRENT
    assert count_rows(engine, "digitdemo_drawings") == CONCURRENT
    again, _ = send_concurrently(database_url, jobs)
    assert again == first
    assert count_rows(engine, "digitdemo_drawings") == CONCURRENT
    X, y = store.export_arrays(room.code, room.teacher_key)
    by_id = dict(zip(first, jobs, strict=True))
    np.testing.assert_array_equal(X, np.stack([by_id[i][2] for i in sorted(first)]))
    np.testing.assert_array_equal(y[:, 0], [by_id[i][3] for i in sorted(first)])
    print(f"{CONCURRENT} concurrent sends on {engine.dialect.name}: all answered {seconds:.2f} s after the start")


def test_room_limit_holds_under_concurrent_sends(database_url, engine, rng):
    """20 sends at once into a room with room for 5: exactly 5 land, the others get the room-full message."""
    limits = Limits(drawings_per_room=5)
    store = RoomStore(engine, limits)
    store.prepare()
    room = store.open_room()
    jobs = [(room.code, new_student_token(), x, 0, proba, "lab") for x, proba in (drawing(rng, 0) for _ in range(20))]
    results, _ = send_concurrently(database_url, jobs, limits)
    landed = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, RoomError) and r.msg_id == "rooms.full"]
    assert (len(landed), len(refused)) == (5, 15)
    assert count_rows(engine, "digitdemo_drawings") == 5


BAD_SENDS = {
    "image not unrolled": ({"x": np.zeros((20, 20))}, "rooms.drawing_shape"),
    "399 pixels": ({"x": np.zeros(399)}, "rooms.drawing_shape"),
    "NaN pixel": ({"x": np.r_[np.zeros(399), np.nan]}, "rooms.drawing_invalid"),
    "infinite pixel": ({"x": np.r_[np.zeros(399), np.inf]}, "rooms.drawing_invalid"),
    "pixel far out of range": ({"x": np.full(400, 255.0)}, "rooms.drawing_invalid"),
    "text pixels": ({"x": ["a"] * 400}, "rooms.drawing_invalid"),
    "ragged pixels": ({"x": [[0.0], [0.0, 1.0]]}, "rooms.drawing_invalid"),
    "label 10": ({"label": 10}, "rooms.label_invalid"),
    "label -1": ({"label": -1}, "rooms.label_invalid"),
    "label 3.0": ({"label": 3.0}, "rooms.label_invalid"),
    "label True": ({"label": True}, "rooms.label_invalid"),
    "label '3'": ({"label": "3"}, "rooms.label_invalid"),
    "nine probabilities": ({"probabilities": np.full(9, 1 / 9)}, "rooms.probabilities_invalid"),
    "probabilities sum to 2": ({"probabilities": np.full(10, 0.2)}, "rooms.probabilities_invalid"),
    "negative probability": ({"probabilities": np.r_[-0.1, 1.1, np.zeros(8)]}, "rooms.probabilities_invalid"),
    "NaN probability": ({"probabilities": np.r_[np.nan, np.full(9, 1 / 9)]}, "rooms.probabilities_invalid"),
    "logits, not probabilities": ({"probabilities": np.arange(10.0)}, "rooms.probabilities_invalid"),
    "no model name": ({"model": ""}, "rooms.model_invalid"),
    "model name too long": ({"model": "m" * 65}, "rooms.model_invalid"),
    "student token too short": ({"student": "abc"}, "rooms.student_invalid"),
    "student token not text": ({"student": 12345678901234567890}, "rooms.student_invalid"),
    "code too short": ({"code": "ACD"}, "rooms.code_invalid"),
    "code with ambiguous letters": ({"code": "ABCDE0"}, "rooms.code_invalid"),
    "send id too long": ({"send_id": "s" * 65}, "rooms.send_id_invalid"),
}


def good_send(rng: np.random.Generator, code: str) -> dict:
    x, proba = drawing(rng, 4)
    return {
        "code": code,
        "student": new_student_token(),
        "x": x,
        "label": 4,
        "probabilities": proba,
        "model": "lab",
        "send_id": None,
    }


@pytest.mark.parametrize("case", BAD_SENDS, ids=list(BAD_SENDS))
def test_bad_input_is_refused_before_the_database(case, tmp_path, rng):
    """Bad input gets its message even when the database is unreachable: it is checked before any query."""
    override, msg_id = BAD_SENDS[case]
    unreachable = tmp_path / "a-file"
    unreachable.write_text("")
    store = RoomStore(build_engine(f"sqlite:///{unreachable}/classrooms.sqlite3"))
    with pytest.raises(RoomError) as exc:
        store.send_drawing(**{**good_send(rng, "ACD-34X"), **override})
    assert exc.value.msg_id == msg_id
    with pytest.raises(StorageUnavailableError):  # the same store does reach for the database with good input
        store.send_drawing(**good_send(rng, "ACD-34X"))


def test_bad_input_stores_nothing(store, engine, rng):
    """On a live database every bad send is refused and no row is written."""
    room = store.open_room()
    for override, msg_id in BAD_SENDS.values():
        with pytest.raises(RoomError) as exc:
            store.send_drawing(**{**good_send(rng, room.code), **override})
        assert exc.value.msg_id == msg_id
    assert count_rows(engine, "digitdemo_drawings") == 0
    with pytest.raises(RoomError) as exc:
        misread(store, room.code, room.teacher_key, label=12)
    assert exc.value.msg_id == "rooms.label_invalid"


def test_limits(engine, clock, rng):
    """Sends per student per minute, drawings per room and open rooms per server are enforced, with their limits."""
    store = RoomStore(engine, Limits(sends_per_minute=3, drawings_per_room=5, open_rooms=2), clock)
    store.prepare()
    room = store.open_room()
    student = new_student_token()
    for _ in range(3):
        send(store, rng, room.code, student, 1)
        clock.advance(1)
    with pytest.raises(RoomError) as exc:
        send(store, rng, room.code, student, 1)
    assert (exc.value.msg_id, exc.value.params) == ("rooms.too_fast", {"limit": 3})
    send(store, rng, room.code, new_student_token(), 1)  # others still can
    clock.advance(60)
    send(store, rng, room.code, student, 1)  # a minute on, so can they
    with pytest.raises(RoomError) as exc:
        send(store, rng, room.code, new_student_token(), 1)
    assert (exc.value.msg_id, exc.value.params) == ("rooms.full", {"limit": 5})

    second = store.open_room()
    with pytest.raises(RoomError) as exc:
        store.open_room()
    assert (exc.value.msg_id, exc.value.params) == ("rooms.server_full", {"limit": 2})
    store.close_room(second.code, second.teacher_key)
    store.open_room()


def test_closed_rooms_count_against_the_rooms_kept(engine, clock, rng):
    """Closing a room frees its place among the open rooms but not among the rooms kept, which it leaves only when it
    expires: opening is then refused with the hours until the oldest expires; the open limit is said first."""
    store = RoomStore(engine, Limits(open_rooms=2, kept_rooms=3), clock)
    store.prepare()
    for _ in range(2):
        closed = store.open_room()
        send(store, rng, closed.code, new_student_token(), 4)
        store.close_room(closed.code, closed.teacher_key)
        clock.advance(86_400)
    store.open_room()
    with pytest.raises(RoomError) as exc:
        store.open_room()
    assert (exc.value.msg_id, exc.value.params) == ("rooms.server_kept_full", {"limit": 3, "days": "7", "hours": 120})
    assert "within 120 h;" in str(exc.value)
    assert class_stats(store, closed.code, closed.teacher_key).count == 1  # still readable while it is kept
    clock.advance(5 * 86_400 - 1)
    with pytest.raises(RoomError) as exc:
        store.open_room()
    assert exc.value.params["hours"] == 1
    assert count_rows(engine, "digitdemo_rooms") == 3  # a refused opening adds no room
    clock.advance(1)
    store.open_room()  # the first room expired and was purged: its place is free
    assert (count_rows(engine, "digitdemo_rooms"), count_rows(engine, "digitdemo_drawings")) == (3, 1)
    with pytest.raises(RoomError) as exc:
        store.open_room()
    assert exc.value.msg_id == "rooms.server_full"  # two open rooms: closing one would help, so that is said


def test_rooms_expire_with_their_drawings(engine, clock, rng):
    """A room is refused once 7 days old and deleted with its drawings at the next start or room opening."""
    store = RoomStore(engine, clock=clock)
    store.prepare()
    old = store.open_room()
    send(store, rng, old.code, new_student_token(), 5)
    clock.advance(6 * 86_400)
    young = store.open_room()
    send(store, rng, young.code, new_student_token(), 5)
    clock.advance(86_400 - 1)
    assert class_stats(store, old.code, old.teacher_key).count == 1
    clock.advance(1)
    for attempt in (lambda: store.join_room(old.code), lambda: class_stats(store, old.code, old.teacher_key)):
        with pytest.raises(RoomError) as exc:
            attempt()
        assert exc.value.msg_id == "rooms.not_found"
    assert count_rows(engine, "digitdemo_rooms") == 2  # refused before it is purged
    assert store.prepare() == SCHEMA_VERSION
    assert (count_rows(engine, "digitdemo_rooms"), count_rows(engine, "digitdemo_drawings")) == (1, 1)
    clock.advance(6 * 86_400)
    store.open_room()
    assert (count_rows(engine, "digitdemo_rooms"), count_rows(engine, "digitdemo_drawings")) == (1, 0)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgres_stopped_mid_lesson(request, store, rng):
    """Server stopped: sends and the teacher view raise StorageUnavailableError; restarted: same engine works, none
    lost."""
    cluster = request.getfixturevalue("postgres_cluster")
    room = store.open_room()
    student = new_student_token()
    before = [send(store, rng, room.code, student, 3) for _ in range(3)]
    postgres.stop(cluster.folder)
    try:
        for attempt in (
            lambda: send(store, rng, room.code, student, 3),
            lambda: class_stats(store, room.code, room.teacher_key),
            lambda: store.join_room(room.code),
        ):
            with pytest.raises(StorageUnavailableError) as exc:
                attempt()
            assert exc.value.msg_id == "storage.unavailable"
    finally:
        postgres.start(cluster.folder)
    after = send(store, rng, room.code, student, 3)
    assert [d.id for d in store.my_drawings(room.code, student)] == [*before, after]


def test_stopping_a_cluster_never_installs(tmp_path, monkeypatch):
    """scripts.postgres stop (and remove, which stops a running cluster) with no PostgreSQL binaries on the machine
    says so and never reaches install(), which would run apt-get."""

    def install() -> Path:
        raise AssertionError("stop called install()")

    monkeypatch.setattr(postgres, "find_bin", lambda: None)
    monkeypatch.setattr(postgres, "install", install)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "postmaster.pid").write_text("")
    with pytest.raises(RuntimeError, match="no PostgreSQL binaries"):
        postgres.stop(tmp_path)
    assert postgres.main(["stop", str(tmp_path)]) == 1
    with pytest.raises(RuntimeError, match="no PostgreSQL binaries"):
        postgres.remove(tmp_path)
    assert (tmp_path / "data").exists()  # nothing deleted while a server may still run on it


def test_sqlite_folder_unusable(tmp_path):
    """An SQLite data folder that cannot be made (a file is in the way) is StorageUnavailableError at start."""
    (tmp_path / "taken").write_text("")
    store = RoomStore(build_engine(f"sqlite:///{tmp_path / 'taken' / 'classrooms.sqlite3'}"))
    with pytest.raises(StorageUnavailableError) as exc:
        store.prepare()
    assert exc.value.msg_id == "storage.unavailable"


def test_schema_upgrade_keeps_data(engine, rng):
    """A database at version 1 with a drawing in it upgrades to the newest version; the drawing is kept and counted."""
    store = RoomStore(engine)
    assert store.migrate(target=1) == 1
    room = store.open_room()
    x, proba = drawing(rng, 2)
    with engine.begin() as conn:
        room_id = conn.execute(sa.text("SELECT id FROM digitdemo_rooms")).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO digitdemo_drawings (room_id, student_hash, pixels, label, prediction, probabilities,"
                " model, sent_at) VALUES (:room, :student, :pixels, 2, 2, :proba, 'lab', :now)"
            ),
            {
                "room": room_id,
                "student": "0" * 64,
                "pixels": x.astype("<f4").tobytes(),
                "proba": proba.astype("<f4").tobytes(),
                "now": time.time(),
            },
        )
    assert store.prepare() == SCHEMA_VERSION == 2
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version FROM digitdemo_schema ORDER BY version")).scalars().all() == [1, 2]
    X, y = store.export_arrays(room.code, room.teacher_key)
    np.testing.assert_array_equal(X[0], x)
    student = new_student_token()
    first = send(store, rng, room.code, student, 2, send_id="retry-me")
    assert send(store, rng, room.code, student, 2, send_id="retry-me") == first
    with pytest.raises(RoomError) as exc:
        send(store, rng, room.code, new_student_token(), 2, send_id="retry-me")
    assert exc.value.msg_id == "rooms.send_id_invalid"
    assert class_stats(store, room.code, room.teacher_key).count == 2


def test_newer_schema_is_refused(store, engine):
    """A database written by a newer version of the app is refused with a message, not changed."""
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO digitdemo_schema (version, applied_at) VALUES (99, 0)"))
    with pytest.raises(StorageUnavailableError) as exc:
        store.prepare()
    assert (exc.value.msg_id, exc.value.params) == ("storage.schema_newer", {"found": 99, "supported": SCHEMA_VERSION})


MIGRATE_AT = """
import sys, time
from pathlib import Path
from digitdemo.rooms import RoomStore, build_engine
store = RoomStore(build_engine(sys.argv[1]))
print("ready", flush=True)
while not Path(sys.argv[2]).exists():
    time.sleep(0.005)
print(store.prepare())
"""


def test_processes_migrating_at_once(database_url, engine, tmp_path):
    """Three processes start on an empty database in the same instant: all succeed, each migration is applied once."""
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_AT, database_url, str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for process in processes:  # every process has imported everything before any migrates
        assert process.stdout.readline().strip() == "ready", process.communicate()
    go.touch()
    outcomes = [process.communicate(timeout=60) for process in processes]
    assert [(p.returncode, out.strip()) for p, (out, _) in zip(processes, outcomes, strict=True)] == [(0, "2")] * 3, (
        outcomes
    )
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version FROM digitdemo_schema ORDER BY version")).scalars().all() == [1, 2]


def test_switch_to_wal_waits_for_another_switch(tmp_path):
    """SQLite refuses a journal-mode switch at once, without its busy timeout, while another connection writes in
    rollback mode (as another process's own switch does): the start waits for it instead of failing."""
    path = tmp_path / "classrooms.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE other_write (x)")
    finish = threading.Timer(0.3, other.commit)
    finish.start()
    engine = build_engine(f"sqlite:///{path}")
    try:
        assert RoomStore(engine).prepare() == SCHEMA_VERSION
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        finish.cancel()
        finish.join()
        engine.dispose()
        other.close()


def test_sqlite_runs_in_wal_mode(tmp_path):
    """The SQLite file is created with its folder at start and switched to WAL, so readers never wait for writers."""
    engine = build_engine(f"sqlite:///{tmp_path / 'new' / 'folder' / 'classrooms.sqlite3'}")
    RoomStore(engine).prepare()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_room_codes_are_easy_to_type():
    """Codes use no look-alike characters and are read back from any case, spaces and dashes; others are refused."""
    assert not set(CODE_ALPHABET) & set("0O1IL2Z5S8B")
    assert normalize_code(" ac d-34x ") == "ACD34X"
    for bad in ("ACD34", "ACD34XY", "ACD3OX", "", None, 123456):
        with pytest.raises(RoomError):
            normalize_code(bad)
    assert len(CODE_ALPHABET) ** CODE_LENGTH > 10**8


def test_database_url():
    """DIGITDEMO_DATABASE_URL wins, then the secrets value, else SQLite in the data folder; postgres: psycopg."""
    env = {"DIGITDEMO_DATA_DIR": "/srv/dd"}
    assert resolve_database_url(None, env) == "sqlite:////srv/dd/classrooms.sqlite3"
    assert resolve_database_url("sqlite:///x.db", env) == "sqlite:///x.db"
    env_pg = {**env, "DIGITDEMO_DATABASE_URL": "postgres://u:p@h/db"}
    assert resolve_database_url("sqlite:///x.db", env_pg) == "postgresql+psycopg://u:p@h/db"
    assert resolve_database_url("postgresql://h/db", {}) == "postgresql+psycopg://h/db"
    assert default_data_dir({"XDG_DATA_HOME": "/xdg"}) == Path("/xdg/digitdemo")
    assert default_data_dir({}) == Path.home() / ".local" / "share" / "digitdemo"


def test_bad_database_url_is_a_message():
    """A malformed URL or an unknown driver is StorageUnavailableError naming only the scheme (never a password)."""
    for url in ("not a url", "nosuchdb://user:secret@host/db"):
        with pytest.raises(StorageUnavailableError) as exc:
            build_engine(url)
        assert exc.value.msg_id == "storage.bad_url" and "user:secret" not in str(exc.value)


def test_other_databases_are_refused():
    """Only SQLite and PostgreSQL are supported (the locking is written for them): others get a message at once."""
    engine = sa.create_engine("mysql+pymysql://user@host/db", module=sqlite3)  # any module stands in for the driver
    with pytest.raises(StorageUnavailableError) as exc:
        RoomStore(engine)
    assert (exc.value.msg_id, exc.value.params) == ("storage.unsupported", {"dialect": "mysql"})


def test_check_drawing_returns_float32():
    """A good drawing comes back as float32 arrays, an int label and the model name."""
    x, label, proba, model = check_drawing(np.zeros(400), np.int64(7), np.full(10, 0.1), "robust")
    assert (x.dtype, x.shape, proba.dtype, type(label), label, model) == (
        np.float32,
        (400,),
        np.float32,
        int,
        7,
        "robust",
    )


def test_errors_carry_id_and_params():
    """Errors keep their message id and parameters, and str() is the English message."""
    error = RoomError("rooms.full", limit=5000)
    assert isinstance(error, DigitDemoError)
    assert (error.msg_id, error.params) == ("rooms.full", {"limit": 5000})
    assert str(error) == message("en", "rooms.full", limit=5000) and "5000" in str(error)


def test_per_digit_accuracy():
    """Diagonal over row sums, NaN for digits with no drawing."""
    counts = np.zeros((10, 10), dtype=np.int64)
    counts[1, 1], counts[1, 7], counts[4, 4] = 3, 1, 2
    result = per_digit_accuracy(counts)
    np.testing.assert_allclose(result[[1, 4]], [0.75, 1.0])
    assert np.isnan(result[[0, 2, 3, 5, 6, 7, 8, 9]]).all()
