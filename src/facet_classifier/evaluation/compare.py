"""Compare two models on the same labelled cases: paired bootstrap deltas and a plain verdict.

Each model predicts every case once. The metric deltas (B - A) are then recomputed on
`n_bootstrap` resamples of the cases, drawing the *same* case indices for A and B (a paired
bootstrap), so case difficulty cancels out and the interval reflects only how differently the two
models do on the same cases. Resamples are count vectors (how often each case was drawn), so every
metric of every resample is one matrix product over label counts: 1000 resamples of a few
thousand cases take well under a second.

The A and B numbers are the ones `evaluate` prints for each model on the same file: the same
gold columns (as each model's card records them), the same cases, the same metric definitions
(`evaluation/metrics.py`). The verdict for an axis rests on its headline metric, the primary
macro-F1 where the axis has a gold primary label, else the label-set macro-F1: "B is better" only
when the whole 95 % interval of the delta lies above 0, "B is worse" when it lies below 0, and
"no clear difference" otherwise. The overall verdict applies the same rule to the mean of the
shared axes' headline metrics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from facet_classifier.errors import UserError
from facet_classifier.evaluation.evaluate import gold_axis_options, read_gold
from facet_classifier.modeling.axis import label_matrix
from facet_classifier.modeling.labelled import LabelledCases, metadata_values
from facet_classifier.modeling.model import AxisPrediction, FacetModel
from facet_classifier.modeling.store import load_model
from facet_classifier.progress import QUIET, Reporter
from facet_classifier.textproc import model_text

CONFIDENCE = 0.95
MIN_BOOTSTRAP = 100
RESAMPLES_PER_CHUNK = 250  # bounds memory: a chunk holds RESAMPLES_PER_CHUNK x cases counts
BETTER, WORSE, UNCLEAR = "B is better", "B is worse", "no clear difference"
METRIC_NAMES = {
    "primary_macro_f1": "primary macro-F1",
    "primary_accuracy": "primary accuracy",
    "label_macro_f1": "label macro-F1",
    "label_micro_f1": "label micro-F1",
}


# ---------------------------------------------------------------- gold labels of both models
@dataclass
class AxisGold:
    """Gold labels of one shared axis, over the rows of the combined case table."""

    rows: np.ndarray  # indices into the combined case table of the cases scored on this axis
    labels: list[list[str]]  # per scored case
    primary: list[str | None] | None  # per scored case; None when the axis has no gold primary


def _read_gold_safely(paths: Sequence[Path], model: FacetModel, reporter: Reporter) -> tuple[LabelledCases | None, str | None]:
    """Gold as this model's card says to read it; a model whose gold columns are absent gets None."""
    try:
        return read_gold(paths, model, reporter), None
    except UserError as exc:
        return None, str(exc)


def _case_key(cases: Any) -> list[tuple[str, int]]:
    # Both readings ingest the same files, so (file, row) names the same case in each.
    return list(zip(cases["source_file"].astype(str), cases["source_row"].astype(int)))


def _combine_cases(readings: Sequence[LabelledCases]) -> tuple[Any, list[dict[tuple[str, int], int]]]:
    """One case table holding every case of either reading (each model predicts it once)."""
    import pandas as pd

    frames, seen = [], set()
    for reading in readings:
        keys = _case_key(reading.cases)
        new = [i for i, key in enumerate(keys) if key not in seen]
        seen.update(keys)
        frames.append(reading.cases.iloc[new])
    combined = pd.concat(frames, ignore_index=True)
    position = {key: i for i, key in enumerate(_case_key(combined))}
    return combined, [{key: position[key] for key in _case_key(r.cases)} for r in readings]


def _axis_gold(reading: LabelledCases, positions: dict[tuple[str, int], int], axis: str) -> AxisGold:
    spec = reading.specs[axis]
    rows = np.array([positions[key] for key in _case_key(reading.cases)], dtype=int)
    has_primary = bool(spec.primary_column) or not spec.multi_label
    return AxisGold(rows=rows, labels=reading.labels[axis], primary=reading.primary[axis] if has_primary else None)


# ---------------------------------------------------------------- predictions
def _predict(model: FacetModel, cases: Any, axes: Sequence[str], reporter: Reporter, name: str) -> dict[str, AxisPrediction]:
    """Each shared axis's prediction for every case, exactly as `classify` would make it."""
    texts = [model_text(t, x) for t, x in zip(cases["title"], cases["text"])]
    processed = list(reporter.track(model.processor.process(texts), f"Classifying with model {name}", total=len(texts)))
    for case, values in zip(processed, metadata_values(cases, model.featurizer.get("metadata_columns", []))):
        case.metadata = values
    X = model.vectorise(processed)
    return {axis: model.predict_axis(axis, X, processed) for axis in axes}


# ---------------------------------------------------------------- metrics under resampling weights
def _label_set_scores(W: np.ndarray, Y: np.ndarray, P: np.ndarray) -> dict[str, np.ndarray]:
    """Label-set macro/micro F1 and per-label F1 for each row of case weights W (resamples x cases).

    Same definitions as `metrics.label_set_metrics`: per-label F1 = 2tp / (2tp + fp + fn), 0 when
    undefined; macro-F1 averages the labels with support in the (resampled) data.
    """
    tp = W @ (Y * P)
    support = W @ Y
    predicted = W @ P
    denominator = support + predicted
    per_label = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    present = support > 0
    n_present = present.sum(axis=1)
    macro = np.divide((per_label * present).sum(axis=1), n_present, out=np.zeros(len(W)), where=n_present > 0)
    total = denominator.sum(axis=1)
    micro = np.divide(2 * tp.sum(axis=1), total, out=np.zeros(len(W)), where=total > 0)
    return {"label_macro_f1": macro, "label_micro_f1": micro, "per_label": per_label}


def _primary_scores(W: np.ndarray, G: np.ndarray, P: np.ndarray) -> dict[str, np.ndarray]:
    """Primary accuracy and macro-F1 (over labels present in the resampled gold), as `primary_metrics`."""
    tp = W @ (G * P)
    support = W @ G
    predicted = W @ P
    denominator = support + predicted
    f1 = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    present = support > 0
    n_present = present.sum(axis=1)
    cases = support.sum(axis=1)
    return {
        "primary_macro_f1": np.divide((f1 * present).sum(axis=1), n_present, out=np.zeros(len(W)), where=n_present > 0),
        "primary_accuracy": np.divide(tp.sum(axis=1), cases, out=np.zeros(len(W)), where=cases > 0),
    }


def _one_hot(values: Sequence[str], vocabulary: Sequence[str]) -> np.ndarray:
    index = {v: j for j, v in enumerate(vocabulary)}
    matrix = np.zeros((len(values), len(vocabulary)), dtype=np.float64)
    for row, value in enumerate(values):
        if value in index:
            matrix[row, index[value]] = 1.0
    return matrix


@dataclass
class AxisData:
    """Everything the bootstrap needs for one axis, as 0/1 matrices over the scored cases."""

    rows: np.ndarray
    labels: list[str]  # the labels compared (both models know them)
    Y: np.ndarray
    P: dict[str, np.ndarray]  # model ("a"/"b") -> predicted label sets
    primary_rows: np.ndarray | None  # positions within `rows` scored on the primary label
    G: np.ndarray | None
    Q: dict[str, np.ndarray]  # model -> predicted primary label (one-hot)


def _axis_data(gold: AxisGold, predictions: dict[str, AxisPrediction], labels: list[str]) -> AxisData:
    a, b = predictions["a"], predictions["b"]
    Y = label_matrix(gold.labels, labels).astype(np.float64)
    P = {m: label_matrix([p.assigned[i] for i in gold.rows], labels).astype(np.float64) for m, p in predictions.items()}
    primary_rows, G, Q = None, None, {}
    if gold.primary is not None:
        known_a, known_b = set(a.labels), set(b.labels)
        # A gold primary that only one model can predict would favour that model: leave it out.
        keep = [i for i, g in enumerate(gold.primary) if g is not None and ((g in known_a) == (g in known_b))]
        if keep:
            primary_rows = np.array(keep, dtype=int)
            gold_primary = [gold.primary[i] for i in keep]
            predicted = {m: [p.primary_labels[gold.rows[i]] for i in keep] for m, p in predictions.items()}
            vocabulary = list(dict.fromkeys(labels + sorted(set(gold_primary) - set(labels))))
            G = _one_hot(gold_primary, vocabulary)
            Q = {m: _one_hot(values, vocabulary) for m, values in predicted.items()}
    return AxisData(gold.rows, labels, Y, P, primary_rows, G, Q)


def _axis_scores(data: AxisData, W_full: np.ndarray, model: str) -> dict[str, np.ndarray]:
    W = W_full[:, data.rows]
    scores = _label_set_scores(W, data.Y, data.P[model])
    if data.G is not None and data.primary_rows is not None:
        scores.update(_primary_scores(W[:, data.primary_rows], data.G, data.Q[model]))
    return scores


def headline_metric(data: AxisData) -> str:
    return "primary_macro_f1" if data.G is not None else "label_macro_f1"


# ---------------------------------------------------------------- bootstrap
def resample_weights(n_cases: int, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """How often each case is drawn in each resample (resamples x cases), from drawn indices."""
    drawn = rng.integers(0, n_cases, size=(n_resamples, n_cases))
    offsets = (np.arange(n_resamples) * n_cases)[:, None]
    return np.bincount((drawn + offsets).ravel(), minlength=n_resamples * n_cases).reshape(n_resamples, n_cases).astype(np.float64)


def _summary(a: float, b: float, deltas: np.ndarray) -> dict[str, float]:
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(deltas, [tail, 100 - tail])
    return {"a": round(float(a), 4), "b": round(float(b), 4), "delta": round(float(b - a), 4),
            "ci_low": round(float(low), 4), "ci_high": round(float(high), 4)}  # fmt: skip


def verdict(summary: dict[str, float]) -> str:
    if summary["ci_low"] > 0:
        return BETTER
    if summary["ci_high"] < 0:
        return WORSE
    return UNCLEAR


def _bootstrap(
    axes: dict[str, AxisData], n_cases: int, n_bootstrap: int, seed: int, reporter: Reporter
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Point estimates and paired bootstrap intervals per axis, per label and overall."""
    ones = np.ones((1, n_cases))
    point = {axis: {m: _axis_scores(data, ones, m) for m in ("a", "b")} for axis, data in axes.items()}
    draws: dict[str, dict[str, list[np.ndarray]]] = {axis: {} for axis in axes}
    rng = np.random.default_rng(seed)
    chunks = [min(RESAMPLES_PER_CHUNK, n_bootstrap - start) for start in range(0, n_bootstrap, RESAMPLES_PER_CHUNK)]
    for size in reporter.track(chunks, f"Bootstrapping ({n_bootstrap} paired resamples)", total=len(chunks)):
        W = resample_weights(n_cases, size, rng)
        for axis, data in axes.items():
            a, b = _axis_scores(data, W, "a"), _axis_scores(data, W, "b")
            for metric in a:
                draws[axis].setdefault(metric, []).append(b[metric] - a[metric])
    results: dict[str, dict[str, Any]] = {}
    headline_deltas, headline_a, headline_b = [], [], []
    for axis, data in axes.items():
        deltas = {metric: np.concatenate(chunks_) for metric, chunks_ in draws[axis].items()}
        pa, pb = point[axis]["a"], point[axis]["b"]
        metrics = {m: _summary(pa[m][0], pb[m][0], deltas[m]) for m in METRIC_NAMES if m in pa}
        support = data.Y.sum(axis=0)
        per_label = {
            label: {**_summary(pa["per_label"][0, j], pb["per_label"][0, j], deltas["per_label"][:, j]), "support": int(support[j])}
            for j, label in enumerate(data.labels)
        }
        headline = headline_metric(data)
        results[axis] = {"metrics": metrics, "per_label": per_label, "headline": headline, "verdict": verdict(metrics[headline])}
        headline_deltas.append(deltas[headline])
        headline_a.append(pa[headline][0])
        headline_b.append(pb[headline][0])
    overall = _summary(float(np.mean(headline_a)), float(np.mean(headline_b)), np.mean(headline_deltas, axis=0))
    return results, {**overall, "verdict": verdict(overall)}


# ---------------------------------------------------------------- the command
def _model_info(path: Path, model: FacetModel) -> dict[str, Any]:
    return {"path": str(path), "model_id": model.model_id, "axes": list(model.axes)}


def _shared_axes(model_a: FacetModel, model_b: FacetModel) -> tuple[list[str], dict[str, list[str]]]:
    shared = [axis for axis in model_a.axes if axis in model_b.axes]
    only = {"a": [x for x in model_a.axes if x not in model_b.axes], "b": [x for x in model_b.axes if x not in model_a.axes]}
    if not shared:
        raise UserError(f"the two models share no axis (A: {', '.join(model_a.axes)}; B: {', '.join(model_b.axes)}); "
                        "compare models trained for the same axis")  # fmt: skip
    return shared, only


def _gold_key(model: FacetModel) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What `read_gold` reads for this model: its --axis options, else its axis names."""
    options = tuple(gold_axis_options(model))
    return options, () if options else tuple(model.axes)


def _gold_columns(reading: LabelledCases, axis: str) -> str:
    spec = reading.specs[axis]
    return " / ".join(c for c in (spec.primary_column, spec.labels_column) if c)


def _shared_gold(
    labelled: Sequence[Path], models: dict[str, FacetModel], shared: list[str], notes: list[str], reporter: Reporter
) -> tuple[Any, dict[str, AxisGold]]:
    """The cases to predict and, per shared axis, its gold labels (read as A reads them, else B)."""
    gold_a, why_a = _read_gold_safely(labelled, models["a"], reporter)
    if _gold_key(models["a"]) == _gold_key(models["b"]):  # the same columns: ingest once
        gold_b, why_b = gold_a, why_a
    else:
        gold_b, why_b = _read_gold_safely(labelled, models["b"], reporter)
    readings = [r for r in (gold_a, gold_b if gold_b is not gold_a else None) if r is not None]
    if not readings:
        raise UserError(f"no gold labels for any shared axis in {', '.join(map(str, labelled))}: {why_a}")
    notes += [f"gold labels as model {m} reads them: {why}" for m, why in (("A", why_a), ("B", why_b)) if why]
    cases, positions = _combine_cases(readings)
    gold: dict[str, AxisGold] = {}
    for axis in shared:
        usable = [(r, p) for r, p in zip(readings, positions) if axis in r.specs]
        if not usable:
            notes.append(f"axis {axis!r}: no gold labels in the labelled data; not compared")
            continue
        if gold_a is not None and gold_b is not None and axis in gold_a.specs and axis in gold_b.specs and gold_a.specs[axis] != gold_b.specs[axis]:
            notes.append(f"axis {axis!r}: the models read gold from different columns (A: {_gold_columns(gold_a, axis)}; "
                         f"B: {_gold_columns(gold_b, axis)}); scored against A's")  # fmt: skip
        gold[axis] = _axis_gold(*usable[0], axis)
    if not gold:
        raise UserError(f"no gold labels for any shared axis ({', '.join(shared)}) in {', '.join(map(str, labelled))}")
    return cases, gold


def compare_models(
    labelled: list[Path], model_a: Path, model_b: Path, *, n_bootstrap: int = 1000, seed: int = 13, reporter: Reporter = QUIET
) -> dict[str, Any]:
    """Metric deltas (B - A) per shared axis and label, with paired-bootstrap 95 % intervals and verdicts."""
    if n_bootstrap < MIN_BOOTSTRAP:
        raise UserError(f"--bootstrap must be at least {MIN_BOOTSTRAP} (percentile intervals need many resamples)")
    models = {"a": load_model(model_a), "b": load_model(model_b)}
    shared, only = _shared_axes(models["a"], models["b"])
    notes = [f"axis {axis!r} is only in model {m.upper()}; not compared" for m in "ab" for axis in only[m]]
    cases, gold = _shared_gold(labelled, models, shared, notes, reporter)
    predictions = {m: _predict(model, cases, list(gold), reporter, m.upper()) for m, model in models.items()}
    axes: dict[str, AxisData] = {}
    label_notes: dict[str, dict[str, list[str]]] = {}
    for axis, axis_gold in gold.items():
        labels_a, labels_b = predictions["a"][axis].labels, predictions["b"][axis].labels
        common = [label for label in labels_a if label in labels_b]
        label_notes[axis] = {"a": [l for l in labels_a if l not in labels_b], "b": [l for l in labels_b if l not in labels_a]}
        if not common:
            notes.append(f"axis {axis!r}: the models have no label in common; not compared")
            continue
        if label_notes[axis]["a"] or label_notes[axis]["b"]:
            notes.append(f"axis {axis!r}: the models' label sets differ; compared on the {len(common)} labels both have "
                         f"(only in A: {', '.join(label_notes[axis]['a']) or 'none'}; only in B: {', '.join(label_notes[axis]['b']) or 'none'})")  # fmt: skip
        unknown = Counter(l for ls in axis_gold.labels for l in ls if l not in labels_a and l not in labels_b)
        if unknown:
            listing = ", ".join(f"{label} ({n})" for label, n in sorted(unknown.items()))
            notes.append(f"axis {axis!r}: gold labels neither model has (e.g. merged into 'other' in training): {listing}; "
                         "they count as misses for both models")  # fmt: skip
        axes[axis] = _axis_data(axis_gold, {m: p[axis] for m, p in predictions.items()}, common)
    if not axes:
        raise UserError("no shared axis has labels both models know; nothing to compare")
    per_axis, overall = _bootstrap(axes, len(cases), n_bootstrap, seed, reporter)
    for axis, data in axes.items():
        per_axis[axis].update(
            cases=len(data.rows),
            primary_cases=0 if data.primary_rows is None else len(data.primary_rows),
            labels_compared=data.labels,
            labels_only_in_a=label_notes[axis]["a"],
            labels_only_in_b=label_notes[axis]["b"],
        )
    verdicts = {axis: r["verdict"] for axis, r in per_axis.items()}
    if BETTER in verdicts.values() and WORSE in verdicts.values():
        notes.append("the axes disagree: " + "; ".join(f"{axis}: {v}" for axis, v in verdicts.items()))
    return {
        "model_a": _model_info(model_a, models["a"]),
        "model_b": _model_info(model_b, models["b"]),
        "labelled": [str(p) for p in labelled],
        "cases": len(cases),
        "n_bootstrap": n_bootstrap,
        "seed": seed,
        "confidence": CONFIDENCE,
        "shared_axes": shared,
        "axes_only_in_a": only["a"],
        "axes_only_in_b": only["b"],
        "axes": per_axis,
        "overall": {**overall, "headline": "mean over the compared axes of each axis's headline metric", "axes": list(per_axis)},
        "notes": notes,
    }


# ---------------------------------------------------------------- text
def _interval(s: dict[str, float]) -> str:
    return f"[{s['ci_low']:+.3f}, {s['ci_high']:+.3f}]"


def _mark(s: dict[str, float]) -> str:
    return {BETTER: "B better", WORSE: "B worse"}.get(verdict(s), "")


def format_comparison(result: dict[str, Any]) -> str:
    """The comparison as plain text: the overall verdict first, then per axis its verdict, metrics and labels."""
    a, b = result["model_a"], result["model_b"]
    pct = f"{result['confidence']:.0%}"
    lines = [
        f"A: {a['model_id']} ({a['path']})",
        f"B: {b['model_id']} ({b['path']})",
        f"{result['cases']} labelled cases; deltas are B - A with {pct} intervals from {result['n_bootstrap']} paired bootstrap resamples (seed {result['seed']})",
    ]
    lines += [f"note: {note}" for note in result["notes"]]
    overall = result["overall"]
    lines.append(f"overall: {overall['verdict']} (mean headline metric over {', '.join(overall['axes'])}: "
                 f"{overall['a']:.3f} -> {overall['b']:.3f}, delta {overall['delta']:+.3f} {_interval(overall)})")  # fmt: skip
    for axis, entry in result["axes"].items():
        head = entry["metrics"][entry["headline"]]
        lines += ["", f"{axis} ({entry['cases']} cases): {entry['verdict']}: {METRIC_NAMES[entry['headline']]} "
                      f"{head['a']:.3f} -> {head['b']:.3f}, delta {head['delta']:+.3f} {_interval(head)}"]  # fmt: skip
        lines.append(f"  {'metric':<18} {'A':>6} {'B':>6} {'B-A':>7}  {pct} interval")
        for metric, s in entry["metrics"].items():
            lines.append(f"  {METRIC_NAMES[metric]:<18} {s['a']:>6.3f} {s['b']:>6.3f} {s['delta']:>+7.3f}  {_interval(s):<18} {_mark(s)}".rstrip())
        lines.append(f"  {'label F1':<26} {'support':>7} {'A':>6} {'B':>6} {'B-A':>7}  {pct} interval")
        unsupported = [label for label, s in entry["per_label"].items() if s["support"] == 0]
        for label, s in entry["per_label"].items():
            if s["support"] == 0:
                continue
            lines.append(f"  {label[:26]:<26} {s['support']:>7} {s['a']:>6.3f} {s['b']:>6.3f} {s['delta']:>+7.3f}  {_interval(s):<18} {_mark(s)}".rstrip())
        if unsupported:
            lines.append(f"  no gold cases (F1 0 for both, not shown): {', '.join(unsupported)}")
    return "\n".join(lines)
