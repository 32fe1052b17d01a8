"""Evaluate a model on labelled cases: the gold columns are `<axis>_primary` / `<axis>_labels`,
or the columns the model was trained from (recorded in its card)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from facet_classifier.errors import UserError
from facet_classifier.evaluation.metrics import label_set_metrics, primary_metrics
from facet_classifier.modeling.labelled import LabelledCases, metadata_values, read_labelled
from facet_classifier.modeling.model import FacetModel
from facet_classifier.progress import QUIET, Reporter
from facet_classifier.textproc import model_text


def gold_axis_options(model: FacetModel, columns_hint: Sequence[str] = ()) -> list[str]:
    """--axis options reproducing how the model's axes were read at training time."""
    options = []
    for axis, info in model.card.get("axes", {}).items():
        gold = info.get("gold_columns", {})
        column = gold.get("labels_column") or gold.get("primary_column")
        if column and column not in (f"{axis}_labels", f"{axis}_primary"):
            options.append(f"{axis}={column}")
    return options


def read_gold(paths: Sequence[str | Path], model: FacetModel, reporter: Reporter = QUIET) -> LabelledCases:
    options = gold_axis_options(model)
    if options:
        return read_labelled(paths, axis_options=options, reporter=reporter)
    return read_labelled(paths, axis_names=list(model.axes), reporter=reporter)


def evaluate_model(model: FacetModel, labelled: LabelledCases, reporter: Reporter = QUIET) -> dict[str, Any]:
    """Per-axis metrics of the model's predictions against the gold labels."""
    axes = [a for a in labelled.specs if a in model.axes]
    if not axes:
        raise UserError(f"the labelled data has no gold labels for the model's axes ({', '.join(model.axes)})")
    texts = [model_text(t, x) for t, x in zip(labelled.cases["title"], labelled.cases["text"])]
    processed = list(reporter.track(model.processor.process(texts), "Classifying", total=len(texts)))
    for case, values in zip(processed, metadata_values(labelled.cases, model.featurizer.get("metadata_columns", []))):
        case.metadata = values
    X = model.vectorise(processed)
    results: dict[str, Any] = {"cases": len(texts), "model_id": model.model_id, "axes": {}}
    for axis in axes:
        prediction = model.predict_axis(axis, X, processed)
        labels = prediction.labels
        gold_labels = labelled.labels[axis]
        unknown = sorted({l for ls in gold_labels for l in ls if l not in labels})
        entry: dict[str, Any] = {"labels": label_set_metrics(gold_labels, prediction.assigned, labels)}
        if unknown:
            entry["gold_labels_unknown_to_model"] = unknown
        spec = labelled.specs[axis]
        if spec.primary_column or not spec.multi_label:
            entry["primary"] = primary_metrics(labelled.primary[axis], prediction.primary_labels, labels)
        entry["predicted_label_counts"] = {l: int(sum(l in a for a in prediction.assigned)) for l in labels}
        entry["mean_confidence"] = round(float(np.mean(prediction.confidence)), 4)
        results["axes"][axis] = entry
    results["labelled_data"] = labelled.summary
    return results


def evaluate(paths: Sequence[str | Path], model: FacetModel, reporter: Reporter = QUIET) -> dict[str, Any]:
    return evaluate_model(model, read_gold(paths, model, reporter), reporter)
