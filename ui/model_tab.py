"""The Model tab: the network's layers and weights, the shipped model's loss curve, and training a model in the app.

Training runs on its own thread (digitdemo.live_training), so a click, a tab or a language switch leaves it running; the
tab follows it while open."""

from __future__ import annotations

import numpy as np
import streamlit as st

from digitdemo.catalog import CATALOG, SESSION_MODEL
from digitdemo.data import Dataset
from digitdemo.errors import DigitDemoError
from digitdemo.live_training import EPOCHS_RANGE, LEARNING_RATE_RANGE, TrainingJob, TrainingSettings, start_training
from digitdemo.model_card import model_card
from digitdemo.network import LAYERS, N_INPUTS, N_PARAMETERS
from digitdemo.numpy_model import NumpyModel, load_record
from ui import state
from ui.charts import bar_chart, epoch_figure, reliability_figure
from ui.i18n import error_text, t
from ui.models import epoch_line, model_label
from ui.pictures import png_url, weight_tiles
from ui.plotting import plotly_chart
from ui.presenter import render_lesson_caption
from ui.theme import OTHER_COLOR, WINNER_COLOR

DEFAULTS = TrainingSettings()
# The training settings, handed back after a visit to another tab or a language switch.
SETTING_KEYS = {
    "model_epochs": "epochs",
    "model_learning_rate": "learning_rate",
    "model_holdout": "holdout",
    "model_step": "step",
}
STATE_KEYS = tuple(SETTING_KEYS)
START_ERROR = "model_start_error"  # why the last press of Train started nothing
PROGRESS_SECONDS = 1.0  # how often an open Model tab looks at a running training
TILE_SCALE = 3  # the hidden units' 20x20 weight pictures at 60 px


def activation_name(activation: str) -> str:
    """A Keras activation name ('relu', 'linear') as the page words it."""
    return t(f"activation.{activation}")


def network_chain() -> str:
    """The layers as one line: "Input 400 pixels -> 25 ReLU units -> 15 ReLU units -> 10 linear outputs (logits)"."""
    *hidden, output = LAYERS
    parts = [t("model.chain_input", n=N_INPUTS)]
    parts += [
        t("model.chain_hidden", units=layer.units, activation=activation_name(layer.activation)) for layer in hidden
    ]
    parts.append(t("model.chain_output", units=output.units, activation=activation_name(output.activation)))
    return " -> ".join(parts)


def summary_table(model: NumpyModel) -> list[dict[str, str]]:
    """One row per Dense layer: name, activation, output shape, weight shapes, parameters."""
    rows = []
    for number, layer in enumerate(LAYERS, start=1):
        w, b = model.weights[f"W{number}"], model.weights[f"b{number}"]
        rows.append(
            {
                t("model.layer"): f"{layer.name} (Dense)",
                t("model.activation"): activation_name(layer.activation),
                t("model.output_shape"): f"(None, {layer.units})",
                t("model.weights"): f"W{number} {w.shape}",
                t("model.biases"): f"b{number} {b.shape}",
                t("model.parameters"): f"{w.size + b.size:,}",
            }
        )
    return rows


def render(model: NumpyModel, dataset: Dataset) -> None:
    """Summary and weight shapes of the model in use, how it was trained, and training in the app."""
    st.subheader(t("model.network_heading"))
    st.markdown(t("model.network", chain=network_chain(), model=model_label(model.name), n_params=N_PARAMETERS))
    # A table, not a data grid: it wraps on a phone and its text grows with the presenter view.
    st.table(summary_table(model), hide_index=True, border="horizontal")
    st.caption(t("model.total_parameters", n_params=N_PARAMETERS))
    if model.name == SESSION_MODEL:
        st.caption(t("model.session_in_use"))
    else:
        render_shipped_record(model.name)
    st.divider()
    render_training(dataset)


def render_shipped_record(name: str) -> None:
    """The loss curve and outcomes recorded when the shipped model `name` was trained."""
    record = load_record(name)
    st.subheader(t("model.record_heading", model=model_label(name)))
    if record is None:
        st.caption(t("model.no_record"))
        return
    figure = epoch_figure(record["loss_per_epoch"], (t("model.axis_epoch"), t("model.axis_loss")))
    plotly_chart(figure, "model_shipped_loss")
    recipe = record.get("recipe", {})
    settings = {key: recipe.get(key) for key in ("epochs", "learning_rate", "batch_size")}
    validation = record.get("validation")
    if validation and validation["epochs_run"] < recipe.get("epochs", 0):  # early stopping ended it sooner
        facts = [t("model.recipe_stopped", epochs_run=validation["epochs_run"], **settings)]
    else:
        facts = [t("model.recipe", **settings)]
    facts.append(t("model.record_errors", errors=record.get("train_errors"), n=record.get("n_examples")))
    heldout = record.get("heldout")
    if heldout:
        facts.append(t("model.heldout", accuracy=heldout["accuracy"], n_test=heldout["n_test"]))
    st.caption(" · ".join(facts))
    render_model_card(name, record)


def render_model_card(name: str, record: dict) -> None:
    """The model card of the shipped model `name` from its `record` (digitdemo.model_card): its lines, its held-out
    accuracy per digit and its reliability diagram before and after temperature scaling."""
    card = model_card(CATALOG[name], record)
    st.subheader(t("model.card_heading", model=model_label(name)))
    render_lesson_caption(t("model.card_caption"), "model_card")
    st.markdown("\n".join(f"- {t(line.msg_id, **line.params)}" for line in card.lines))
    per_digit, reliability = st.columns(2)
    if card.per_digit is not None:
        per_digit.markdown(f"**{t('model.card_per_digit')}**")
        figure = bar_chart(np.asarray(card.per_digit), None, t("model.axis_right"), (0.0, 1.1), text_format=".1%")
        plotly_chart(figure, "model_card_per_digit", per_digit)
    if card.reliability_before and card.reliability_after:
        reliability.markdown(f"**{t('model.card_reliability')}**")
        curves = [
            (card.reliability_before, t("model.card_before"), OTHER_COLOR),
            (
                card.reliability_after,
                t("model.card_after", temperature=record["calibration"]["temperature"]),
                WINNER_COLOR,
            ),
        ]
        titles = (t("model.axis_confidence"), t("model.axis_right"))
        plotly_chart(reliability_figure(curves, titles, t("model.card_perfect")), "model_card_reliability", reliability)


def start_run(dataset: Dataset) -> None:
    """Train button callback: start a run with the chosen settings, or keep the reason it could not start."""
    settings = TrainingSettings(**{field: st.session_state[key] for key, field in SETTING_KEYS.items()})
    try:
        state.set_training_job(start_training(dataset.X, dataset.y, settings))
        st.session_state.pop(START_ERROR, None)
    except DigitDemoError as exc:
        st.session_state[START_ERROR] = exc


def render_training(dataset: Dataset) -> None:
    """The settings, a train button, and the session's run: live while it trains, its outcome once it has ended."""
    st.subheader(t("model.train_heading"))
    st.caption(t("model.train_caption"))
    for key, field in SETTING_KEYS.items():
        st.session_state.setdefault(key, getattr(DEFAULTS, field))
    job = state.training_job()
    running = job is not None and not job.finished
    epochs_col, rate_col, options_col = st.columns([1, 1, 2])
    epochs_col.number_input(t("model.epochs"), *EPOCHS_RANGE, step=1, key="model_epochs", disabled=running)
    rate_col.number_input(
        t("model.learning_rate"),
        *LEARNING_RATE_RANGE,
        step=0.0005,
        format="%.4f",
        key="model_learning_rate",
        disabled=running,
    )
    options_col.checkbox(t("model.holdout"), key="model_holdout", help=t("model.holdout_help"), disabled=running)
    options_col.checkbox(t("model.step"), key="model_step", help=t("model.step_help"), disabled=running)
    st.button(
        t("model.train"), key="model_train", type="primary", on_click=start_run, args=(dataset,), disabled=running
    )
    if START_ERROR in st.session_state:
        st.warning(error_text(st.session_state[START_ERROR]))
    if running:
        render_live_run()
    elif job is not None:
        render_run(job)


@st.fragment(run_every=PROGRESS_SECONDS)
def render_live_run() -> None:
    """The running training, looked at every PROGRESS_SECONDS; once it has ended, the whole page is drawn again, so
    that the sidebar switches to the new model."""
    job = state.training_job()
    if job is None or job.finished:
        st.rerun(scope="app")
    render_run(job)


def render_run(job: TrainingJob) -> None:
    """Where a run stands (progress, paused, done, stopped or failed), its controls and its curves per epoch."""
    total = job.settings.epochs
    last = job.history[-1] if job.history else None
    if job.state == "failed":
        st.error(t("model.run_failed", error=job.error))
        return
    if last is None:
        st.progress(0.0, text=t("model.starting"))
    elif job.state == "running":
        st.progress(last.epoch / total, text=epoch_line(job))
    elif job.state == "waiting":
        st.info(t("model.run_waiting", done=last.epoch, total=total) + " " + epoch_line(job))
    else:
        outcome = "model.run_done" if job.state == "done" else "model.run_stopped"
        st.success(t(outcome, done=last.epoch, total=total, loss=last.loss, errors=last.train_errors, n=last.n_train))
    controls = st.columns([1, 1, 2])
    if not job.finished:
        controls[0].button(t("model.stop"), key="model_stop", on_click=job.stop, width="stretch")
        controls[1].button(
            t("model.next_epoch"),
            key="model_next_epoch",
            on_click=job.step,
            disabled=job.state != "waiting",
            width="stretch",
        )
    elif job.model is not None:
        controls[0].download_button(
            t("model.download"),
            job.keras_bytes,
            file_name="my_model.keras",
            mime="application/octet-stream",
            key="model_download",
            width="stretch",
        )
        controls[1].button(t("model.back_to_shipped"), key="model_reset", on_click=state.set_training_job, args=(None,))
    if job.history:
        render_curves(job)
    if job.latest is not None and last is not None:
        render_unit_weights(job.latest, last.epoch)


def render_unit_weights(model: NumpyModel, epoch: int) -> None:
    """The first-layer weight pictures of the model as it stands after `epoch`, numbered, so a stepped run shows
    each hidden unit learn its pattern."""
    st.markdown(t("why.training_weights", epoch=epoch))
    tiles = weight_tiles(model.weights["W1"], TILE_SCALE)
    st.image([png_url(tile) for tile in tiles], caption=[str(j) for j in range(len(tiles))])


def render_curves(job: TrainingJob) -> None:
    """Loss, training errors and (when digits were held out) held-out accuracy per epoch, each with its own axis."""
    epochs, x_title = job.settings.epochs, t("model.axis_epoch")
    curves = [
        ("loss", [s.loss for s in job.history], t("model.axis_loss"), False),
        ("errors", [s.train_errors for s in job.history], t("model.axis_errors", n=job.n_examples), False),
    ]
    if job.settings.holdout:
        curves.append(("heldout", [s.heldout_accuracy for s in job.history], t("model.axis_heldout"), True))
    for column, (name, values, title, percent) in zip(st.columns(len(curves)), curves, strict=True):
        figure = epoch_figure(values, (x_title, title), epochs, percent=percent)
        plotly_chart(figure, f"model_run_{name}", column)
