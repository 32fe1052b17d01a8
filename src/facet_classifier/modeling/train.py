"""Training: cross-validated metrics and thresholds, then the final model fitted on all cases.

Cross-validation is stratified on the first axis's primary label. Each fold fits the whole
learned pipeline (vectorisers, calibrated classifiers) on its training part only; the out-of-fold
probabilities give the per-label thresholds and the metrics written in the model card. The
thresholds are tuned on the same out-of-fold predictions they are reported on, so the card also
gives the metrics at the untuned 0.5 threshold for comparison.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from facet_classifier import __version__
from facet_classifier.config import SEED
from facet_classifier.errors import UserError
from facet_classifier.evaluation.metrics import label_set_metrics, primary_metrics
from facet_classifier.modeling import axis as axis_ops
from facet_classifier.modeling import features
from facet_classifier.modeling.axis import MIN_EXAMPLES, ModelDesign
from facet_classifier.modeling.features import FeatureDesign
from facet_classifier.modeling.labelled import AxisSpec, LabelledCases, metadata_values, read_labelled
from facet_classifier.modeling.model import FacetModel
from facet_classifier.progress import QUIET, Reporter
from facet_classifier.taxonomy import Axis, Label, Taxonomy, load_taxonomy
from facet_classifier.textproc import ProcessedText, TextProcessor, model_text
from facet_classifier.textproc.processor import TEXT_PATTERNS

OTHER_LABEL = "other"


@dataclass
class TrainResult:
    model: FacetModel
    cv_metrics: dict[str, Any]
    card: dict[str, Any]
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- taxonomy for the data
def _derived_axis(name: str, spec: AxisSpec, gold: list[list[str]]) -> Axis:
    counts = Counter(label for labels in gold for label in labels)
    labels = tuple(
        Label(id=label, display_name=label, definition=f"Label {label!r} of column {spec.labels_column or spec.primary_column!r} in the training data.")
        for label, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return Axis(name=name, display_name=name, multi_label=spec.multi_label, labels=labels,
                description=f"Derived from the training data (column {spec.labels_column or spec.primary_column!r}).")  # fmt: skip


def merge_rare_labels(labelled: LabelledCases, axis: str, min_examples: int, policy: str) -> list[str]:
    """Merge labels seen fewer than `min_examples` times into 'other' (or refuse); return notes."""
    counts = Counter(label for labels in labelled.labels[axis] for label in labels)
    rare = sorted(label for label, n in counts.items() if n < min_examples)
    if not rare:
        return []
    listing = ", ".join(f"{label} ({counts[label]})" for label in rare)
    if policy == "refuse":
        raise UserError(f"axis {axis!r}: labels with fewer than {min_examples} examples: {listing}; "
                        "label more cases, or pass --rare-labels merge to fold them into 'other'")  # fmt: skip
    replace = lambda ls: list(dict.fromkeys(OTHER_LABEL if label in rare else label for label in ls))  # noqa: E731
    labelled.labels[axis] = [replace(ls) for ls in labelled.labels[axis]]
    labelled.primary[axis] = [OTHER_LABEL if p in rare else p for p in labelled.primary[axis]]
    return [f"axis {axis!r}: merged {len(rare)} rare labels into 'other': {listing}"]


def taxonomy_for_training(
    labelled: LabelledCases, taxonomy: Taxonomy | None, min_examples: int, rare_policy: str
) -> tuple[Taxonomy, list[str]]:
    """The taxonomy the model is trained with: given axes checked against the data, others derived."""
    notes: list[str] = []
    axes: dict[str, Axis] = {}
    for name, spec in labelled.specs.items():
        if taxonomy is not None and name in taxonomy.axes:
            known = set(taxonomy.axes[name].label_ids)
            unknown = Counter(l for ls in labelled.labels[name] for l in ls if l not in known)
            if unknown:
                listing = ", ".join(f"{l} ({n})" for l, n in unknown.most_common())
                raise UserError(f"axis {name!r}: labels not in the taxonomy: {listing}; fix the data or add them to the taxonomy")
            axes[name] = taxonomy.axes[name]
        else:
            notes += merge_rare_labels(labelled, name, min_examples, rare_policy)
            axes[name] = _derived_axis(name, spec, labelled.labels[name])
            notes.append(f"axis {name!r}: label set taken from the data ({len(axes[name].labels)} labels)")
    base = taxonomy.name if taxonomy is not None and set(axes) <= set(taxonomy.axes) else "derived"
    return Taxonomy(name=base, version=taxonomy.version if taxonomy else 1, axes=axes), notes


# ---------------------------------------------------------------- fitting
def seed_vocabulary(taxonomy: Taxonomy) -> list[str]:
    keys = [f"{a.name}:{l.id}" for a in taxonomy.axes.values() for l in a.labels if l.seed_phrases]
    return features.seed_vocabulary(keys, list(TEXT_PATTERNS))


def fit_model(
    taxonomy: Taxonomy,
    processed: Sequence[ProcessedText],
    labelled: LabelledCases,
    rows: np.ndarray,
    feature_design: FeatureDesign,
    model_design: ModelDesign,
    seed: int,
    crops: Sequence[ProcessedText] | None = None,
) -> FacetModel:
    """Fit featurizer and every axis on the given rows of the labelled cases.

    With `crops` (a shortened copy of every case), the training rows' crops are added as extra
    training cases with the same labels: real summaries are often short or cut off.
    """
    train_processed = [processed[i] for i in rows]
    label_rows = list(rows)
    groups = None
    if crops is not None:
        train_processed += [crops[i] for i in rows]
        label_rows += list(rows)
        groups = np.array(label_rows)  # a case and its shortened copy form one group
    featurizer = features.fit_featurizer(train_processed, feature_design, seed_vocabulary(taxonomy))
    X = features.transform(featurizer, train_processed)
    axes = {}
    for name, spec in labelled.specs.items():
        axis = taxonomy.axes[name]
        gold = [labelled.labels[name][i] for i in label_rows]
        gold_primary = [labelled.primary[name][i] for i in label_rows] if spec.primary_column or not spec.multi_label else None
        state = axis_ops.fit_axis(X, axis.label_ids, gold, gold_primary, spec.multi_label, model_design, seed, groups)
        trained = set(state["ovr_labels"]) | set(state["primary_labels"])
        state["seed_only"] = [l.id for l in axis.labels if l.id not in trained and l.seed_phrases and spec.multi_label]
        state["min_labels"] = axis.min_labels
        axes[name] = state
    return FacetModel(taxonomy=taxonomy, featurizer=featurizer, axes=axes)


def stratification_key(labelled: LabelledCases, folds: int = 5) -> np.ndarray:
    """Stratify on the first axis's primary label; labels rarer than the folds share one stratum."""
    first = next(iter(labelled.specs))
    key = np.array([p or "none" for p in labelled.primary[first]], dtype=object)
    counts = Counter(key)
    return np.array([k if counts[k] >= folds else "rare" for k in key], dtype=object)


def cv_splits(labelled: LabelledCases, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train, test) row splits every cross-validation here uses (benchmarks included)."""
    n = len(labelled.cases)
    folds = max(2, min(folds, n // 2))
    key = stratification_key(labelled, folds)
    if min(Counter(key).values()) < folds:  # even the pooled rare stratum is too small
        key = np.where(key == "rare", Counter(key).most_common(1)[0][0], key)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(n), key))


def cross_validated_predictions(
    taxonomy: Taxonomy,
    processed: Sequence[ProcessedText],
    labelled: LabelledCases,
    feature_design: FeatureDesign,
    model_design: ModelDesign,
    seed: int,
    folds: int,
    reporter: Reporter = QUIET,
    crops: Sequence[ProcessedText] | None = None,
) -> dict[str, dict[str, np.ndarray]]:
    """Out-of-fold membership and primary probabilities per axis."""
    n = len(processed)
    splits = cv_splits(labelled, folds, seed)
    folds = len(splits)
    shapes = {name: (n, len(taxonomy.axes[name].labels)) for name in labelled.specs}
    out = {name: {"membership": np.full(shape, np.nan), "primary": np.zeros(shape)} for name, shape in shapes.items()}
    if crops is not None:
        for name, shape in shapes.items():
            out[name]["membership_crops"] = np.full(shape, np.nan)
    for train_rows, test_rows in reporter.track(splits, f"Cross-validating ({folds} folds)", total=folds):
        model = fit_model(taxonomy, processed, labelled, train_rows, feature_design, model_design, seed, crops)
        test_processed = [processed[i] for i in test_rows]
        X = model.vectorise(test_processed)
        for name in labelled.specs:
            prediction = model.predict_axis(name, X, test_processed)
            out[name]["membership"][test_rows] = prediction.membership
            out[name]["primary"][test_rows] = prediction.primary
        if crops is not None:  # how the same held-out cases score when cut short
            test_crops = [crops[i] for i in test_rows]
            X_crops = model.vectorise(test_crops)
            for name in labelled.specs:
                out[name]["membership_crops"][test_rows] = model.predict_axis(name, X_crops, test_crops).membership
    return out


def tune_axis_thresholds(state: dict[str, Any], labelled: LabelledCases, name: str, oof: dict[str, np.ndarray]) -> None:
    """Set per-label thresholds from out-of-fold probabilities of full and, if any, cut-short cases.

    Real summaries are often short, and shorter texts get lower probabilities; tuning on both
    keeps thresholds from assuming full-length descriptions.
    """
    if not state["multi_label"]:
        return
    Y = axis_ops.label_matrix(labelled.labels[name], state["labels"])
    probs = oof["membership"]
    if "membership_crops" in oof:
        Y, probs = np.vstack([Y, Y]), np.vstack([probs, oof["membership_crops"]])
    state["thresholds"] = axis_ops.tune_thresholds(Y, probs, state["labels"])


def axis_metrics(
    state_like: dict[str, Any], labelled: LabelledCases, name: str, membership: np.ndarray, primary: np.ndarray
) -> dict[str, Any]:
    """Metrics of out-of-fold (or held-out) probabilities under an axis state's thresholds."""
    primary_idx = np.argmax(primary, axis=1)
    assigned = axis_ops.assign_labels(state_like, membership, primary_idx)
    labels = state_like["labels"]
    result = {"labels": label_set_metrics(labelled.labels[name], assigned, labels)}
    spec = labelled.specs[name]
    if spec.primary_column or not spec.multi_label:
        result["primary"] = primary_metrics(labelled.primary[name], [labels[i] for i in primary_idx], labels)
    return result


# ---------------------------------------------------------------- the whole command
# Chosen by the comparisons in docs/model_comparison.md: with seed phrases (a taxonomy that has
# them) calibrated logistic regression; for label sets taken from data (no seed phrases), word
# and character n-grams with a linear SVM, which did best on the JRC retraining benchmark.
TAXONOMY_DESIGN = (FeatureDesign(), ModelDesign(crop_augment=True))
DATA_DERIVED_DESIGN = (FeatureDesign(use_seeds=False, char_ngrams=True), ModelDesign(classifier="linear_svc", C=0.5))


def default_designs(
    taxonomy: Taxonomy, feature_design: FeatureDesign | None, model_design: ModelDesign | None
) -> tuple[FeatureDesign, ModelDesign]:
    has_seeds = any(label.seed_phrases for axis in taxonomy.axes.values() for label in axis.labels)
    preset = TAXONOMY_DESIGN if has_seeds else DATA_DERIVED_DESIGN
    return feature_design or preset[0], model_design or preset[1]


def training_data_hash(labelled: LabelledCases) -> str:
    payload = [
        [text, {a: labelled.labels[a][i] for a in labelled.specs}, {a: labelled.primary[a][i] for a in labelled.specs}]
        for i, text in enumerate(labelled.cases["text"])
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def process_cases(processor: TextProcessor, cases: Any, reporter: Reporter = QUIET) -> list[ProcessedText]:
    texts = [model_text(t, x) for t, x in zip(cases["title"], cases["text"])]
    return list(reporter.track(processor.process(texts), "Processing text", total=len(texts)))


def crop_text(text: str, index: int, low: int = 45, high: int = 85) -> str:
    """The first 45-85 words (varying by case, deterministic), as a listing page would cut it."""
    words = text.split()
    keep = low + (index * 7919) % (high - low + 1)
    return " ".join(words[:keep])


def process_crops(processor: TextProcessor, cases: Any, reporter: Reporter = QUIET) -> list[ProcessedText]:
    texts = [crop_text(model_text(t, x), i) for i, (t, x) in enumerate(zip(cases["title"], cases["text"]))]
    return list(reporter.track(processor.process(texts), "Processing shortened copies", total=len(texts)))


def library_versions() -> dict[str, str]:
    import pandas
    import scipy
    import skops
    import sklearn
    import spacy

    return {"python": platform.python_version(), "facet_classifier": __version__, "spacy": spacy.__version__,
            "scikit-learn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "pandas": pandas.__version__, "skops": skops.__version__}  # fmt: skip


def train(
    labelled_paths: Sequence[str | Path],
    *,
    taxonomy_path: str | Path | None = None,
    axis_options: Sequence[str] = (),
    seed: int = SEED,
    folds: int = 5,
    feature_design: FeatureDesign | None = None,
    model_design: ModelDesign | None = None,
    rare_labels: str = "merge",
    feature_columns: Sequence[str] = (),
    name: str = "model",
    reporter: Reporter = QUIET,
) -> TrainResult:
    """Cross-validate, tune thresholds, fit on all labelled cases and describe it in a card."""
    given = load_taxonomy(taxonomy_path) if (taxonomy_path or not axis_options) else None
    axis_names = list(given.axes) if given is not None else []
    labelled = read_labelled(labelled_paths, axis_names=axis_names, axis_options=axis_options, reporter=reporter)
    taxonomy, notes = taxonomy_for_training(labelled, given, MIN_EXAMPLES, rare_labels)
    if len(labelled.cases) < 4 * MIN_EXAMPLES:
        raise UserError(f"only {len(labelled.cases)} labelled cases: at least {4 * MIN_EXAMPLES} are needed to train")
    feature_design, model_design = default_designs(taxonomy, feature_design, model_design)
    if feature_columns:
        feature_design = replace(feature_design, metadata_columns=tuple(feature_columns))
    processor = TextProcessor(taxonomy)
    processed = process_cases(processor, labelled.cases, reporter)
    crops = process_crops(processor, labelled.cases, reporter) if model_design.crop_augment else None
    for group in (processed, crops or []):
        for case, values in zip(group, metadata_values(labelled.cases, feature_design.metadata_columns)):
            case.metadata = values
    oof = cross_validated_predictions(taxonomy, processed, labelled, feature_design, model_design, seed, folds, reporter, crops)
    reporter.info("Fitting the final model on all labelled cases")
    model = fit_model(taxonomy, processed, labelled, np.arange(len(processed)), feature_design, model_design, seed, crops)
    cv_metrics: dict[str, Any] = {}
    for axis_name, state in model.axes.items():
        untuned = axis_metrics(state, labelled, axis_name, oof[axis_name]["membership"], oof[axis_name]["primary"])
        tune_axis_thresholds(state, labelled, axis_name, oof[axis_name])
        tuned = axis_metrics(state, labelled, axis_name, oof[axis_name]["membership"], oof[axis_name]["primary"])
        cv_metrics[axis_name] = {**tuned, "labels_at_0.5": untuned["labels"]}
        for label in state.get("seed_only", []):
            notes.append(f"axis {axis_name!r}: label {label!r} has fewer than {MIN_EXAMPLES} examples; predicted from its seed phrases only and always flagged for review")
    card = build_card(model, labelled, labelled_paths, taxonomy_path, cv_metrics, feature_design, model_design, seed, folds, name, notes)
    model.card = card
    return TrainResult(model=model, cv_metrics=cv_metrics, card=card, notes=notes)


def build_card(
    model: FacetModel,
    labelled: LabelledCases,
    labelled_paths: Sequence[str | Path],
    taxonomy_path: str | Path | None,
    cv_metrics: dict[str, Any],
    feature_design: FeatureDesign,
    model_design: ModelDesign,
    seed: int,
    folds: int,
    name: str,
    notes: list[str],
) -> dict[str, Any]:
    axes = {}
    for axis_name, state in model.axes.items():
        counts = Counter(l for ls in labelled.labels[axis_name] for l in ls)
        axes[axis_name] = {
            "gold_columns": labelled.specs[axis_name].to_dict(),
            "labels": state["labels"],
            "trained_labels": sorted(set(state["ovr_labels"]) | set(state["primary_labels"]), key=state["labels"].index),
            "seed_only_labels": state.get("seed_only", []),
            "label_counts": {l: int(counts.get(l, 0)) for l in state["labels"]},
            "thresholds": state["thresholds"],
            "cross_validation": cv_metrics[axis_name],
        }
    return {
        "name": name,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "taxonomy": {"name": model.taxonomy.name, "version": model.taxonomy.version, "sha256": model.taxonomy.sha256,
                     "source": str(taxonomy_path) if taxonomy_path else "built-in default"},  # fmt: skip
        "training_data": {"files": [str(p) for p in labelled_paths], "sha256": training_data_hash(labelled),
                          "cases": len(labelled.cases), **labelled.summary},  # fmt: skip
        "axes": axes,
        "design": {"features": feature_design.to_dict(), "model": model_design.to_dict(),
                   "text": "spaCy blank('en') + spacy-lookups-data lemmas + PhraseMatcher over seed phrases"},  # fmt: skip
        "seed": seed,
        "cv_folds": folds,
        "notes": notes,
        "library_versions": library_versions(),
    }
