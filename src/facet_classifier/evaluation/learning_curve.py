"""Learning curve: how held-out metrics grow with the number of labelled training cases.

Method. The cases are split into fixed held-out folds (`train.cv_splits`, the folds cross-
validation uses). Within each fold the training part is put in a seeded, stratified order (each
stratum shuffled, then the strata interleaved by relative position), and the model is trained on
growing prefixes of that order: 10 %, 20 %, 35 %, 50 %, 75 % and 100 % of it, so every subset
contains the smaller ones and keeps the label mix. Each point is fitted exactly as `train` fits a
model (`taxonomy_for_training`, `default_designs`, the same feature columns, `fit_model`) and
scored on the fold's held-out part, which never changes with the training size.

Thresholds are not tuned per point (that needs a cross-validation inside every point): labels
are assigned at probability 0.5, so the label-set metrics are comparable with the card's
`labels_at_0.5`; primary-label metrics do not depend on thresholds. The table and the PNG show,
per axis, the mean and standard deviation over folds against the number of training cases.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from facet_classifier.errors import UserError
from facet_classifier.evaluation.metrics import label_set_metrics, primary_metrics
from facet_classifier.fileio import atomic_path, write_csv_safe
from facet_classifier.modeling.axis import MIN_EXAMPLES, ModelDesign
from facet_classifier.modeling.features import FeatureDesign
from facet_classifier.modeling.labelled import LabelledCases, metadata_values, read_labelled
from facet_classifier.modeling.train import (
    cv_splits,
    default_designs,
    fit_model,
    process_cases,
    process_crops,
    stratification_key,
    taxonomy_for_training,
)
from facet_classifier.progress import QUIET, Reporter
from facet_classifier.taxonomy import Taxonomy, load_taxonomy
from facet_classifier.textproc import ProcessedText, TextProcessor

DEFAULT_FRACTIONS = (0.10, 0.20, 0.35, 0.50, 0.75, 1.00)
DEFAULT_FOLDS = 3
MIN_TRAINING_CASES = 4 * MIN_EXAMPLES  # what `train` itself requires
CSV_NAME, PNG_NAME = "learning_curve.csv", "learning_curve.png"
METRICS = {
    "primary_macro_f1": "primary macro-F1",
    "primary_accuracy": "primary accuracy",
    "label_macro_f1": "label macro-F1",
    "label_micro_f1": "label micro-F1",
}
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]  # Okabe-Ito: safe for colour-blind readers


def nested_order(labelled: LabelledCases, rows: np.ndarray, seed: int) -> np.ndarray:
    """`rows` in a seeded order whose every prefix keeps roughly the strata's proportions."""
    rng = np.random.default_rng(seed)
    key = stratification_key(labelled)[rows]
    position = np.empty(len(rows))
    for stratum in sorted(set(key)):
        members = np.flatnonzero(key == stratum)
        shuffled = rng.permutation(members)
        position[shuffled] = (np.arange(len(members)) + rng.random(len(members))) / len(members)
    return rows[np.argsort(position, kind="stable")]


def training_size(n_train: int, fraction: float) -> int:
    """Cases for a fraction of the training part; never below the minimum `train` accepts."""
    return min(n_train, max(MIN_TRAINING_CASES, int(round(fraction * n_train))))


def usable_fractions(n_train: int, fractions: Sequence[float]) -> list[float]:
    """The fractions giving distinct training sizes (tiny fractions collapse onto the minimum)."""
    points: dict[int, float] = {}
    for fraction in sorted(fractions):
        points.setdefault(training_size(n_train, fraction), fraction)
    return list(points.values())


def _feature_columns(outdir: Path, given: Sequence[str] | None) -> tuple[str, ...]:
    """The feature columns of the model `train` just wrote (its card), unless given."""
    if given is not None:
        return tuple(given)
    card = Path(outdir) / "model_card.json"
    if not card.exists():
        return ()
    design = json.loads(card.read_text(encoding="utf-8")).get("design", {}).get("features", {})
    return tuple(design.get("metadata_columns", []))


def _score(model: Any, processed: list, labelled: LabelledCases, test_rows: np.ndarray) -> dict[str, dict[str, float]]:
    """Headline metrics of each axis on the held-out rows (labels at threshold 0.5)."""
    test_processed = [processed[i] for i in test_rows]
    X = model.vectorise(test_processed)
    scores: dict[str, dict[str, float]] = {}
    for axis, spec in labelled.specs.items():
        prediction = model.predict_axis(axis, X, test_processed)
        label_metrics = label_set_metrics([labelled.labels[axis][i] for i in test_rows], prediction.assigned, prediction.labels)
        entry = {"label_macro_f1": label_metrics["macro_f1"], "label_micro_f1": label_metrics["micro_f1"]}
        if spec.primary_column or not spec.multi_label:
            primary = primary_metrics([labelled.primary[axis][i] for i in test_rows], prediction.primary_labels, prediction.labels)
            if primary:
                entry.update(primary_macro_f1=primary["macro_f1"], primary_accuracy=primary["accuracy"])
        scores[axis] = entry
    return scores


def _aggregate(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per axis and training fraction: mean and std over folds of each metric."""
    rows = []
    frame = pd.DataFrame(points)
    for (axis, fraction), group in frame.groupby(["axis", "fraction"], sort=False):
        row: dict[str, Any] = {"axis": axis, "fraction": round(float(group["share"].mean()), 3),
                               "train_cases": int(round(group["train_cases"].mean())), "folds": len(group)}  # fmt: skip
        for metric in METRICS:
            if metric in group and group[metric].notna().any():
                values = group[metric].dropna().to_numpy(dtype=float)
                row[f"{metric}_mean"] = round(float(values.mean()), 4)
                row[f"{metric}_std"] = round(float(values.std(ddof=1)) if len(values) > 1 else 0.0, 4)
        rows.append(row)
    return rows


def format_curve(rows: list[dict[str, Any]], folds: int) -> str:
    """The text table the CLI prints."""
    lines = [f"learning curve: held-out metrics, mean ± std over {folds} folds (labels at threshold 0.5)"]
    for axis in dict.fromkeys(r["axis"] for r in rows):
        axis_rows = [r for r in rows if r["axis"] == axis]
        metrics = [m for m in METRICS if f"{m}_mean" in axis_rows[0]]
        lines.append(f"{axis}:")
        lines.append(f"  {'fraction':>8} {'cases':>6}  " + "  ".join(f"{METRICS[m]:>17}" for m in metrics))
        for r in axis_rows:
            cells = "  ".join(f"{r[f'{m}_mean']:>9.3f} ± {r[f'{m}_std']:.3f}" for m in metrics)
            lines.append(f"  {r['fraction']:>8.0%} {r['train_cases']:>6}  {cells}")
    return "\n".join(lines)


def plot_curve(rows: list[dict[str, Any]], folds: int, target: Path) -> Path:
    """One panel per axis: each headline metric against training cases, with ±1 std error bars."""
    from matplotlib.figure import Figure  # no pyplot: leaves the caller's backend alone

    axes_names = list(dict.fromkeys(r["axis"] for r in rows))
    ncols = min(3, len(axes_names))
    nrows = -(-len(axes_names) // ncols)
    fig = Figure(figsize=(4.6 * ncols, 3.6 * nrows), layout="constrained")
    panels = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for panel, axis in zip(panels, axes_names):
        axis_rows = [r for r in rows if r["axis"] == axis]
        x = [r["train_cases"] for r in axis_rows]
        for colour, metric in zip(COLOURS, METRICS):
            if f"{metric}_mean" not in axis_rows[0]:
                continue
            panel.errorbar(x, [r[f"{metric}_mean"] for r in axis_rows], yerr=[r[f"{metric}_std"] for r in axis_rows],
                           label=METRICS[metric], color=colour, marker="o", markersize=4, capsize=3)  # fmt: skip
        lowest = min(r[f"{m}_mean"] - r[f"{m}_std"] for r in axis_rows for m in METRICS if f"{m}_mean" in r)
        # start the scale a little below the lowest point (not at 0) so the growth stays visible
        panel.set(title=axis, xlabel="labelled training cases", ylabel="held-out score", ylim=(max(0.0, np.floor(lowest * 10) / 10 - 0.1), 1.02))
        panel.grid(alpha=0.3)
        panel.legend(fontsize=8, loc="lower right")
    for panel in panels[len(axes_names):]:
        panel.set_visible(False)
    fig.suptitle(f"Learning curve (mean ± std over {folds} held-out folds)")
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format="png", dpi=110, metadata={"Software": None})
    return target


def _training_inputs(
    labelled: Sequence[Path],
    outdir: Path,
    taxonomy_path: Path | None,
    axis_options: Sequence[str],
    feature_columns: Sequence[str] | None,
    reporter: Reporter,
) -> tuple[LabelledCases, Taxonomy, tuple[FeatureDesign, ModelDesign], list[ProcessedText], list[ProcessedText] | None]:
    """Cases, taxonomy, designs and processed texts, prepared exactly as `train` prepares them."""
    given = load_taxonomy(taxonomy_path) if (taxonomy_path or not axis_options) else None
    cases = read_labelled(labelled, axis_names=list(given.axes) if given else [], axis_options=axis_options, reporter=reporter)
    taxonomy, _notes = taxonomy_for_training(cases, given, MIN_EXAMPLES, "merge")
    feature_design, model_design = default_designs(taxonomy, None, None)
    feature_design = replace(feature_design, metadata_columns=_feature_columns(outdir, feature_columns))
    processor = TextProcessor(taxonomy)
    processed = process_cases(processor, cases.cases, reporter)
    crops = process_crops(processor, cases.cases, reporter) if model_design.crop_augment else None
    for group in (processed, crops or []):
        for case, values in zip(group, metadata_values(cases.cases, feature_design.metadata_columns)):
            case.metadata = values
    return cases, taxonomy, (feature_design, model_design), processed, crops


def learning_curve(
    labelled: list[Path],
    outdir: Path,
    *,
    taxonomy_path: Path | None = None,
    axis_options: Sequence[str] = (),
    seed: int = 13,
    reporter: Reporter = QUIET,
    folds: int | None = None,
    fractions: Sequence[float] | None = None,
    feature_columns: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Train on growing nested subsets of each fold's training part; write CSV + PNG into outdir.

    `folds` and `fractions` default to DEFAULT_FOLDS and DEFAULT_FRACTIONS; `feature_columns`
    to those of the model card in `outdir` (the model `train` just wrote there).
    """
    folds = DEFAULT_FOLDS if folds is None else folds
    fractions = DEFAULT_FRACTIONS if fractions is None else tuple(fractions)
    if folds < 2:
        raise UserError("the learning curve needs at least 2 folds")
    if not fractions or any(not 0 < f <= 1 for f in fractions):
        raise UserError("learning-curve fractions must lie in (0, 1]")
    cases, taxonomy, designs, processed, crops = _training_inputs(labelled, outdir, taxonomy_path, axis_options, feature_columns, reporter)
    splits = cv_splits(cases, folds, seed)
    smallest = min(len(train_rows) for train_rows, _ in splits)
    if smallest < MIN_TRAINING_CASES:
        raise UserError(f"only {smallest} training cases per fold: a learning curve needs at least {MIN_TRAINING_CASES}")
    kept = usable_fractions(smallest, fractions)  # the same points in every fold
    plan = []
    for fold, (train_rows, test_rows) in enumerate(splits):
        order = nested_order(cases, train_rows, seed + fold)
        plan += [(fold, f, order[: training_size(len(train_rows), f)], test_rows) for f in kept]
    points = []
    for fold, fraction, rows, test_rows in reporter.track(plan, f"Learning curve ({len(splits)} folds)", total=len(plan)):
        model = fit_model(taxonomy, processed, cases, np.sort(rows), *designs, seed, crops)
        for axis, scores in _score(model, processed, cases, test_rows).items():
            share = len(rows) / len(splits[fold][0])  # the real share: tiny fractions are raised to the minimum
            points.append({"axis": axis, "fold": fold, "fraction": fraction, "share": share, "train_cases": len(rows), **scores})
    table_rows = _aggregate(points)
    csv_path, png_path = Path(outdir) / CSV_NAME, Path(outdir) / PNG_NAME
    write_csv_safe(pd.DataFrame(table_rows), csv_path)
    plot_curve(table_rows, len(splits), png_path)
    return {"table": format_curve(table_rows, len(splits)), "csv": csv_path, "png": png_path, "rows": table_rows,
            "folds": len(splits), "thresholds": "0.5 (not tuned per point)"}  # fmt: skip

