"""One taxonomy axis: calibrated per-label probabilities, tuned thresholds and a primary label.

Multi-label axes get one calibrated linear classifier per label (one-vs-rest): the probability
that the label applies, by Platt scaling. Axes with a gold primary column (or single-label axes)
also get a multi-class head that picks the primary label, calibrated by temperature scaling.
Both calibrations are fitted on cross-validated scores (`CalibratedClassifierCV(ensemble=False)`),
so the final model is one linear model per label whose coefficients explain its decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.svm import LinearSVC

MIN_EXAMPLES = 5  # below this, a label cannot be calibrated by 3-fold cross-validation


@dataclass(frozen=True)
class ModelDesign:
    """Classifier choices (see docs/model_comparison.md)."""

    C: float = 4.0
    class_weight: str | None = "balanced"
    calibration_folds: int = 3
    primary_head: bool = True
    classifier: str = "logreg"  # or "linear_svc"
    crop_augment: bool = False  # also train on a shortened copy of every case

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _calibrated_lr(design: ModelDesign, seed: int, multinomial: bool = False, cv: Any = None) -> CalibratedClassifierCV:
    """A linear classifier with Platt scaling fitted on cross-validated scores."""
    if design.classifier == "linear_svc":
        base: Any = LinearSVC(C=design.C, class_weight=design.class_weight, max_iter=5000, random_state=seed)
    else:
        base = LogisticRegression(
            C=design.C,
            class_weight=design.class_weight,
            solver="lbfgs" if multinomial else "liblinear",
            max_iter=2000,
            random_state=seed,
        )
    # The primary head uses temperature scaling: one temperature for all classes keeps the
    # ranking of the classifier's scores (per-class sigmoids can reorder rare classes).
    method = "temperature" if multinomial else "sigmoid"
    return CalibratedClassifierCV(base, method=method, cv=design.calibration_folds if cv is None else cv, ensemble=False)


def label_matrix(gold: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(gold), len(labels)), dtype=np.int8)
    for row, assigned in enumerate(gold):
        for label in assigned:
            if label in index:
                matrix[row, index[label]] = 1
    return matrix


def _calibration_splits(y: np.ndarray, groups: np.ndarray | None, design: ModelDesign, seed: int) -> Any:
    """Folds for calibration: plain stratified folds, or, when some cases appear twice (a case and
    its shortened copy share a group), stratified group folds so that no case is scored by a
    model that saw its copy (which made the calibrated probabilities overconfident)."""
    if groups is None:
        return design.calibration_folds
    splitter = StratifiedGroupKFold(n_splits=design.calibration_folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y, groups))


def _distinct_cases(mask: np.ndarray, groups: np.ndarray | None) -> int:
    return int(len(np.unique(groups[mask])) if groups is not None else mask.sum())


def fit_axis(
    X: sp.csr_matrix,
    labels: Sequence[str],
    gold_labels: Sequence[Sequence[str]],
    gold_primary: Sequence[str | None] | None,
    multi_label: bool,
    design: ModelDesign,
    seed: int,
    groups: np.ndarray | None = None,
) -> dict[str, Any]:
    """The fitted state of one axis (plain dict of scikit-learn estimators and lists).

    `groups` marks rows that are versions of the same case (augmentation); counts and
    calibration folds then go by case, not by row.
    """
    Y = label_matrix(gold_labels, labels)
    n_cases = _distinct_cases(np.ones(len(Y), dtype=bool), groups)
    # A label needs as many cases as calibration folds (inside a CV fold, a label with 5
    # cases in all keeps 4); rarer ones are not modelled (seed phrases only, or not predicted).
    least = design.calibration_folds
    counts = [_distinct_cases(Y[:, j] == 1, groups) for j in range(len(labels))]
    trainable = [label for label, n in zip(labels, counts) if least <= n <= n_cases - least]
    state: dict[str, Any] = {"labels": list(labels), "multi_label": multi_label, "ovr": None, "ovr_labels": [],
                             "primary": None, "primary_labels": [], "thresholds": {l: 0.5 for l in labels}}  # fmt: skip
    if multi_label and trainable:
        models = []
        for label in trainable:  # one calibrated binary model per label (one-vs-rest)
            y = Y[:, labels.index(label)]
            estimator = _calibrated_lr(design, seed, cv=_calibration_splits(y, groups, design, seed))
            models.append(estimator.fit(X, y))
        state["ovr"] = models
        state["ovr_labels"] = trainable
    if gold_primary is not None and (design.primary_head or not multi_label):
        primary = np.array([p if p is not None else "" for p in gold_primary], dtype=object)
        classes = sorted({p for p in primary if p})
        keep_classes = [c for c in classes if _distinct_cases(primary == c, groups) >= least]
        rows = np.flatnonzero(np.isin(primary, keep_classes))
        if len(keep_classes) >= 2:
            y = primary[rows].astype(str)
            cv = _calibration_splits(y, groups[rows] if groups is not None else None, design, seed)
            head = _calibrated_lr(design, seed, multinomial=True, cv=cv)
            state["primary"] = head.fit(X[rows], y)
            state["primary_labels"] = [str(c) for c in state["primary"].classes_]
    return state


def membership_probabilities(state: dict[str, Any], X: sp.csr_matrix) -> np.ndarray:
    """(n, len(labels)) probability that each label applies; NaN where the label has no model."""
    labels = state["labels"]
    probs = np.full((X.shape[0], len(labels)), np.nan, dtype=np.float64)
    if state["ovr"] is not None:
        for estimator, label in zip(state["ovr"], state["ovr_labels"]):
            probs[:, labels.index(label)] = estimator.predict_proba(X)[:, 1]
    if state["primary"] is not None and not state["multi_label"]:
        predicted = state["primary"].predict_proba(X)
        for j, label in enumerate(state["primary_labels"]):
            probs[:, labels.index(label)] = predicted[:, j]
    return probs


def primary_probabilities(state: dict[str, Any], X: sp.csr_matrix, membership: np.ndarray) -> np.ndarray:
    """(n, len(labels)) probabilities over the primary label (rows sum to 1)."""
    labels = state["labels"]
    if state["primary"] is not None:
        probs = np.zeros((X.shape[0], len(labels)))
        predicted = state["primary"].predict_proba(X)
        for j, label in enumerate(state["primary_labels"]):
            probs[:, labels.index(label)] = predicted[:, j]
        return probs
    filled = np.nan_to_num(membership, nan=0.0)
    total = filled.sum(axis=1, keepdims=True)
    return np.divide(filled, total, out=np.full_like(filled, 1 / len(labels)), where=total > 0)


def assign_labels(state: dict[str, Any], membership: np.ndarray, primary_idx: np.ndarray) -> list[list[str]]:
    """Labels whose probability reaches their threshold, plus the primary label, primary first."""
    labels = state["labels"]
    thresholds = np.array([state["thresholds"].get(label, 0.5) for label in labels])
    above = np.nan_to_num(membership, nan=0.0) >= thresholds
    assigned = []
    for row in range(membership.shape[0]):
        chosen = [labels[primary_idx[row]]] if state["multi_label"] is False or state["primary"] is not None else []
        order = np.argsort(-np.nan_to_num(membership[row], nan=0.0), kind="stable")
        chosen += [labels[j] for j in order if above[row, j] and labels[j] not in chosen]
        for j in order[: state.get("min_labels", 0)]:  # the taxonomy's floor (e.g. one trend per case)
            if len(chosen) < state.get("min_labels", 0) and labels[j] not in chosen:
                chosen.append(labels[j])
        assigned.append(chosen)
    return assigned


def tune_thresholds(Y: np.ndarray, probs: np.ndarray, labels: Sequence[str]) -> dict[str, float]:
    """Per-label threshold maximising F1 on cross-validated probabilities (kept within 0.15-0.85)."""
    grid = np.round(np.arange(0.15, 0.86, 0.05), 2)
    thresholds = {}
    for j, label in enumerate(labels):
        column = probs[:, j]
        if np.isnan(column).all() or Y[:, j].sum() == 0:
            thresholds[label] = 0.5
            continue
        scores = []
        for t in grid:
            predicted = column >= t
            tp = int((predicted & (Y[:, j] == 1)).sum())
            fp = int((predicted & (Y[:, j] == 0)).sum())
            fn = int((~predicted & (Y[:, j] == 1)).sum())
            scores.append(2 * tp / max(1, 2 * tp + fp + fn))
        best = max(scores)
        # Among near-best thresholds take the middle one: less sensitive to noise in small folds.
        near = [t for t, s in zip(grid, scores) if s >= best - 0.005]
        thresholds[label] = float(near[len(near) // 2])
    return thresholds


def linear_contributions(state: dict[str, Any], label: str, X_row: sp.csr_matrix) -> list[tuple[int, float]]:
    """(feature index, contribution) pairs pushing towards `label`, strongest first."""
    coef = label_coefficients(state, label)
    if coef is None:
        return []
    row = X_row.tocsr()
    contributions = row.data * coef[row.indices]
    order = np.argsort(-contributions, kind="stable")
    return [(int(row.indices[k]), float(contributions[k])) for k in order if contributions[k] > 0]


def label_coefficients(state: dict[str, Any], label: str) -> np.ndarray | None:
    """Coefficients of the final (all-data) logistic regression behind a label's probability."""
    if state["ovr"] is not None and label in state["ovr_labels"]:
        estimator = state["ovr"][state["ovr_labels"].index(label)]
        return estimator.calibrated_classifiers_[0].estimator.coef_[0]
    if state["primary"] is not None and label in state["primary_labels"]:
        base = state["primary"].calibrated_classifiers_[0].estimator
        index = state["primary_labels"].index(label)
        if base.coef_.shape[0] == 1:  # two classes: one coefficient row, for the second class
            return base.coef_[0] if index == 1 else -base.coef_[0]
        return base.coef_[index]
    return None
