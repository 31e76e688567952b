"""Training: the lab's plain model.fit against digitdemo.train.fit, same data, recipe and seeds."""

from __future__ import annotations

import time

from benchmarks.speed_sections.common import Report, Row, Setting, median


def bench_training(setting: Setting, report: Report) -> None:
    """The lab's plain model.fit against digitdemo.train.fit: same data, recipe and seeds; time and training errors."""
    import keras

    from digitdemo.catalog import Recipe
    from digitdemo.data import load_dataset
    from digitdemo.keras_model import build_model, keras_weights
    from digitdemo.metrics import count_errors
    from digitdemo.numpy_model import NumpyModel
    from digitdemo.train import fit

    dataset = load_dataset()
    step = max(1, len(dataset.X) // setting.train_rows)
    X, y = dataset.X[::step], dataset.y[::step]

    def plain(seed: int, epochs: int) -> NumpyModel:
        keras.utils.set_random_seed(seed)
        model = build_model()
        model.fit(X, y, epochs=epochs, batch_size=32, verbose=0)
        return NumpyModel(keras_weights(model))

    def fast(seed: int, epochs: int) -> tuple[NumpyModel, int]:
        fired: list[int] = []
        model, _ = fit(X, y, Recipe(epochs=epochs, seed=seed), on_epoch=lambda e, n, loss, weights: fired.append(e))
        return NumpyModel(keras_weights(model)), len(fired)

    plain(0, 1), fast(0, 1)  # warm-up: TensorFlow's one-off start costs out of both
    runs = []
    for i, seed in enumerate(setting.train_seeds):
        seconds = {}
        for kind in ("plain", "fast") if i % 2 == 0 else ("fast", "plain"):  # either order, so order effects cancel
            start = time.perf_counter()
            if kind == "plain":
                baseline = plain(seed, setting.train_epochs)
            else:
                ours, fired = fast(seed, setting.train_epochs)
            seconds[kind] = time.perf_counter() - start
        plain_s, fast_s = seconds["plain"], seconds["fast"]
        runs.append(
            {
                "seed": seed,
                "plain_s": round(plain_s, 2),
                "fast_s": round(fast_s, 2),
                "plain_errors": count_errors(baseline, X, y),
                "fast_errors": count_errors(ours, X, y),
                "epochs": setting.train_epochs,
                "on_epoch_calls": fired,
            }
        )
    ours_s, plain_s = median([r["fast_s"] for r in runs]), median([r["plain_s"] for r in runs])
    fewer = all(r["fast_errors"] <= r["plain_errors"] for r in runs)
    every_epoch = all(r["on_epoch_calls"] == r["epochs"] for r in runs)
    errors = ", ".join(f"seed {r['seed']}: {r['fast_errors']} vs {r['plain_errors']}" for r in runs)
    ratio = median([r["plain_s"] / r["fast_s"] for r in runs])
    report.rows.append(
        Row(
            f"Training, {len(X)} digits x {setting.train_epochs} epochs, batch 32",
            ours_s,
            "s",
            plain_s,
            "plain model.fit",
            ">= 2x, errors no more",
            ratio >= 2 and fewer and every_epoch,
            f"ratio is the median of the per-seed ratios; errors (ours vs plain) {errors}; "
            f"on_epoch every epoch: {every_epoch}",
            ratio,
        )
    )
    report.details["training"] = runs
