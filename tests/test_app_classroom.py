"""AppTest checks of class rooms: a teacher opens a room and follows it; students join by code or link, send drawings
from the Draw tab and see theirs; teacher actions need the teacher key; a database that cannot be reached is a
message, never a traceback, and loses nothing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import digitdemo.numpy_model
from digitdemo.activations import my_softmax
from digitdemo.catalog import shipped_models
from digitdemo.data import LAB_EXAMPLE
from digitdemo.errors import ModelFileError
from digitdemo.i18n import LANGUAGES, message
from digitdemo.numpy_model import load_model
from digitdemo.rooms import DATABASE_URL_ENV, RoomStore, build_engine, new_student_token
from scripts import postgres
from ui.models import cached_model

TEACHER_ONLY = ("classroom_clear", "classroom_close", "classroom_remove", "classroom_train", "classroom_forget")


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    """A fresh SQLite rooms database for this test, set before the app runs."""
    url = f"sqlite:///{tmp_path / 'rooms.sqlite3'}"
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    return url


def keys(at: AppTest, kind: str) -> set[str]:
    return {widget.key for widget in getattr(at, kind)}


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def metric(at: AppTest, msg_id: str, lang: str = "en", **params: object) -> str:
    """The value of the one metric labelled with this message."""
    (found,) = [m for m in at.metric if m.label == message(lang, msg_id, **params)]
    return found.value


def class_matrix(at: AppTest) -> np.ndarray:
    """The (10, 10) counts the class view's confusion matrix shows (its first chart; cell counts ride on its
    clickable markers, row by row)."""
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    return np.array(figure["data"][-1]["customdata"]).reshape(10, 10)


def open_room(new_app) -> tuple[AppTest, str, str]:
    """A teacher session with the Class tab open and a room just opened -> (session, code, teacher key)."""
    at = new_app(tabs="Class").run()
    at.button(key="classroom_open").click().run()
    assert not at.exception
    code, key = at.session_state["classroom_teacher"]
    return at, code, key


def student_by_link(new_app, code: str, token: str | None = None) -> AppTest:
    """A student session opened with the join link (?room=CODE, and a token as after a reload), showing example 1015
    in the Draw tab."""
    at = new_app()
    at.query_params["room"] = code
    if token is not None:
        at.query_params["student"] = token
    at.run()
    at.radio(key="draw_source").set_value("example").run()
    return at


def send(at: AppTest, digit: int) -> AppTest:
    at.pills(key="classroom_send_digit").set_value(digit).run()
    return at.button(key="classroom_send").click().run()


def refuse_lab_file(monkeypatch) -> ModelFileError:
    """From now on, reading the shipped lab model's file fails (every other file still reads) -> the error raised."""
    error = ModelFileError("model_file.missing", path="models/lab.npz")
    real = digitdemo.numpy_model.load_weights

    def load_weights(path: Path) -> dict[str, np.ndarray]:
        if path.stem == "lab":
            raise error
        return real(path)

    monkeypatch.setattr(digitdemo.numpy_model, "load_weights", load_weights)
    return error


def send_class(database: str, code: str, dataset, n: int) -> None:
    """n class drawings from the training digits, in turn of each digit, sent straight to the store."""
    store = RoomStore(build_engine(database))
    for i in np.arange(n) * 125:  # the training digits are in blocks of 500 per digit
        store.send_drawing(code, new_student_token(), dataset.X[i], int(dataset.y[i, 0]), my_softmax(np.zeros(10)), "x")


def test_teacher_opens_a_room_with_code_link_and_qr(new_app, database):
    """Opening a room shows the code large, the join link ?room=CODE in the page's language and its QR code (a PNG);
    the teacher key is held in the session and appears only in the teacher-link expander, not in the address, in a
    link that opens the Class tab."""
    at, code, key = open_room(new_app)
    assert len(code) == 6 and len(key) >= 40
    assert any(f"{code[:3]}-{code[3:]}" in m.value for m in at.markdown)
    codes = [c.value for c in at.code]
    assert f"?room={code}&lang=en" in codes
    assert f"?room={code}&teacher={key}&tab=classroom&lang=en" in codes
    assert "teacher" not in at.query_params
    assert metric(at, "classroom.count") == "0" and metric(at, "classroom.accuracy") == "–"
    assert {"classroom_clear", "classroom_close", "classroom_train"} <= keys(at, "button")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_a_teacher_who_loses_the_session_is_told_the_way_back(new_app, database, lang):
    """The teacher's view says, outside the collapsed expander that holds the key, to bookmark the teacher link, the
    way back after a reload or a server restart; a new session (another replica after one died) shows the start,
    which says to open that link, and the link brings the room back. The key is in no text but the link's."""
    teacher, code, key = open_room(new_app)
    teacher.segmented_control(key="lang").set_value(lang).run()
    assert message(lang, "classroom.teacher_link_reminder") in [c.value for c in teacher.caption]
    assert not any(key in element.value for element in [*teacher.caption, *teacher.markdown, *teacher.warning])
    restarted = new_app(tabs="Class", lang=lang).run()
    assert "classroom_teacher" not in restarted.session_state
    assert message(lang, "classroom.come_back") in [c.value for c in restarted.caption]
    restarted.query_params.update({"room": code, "teacher": key})
    restarted.run()
    assert restarted.session_state["classroom_teacher"] == (code, key)
    assert not restarted.exception


def test_student_joins_by_link_sends_and_sees_it_in_both_views(new_app, database, dataset, lab_model):
    """A student joining by link gets a token in the address; the send bar under the prediction sends example 1015
    with the digit meant; the student's Class tab lists it marked right or wrong; the teacher's view counts it, with
    accuracy and the class's confusion matrix."""
    teacher, code, key = open_room(new_app)
    student = student_by_link(new_app, code)
    assert not student.exception
    token = student.query_params["student"]
    assert len(token) >= 16
    assert student.button(key="classroom_send").disabled  # no digit chosen yet
    label = int(dataset.y[LAB_EXAMPLE, 0])
    student.sidebar.radio(key="model_choice").set_value("lab").run()
    send(student, label)
    assert not student.exception
    read = int(np.argmax(lab_model.predict_logits(dataset.X[LAB_EXAMPLE])[0]))
    outcome = "classroom.sent_right" if read == label else "classroom.sent_wrong"
    assert message("en", outcome, label=label, prediction=read) in [s.value for s in student.success]
    assert student.button(key="classroom_send").disabled  # the same drawing is not sent twice
    wrong = (label + 1) % 10
    student.radio(key="draw_source").set_value("example").run()
    student.number_input(key="draw_example").set_value(0).run()
    send(student, wrong)
    student.session_state["tabs"] = "Class"
    student.run()
    assert message("en", "classroom.in_room") in [h.value for h in student.subheader]
    assert any(f">{code[:3]}-{code[3:]}<" in m.value for m in student.markdown)
    assert any("2 sent" in m.value for m in student.markdown)
    assert not keys(student, "button") & set(TEACHER_ONLY)

    teacher.run()
    assert metric(teacher, "classroom.count") == "2"
    counts = class_matrix(teacher)
    assert counts.sum() == 2 and counts[label].sum() == 1 and counts[wrong].sum() == 1
    np.testing.assert_array_equal(counts, RoomStore(build_engine(database)).class_view(code, key).stats.confusion)


def test_student_joins_by_typed_code_and_a_reload_keeps_the_drawings(new_app, database):
    """A code typed loosely (lower case, a dash) joins the room; a new session with the same address (a reload)
    is in the same room and sees the same drawings."""
    _, code, _ = open_room(new_app)
    at = new_app(tabs="Class").run()
    at.text_input(key="classroom_code_input").input(f"{code[:3].lower()}-{code[3:]}").run()
    at.button(key="classroom_join").click().run()
    assert at.query_params["room"] == code
    token = at.query_params["student"]
    at.radio(key="draw_source").set_value("example").run()
    send(at, 3)
    reloaded = student_by_link(new_app, code, token)
    reloaded.session_state["tabs"] = "Class"
    reloaded.run()
    assert any("1 sent" in m.value for m in reloaded.markdown)


def test_unknown_code_is_a_message(new_app, database):
    """A code no room has is refused with the rooms.not_found message and no room is joined."""
    at = new_app(tabs="Class").run()
    at.text_input(key="classroom_code_input").input("ACDEFG").run()
    at.button(key="classroom_join").click().run()
    assert message("en", "rooms.not_found", code="ACD-EFG", days="7") in warnings(at)  # the code as the page writes it
    assert "classroom_joined" not in at.session_state and "room" not in at.query_params


def test_teacher_link_needs_the_right_key(new_app, database):
    """?room=CODE&teacher=KEY gives the teacher view and leaves the address bar; a wrong key gives the teacher_only
    message and no teacher action."""
    _, code, key = open_room(new_app)
    at = new_app(tabs="Class")
    at.query_params.update({"room": code, "teacher": key})
    at.run()
    assert at.session_state["classroom_teacher"] == (code, key)
    assert "teacher" not in at.query_params and "room" not in at.query_params
    intruder = new_app(tabs="Class")
    intruder.query_params.update({"room": code, "teacher": key[:-2] + "xx"})
    intruder.run()
    assert message("en", "rooms.teacher_only") in warnings(intruder)
    assert not keys(intruder, "button") & set(TEACHER_ONLY)
    assert not intruder.exception


def test_teacher_removes_clears_exports_and_closes(new_app, database, dataset):
    """The misread gallery lists a wrong drawing, which the teacher removes; the exports hold the lab's layout; clear
    empties the room; once it is closed, a student's next drawing shows the rooms.closed message (the code written
    with its dash) with the digits and Send disabled, and their Class tab says they were in the room."""
    teacher, code, key = open_room(new_app)
    student = student_by_link(new_app, code)
    label = int(dataset.y[LAB_EXAMPLE, 0])
    send(student, (label + 5) % 10)  # certainly misread
    teacher.run()
    pick = teacher.selectbox(key="classroom_remove_pick")
    (drawing,) = pick.options
    pick.set_value(int(drawing.lstrip("#"))).run()
    teacher.button(key="classroom_remove").click().run()
    assert metric(teacher, "classroom.count") == "0"

    student.number_input(key="draw_example").set_value(7).run()
    send(student, int(dataset.y[7, 0]))
    teacher.session_state["classroom_export"] = True
    teacher.run()
    csv, npz = (teacher.get("download_button")[i].proto for i in (0, 1))
    assert csv.label == message("en", "classroom.export_csv") and npz.label == message("en", "classroom.export_npz")
    X, y = RoomStore(build_engine(database)).export_arrays(code, key)
    served = load_model(shipped_models()[0].name).inputs(dataset.X[7])  # as the app's first model reads it
    np.testing.assert_allclose(X[0], served, atol=1e-6)
    assert y.tolist() == [[int(dataset.y[7, 0])]]

    teacher.button(key="classroom_clear").click().run()
    assert metric(teacher, "classroom.count") == "0"
    teacher.button(key="classroom_close").click().run()
    assert metric(teacher, "classroom.status") == message("en", "classroom.closed")
    student.number_input(key="draw_example").set_value(8).run()
    closed = message("en", "rooms.closed", code=f"{code[:3]}-{code[3:]}")
    assert closed in warnings(student)
    assert student.pills(key="classroom_send_digit").disabled and student.button(key="classroom_send").disabled
    student.session_state["tabs"] = message("en", "tabs.classroom")
    student.run()
    assert message("en", "classroom.was_in_room") in [h.value for h in student.subheader]
    assert closed in warnings(student)
    assert not student.exception and not teacher.exception


def test_unreachable_database_is_a_message_and_drawing_still_works(new_app, tmp_path, monkeypatch):
    """With the database folder impossible to make, opening a room and sending say storage.unavailable; the Draw
    tab's prediction and every other tab still work."""
    (tmp_path / "file").write_text("")
    monkeypatch.setenv(DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'file' / 'rooms.sqlite3'}")
    unavailable = message("en", "storage.unavailable")
    at = new_app(tabs="Class").run()
    at.button(key="classroom_open").click().run()
    assert unavailable in warnings(at) and "classroom_teacher" not in at.session_state
    student = new_app()
    student.query_params["room"] = "ACDEFG"
    student.run()
    assert unavailable in warnings(student)  # joined all the same: the room cannot be checked now
    assert student.session_state["classroom_joined"] == "ACDEFG"
    student.radio(key="draw_source").set_value("example").run()
    send(student, 1)
    assert unavailable in warnings(student)
    assert any(m.label == message("en", "draw.prediction") for m in student.metric)
    for tab in ("Softmax explorer", "ReLU explorer", "Mistakes", "Model", "Class"):
        student.session_state["tabs"] = tab
        student.run()
        assert not student.exception, tab


def test_postgres_stopped_mid_lesson(new_app, postgres_cluster, monkeypatch, dataset):
    """On PostgreSQL: a send while the server is stopped says storage.unavailable and the teacher's view says so too;
    after a restart the drawing sent before is still there and sending works again."""
    monkeypatch.setenv(DATABASE_URL_ENV, postgres_cluster.url)
    teacher, code, key = open_room(new_app)
    student = student_by_link(new_app, code)
    send(student, int(dataset.y[LAB_EXAMPLE, 0]))
    postgres.stop(postgres_cluster.folder)
    try:
        send(student.number_input(key="draw_example").set_value(3).run(), int(dataset.y[3, 0]))
        assert message("en", "storage.unavailable") in warnings(student)
        teacher.run()
        assert message("en", "storage.unavailable") in warnings(teacher)
        assert not student.exception and not teacher.exception
    finally:
        postgres.start(postgres_cluster.folder)
    student.button(key="classroom_send").click().run()
    teacher.run()
    assert metric(teacher, "classroom.count") == "2"


def test_training_on_half_the_class_compares_before_and_after(new_app, database, dataset, monkeypatch):
    """With 40 class drawings, training adds a stratified half to the 5000 training digits, runs the lab's recipe and
    shows, on the other half, the accuracy of the model in use (robust), of the shipped lab-recipe model (taken from
    the app's model cache, not read from disk again) and of the new one, which becomes the session's model."""
    pytest.importorskip("keras")
    teacher, code, key = open_room(new_app)
    send_class(database, code, dataset, 40)  # four of each digit
    teacher.sidebar.radio(key="model_choice").set_value("lab").run()
    teacher.sidebar.radio(key="model_choice").set_value("robust").run()
    with monkeypatch.context() as patch:
        # The lab model is compared through the app's cached loader: its file, read once above, is not read again.
        refuse_lab_file(patch)
        teacher.button(key="classroom_train").click().run()
    assert not teacher.exception
    trial = teacher.session_state["classroom_trial"]
    assert trial.n_added == 20 and len(trial.y_test) == 20
    assert sorted(np.bincount(trial.y_test[:, 0], minlength=10)) == [2] * 10
    assert [name for name, _ in trial.before] == ["robust", "lab"]
    teacher.session_state["training_job"].join(300)
    teacher.run()
    assert teacher.sidebar.radio(key="model_choice").value == "session"
    job = teacher.session_state["training_job"]
    assert job.state == "done" and job.n_examples == len(dataset.X) + 20
    for name, score in trial.before:
        assert metric(teacher, "classroom.before", model=message("en", f"catalog.{name}")) == f"{score:.0%}"
    after = 1 - np.mean(job.model.predict(trial.X_test) != trial.y_test[:, 0])
    assert metric(teacher, "classroom.after") == f"{after:.0%}"


def test_training_with_the_lab_model_file_refused_is_a_message(new_app, database, dataset, monkeypatch):
    """When the shipped lab model cannot be read for the comparison, Train shows that file's message and starts no
    training, with no traceback."""
    teacher, code, key = open_room(new_app)
    send_class(database, code, dataset, 40)
    cached_model.clear()  # the lab model must be read now, not found in the cache
    error = refuse_lab_file(monkeypatch)
    teacher.button(key="classroom_train").click().run()
    assert not teacher.exception
    assert message("en", error.msg_id, **error.params) in warnings(teacher)
    assert "classroom_trial" not in teacher.session_state and "training_job" not in teacher.session_state


@pytest.mark.parametrize("url", ["mysql://user:hunter2@127.0.0.1/db", "not a url"])
def test_bad_database_url_is_a_message_without_the_password(new_app, monkeypatch, url):
    """A URL naming a driver that is not installed, or no URL at all, is the storage.bad_url message (with the scheme
    only: never the password), not a traceback."""
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    at = new_app(tabs="Class").run()
    at.button(key="classroom_open").click().run()
    assert not at.exception
    assert warnings(at) == [message("en", "storage.bad_url", scheme=url.split(":", 1)[0])]
    assert "hunter2" not in warnings(at)[0]


def test_class_view_in_chinese_and_leaving_it(new_app, database):
    """The teacher's view reads in Chinese after a language switch (the room and its key kept); leaving the room's
    page goes back to the start, from which the teacher link brings the room back."""
    at, code, key = open_room(new_app)
    at.segmented_control(key="lang").set_value("zh").run()
    assert not at.exception
    assert metric(at, "classroom.count", lang="zh") == "0"
    assert message("zh", "classroom.train_heading") in [h.value for h in at.subheader]
    at.button(key="classroom_forget").click().run()
    assert "classroom_teacher" not in at.session_state and "classroom_open" in keys(at, "button")
    at.query_params.update({"room": code, "teacher": key})
    at.run()
    assert at.session_state["classroom_teacher"] == (code, key)


def show_canvas_reading(code: str) -> None:
    """The Draw tab's reading of example 1015 as the canvas's (the view a stroke redraws), for a student of `code`."""
    import streamlit as st

    from digitdemo.data import LAB_EXAMPLE, load_dataset
    from digitdemo.numpy_model import load_model
    from ui import draw
    from ui.room_access import JOINED

    st.session_state[JOINED] = code
    model, dataset = load_model("lab"), load_dataset()
    draw.render_reading(model, dataset, model.inputs(dataset.X[LAB_EXAMPLE]), None, "canvas")


def test_strokes_ask_the_room_once_and_a_closed_room_still_refuses(new_app, database, monkeypatch):
    """The send bar under the canvas's prediction, drawn again on every stroke, asks the database whether the room
    takes drawings once for several strokes (ui.room_access.REFUSAL_SECONDS); once the teacher has closed the room, a
    send is refused and the bar says so at once, its digits and Send disabled."""
    _, code, key = open_room(new_app)
    asked = []
    join_room = RoomStore.join_room
    monkeypatch.setattr(RoomStore, "join_room", lambda store, room: asked.append(room) or join_room(store, room))
    student = AppTest.from_function(show_canvas_reading, args=(code,), default_timeout=60)
    for _ in range(3):  # three strokes
        student.run()
    assert asked == [code]
    assert not student.pills(key="classroom_send_digit").disabled
    RoomStore(build_engine(database)).close_room(code, key)
    send(student, 2)
    closed = message("en", "rooms.closed", code=f"{code[:3]}-{code[3:]}")
    assert closed in warnings(student)
    assert student.pills(key="classroom_send_digit").disabled and student.button(key="classroom_send").disabled
    assert not student.exception
