"""Metrics for one axis: per-label precision/recall/F1/support, macro and micro F1, and for the
primary label accuracy and a confusion matrix. Plain dicts, so they go straight into JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from facet_classifier.modeling.axis import label_matrix


def label_set_metrics(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], labels: Sequence[str]) -> dict[str, Any]:
    """Multi-label metrics over the label sets (a case may have several labels)."""
    Y = label_matrix(gold, labels)
    P = label_matrix(predicted, labels)
    precision, recall, f1, support = precision_recall_fscore_support(Y, P, average=None, zero_division=0)
    per_label = {
        label: {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support)
    }
    present = [j for j, s in enumerate(support) if s > 0]
    return {
        "per_label": per_label,
        "macro_f1": round(float(np.mean([f1[j] for j in present])) if present else 0.0, 4),
        "micro_f1": round(float(f1_score(Y, P, average="micro", zero_division=0)), 4),
        "samples": len(gold),
        "labels_without_support": [labels[j] for j in range(len(labels)) if support[j] == 0],
    }


def primary_metrics(gold: Sequence[str | None], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Single-label metrics of the primary label, with the confusion matrix (rows = gold)."""
    pairs = [(g, p) for g, p in zip(gold, predicted) if g is not None]
    if not pairs:
        return {}
    g, p = zip(*pairs)
    present = sorted(set(g), key=list(labels).index) if set(g) <= set(labels) else sorted(set(g))
    all_labels = list(labels) + sorted(set(g) - set(labels))
    precision, recall, f1, support = precision_recall_fscore_support(g, p, labels=all_labels, average=None, zero_division=0)
    matrix = confusion_matrix(g, p, labels=all_labels)
    return {
        "accuracy": round(float(accuracy_score(g, p)), 4),
        "macro_f1": round(float(f1_score(g, p, labels=present, average="macro", zero_division=0)), 4),
        "per_label": {
            label: {"precision": round(float(pr), 4), "recall": round(float(rc), 4), "f1": round(float(f), 4), "support": int(s)}
            for label, pr, rc, f, s in zip(all_labels, precision, recall, f1, support)
        },
        "confusion_matrix": {"labels": all_labels, "matrix": matrix.tolist()},
        "samples": len(pairs),
    }
