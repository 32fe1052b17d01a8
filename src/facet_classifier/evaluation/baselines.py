"""Two reference points every model is compared with (docs/model_comparison.md):

- seed-phrase rules: labels from the taxonomy's seed phrases alone, no learning;
- plain TF-IDF + logistic regression: scikit-learn defaults on raw text, no lemmas, seed
  phrases, class weights, calibration or tuned thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from facet_classifier.evaluation.metrics import label_set_metrics, primary_metrics
from facet_classifier.modeling.axis import label_matrix
from facet_classifier.taxonomy import Axis
from facet_classifier.textproc import ProcessedText

RULE_MIN_HITS = 2  # a non-primary label needs this many distinct phrases


def rule_predictions(axis: Axis, processed: Sequence[ProcessedText], default: str | None = None) -> tuple[list[str], list[list[str]]]:
    """Primary = the label with most distinct seed phrases (ties: taxonomy order, or `default`
    when nothing matched); labels = primary (if any phrase matched) + labels with 2+ phrases."""
    primary, assigned = [], []
    for case in processed:
        hits = [len(set(case.seed_phrases.get(f"{axis.name}:{label}", []))) for label in axis.label_ids]
        best = int(np.argmax(hits))
        chosen = axis.label_ids[best] if hits[best] else (default or axis.label_ids[best])
        primary.append(chosen)
        labels = [chosen] if hits[best] or default else []
        labels += [l for l, h in zip(axis.label_ids, hits) if h >= RULE_MIN_HITS and l not in labels]
        assigned.append(labels)
    return primary, assigned


def plain_tfidf_lr(
    train_texts: Sequence[str],
    train_labels: Sequence[Sequence[str]],
    train_primary: Sequence[str | None] | None,
    test_texts: Sequence[str],
    labels: Sequence[str],
    seed: int,
) -> tuple[list[str], list[list[str]]]:
    """Fit scikit-learn defaults on raw text; predict primary (argmax) and labels (p >= 0.5)."""
    vectorizer = TfidfVectorizer()
    X = vectorizer.fit_transform(train_texts)
    X_test = vectorizer.transform(test_texts)
    Y = label_matrix(train_labels, labels)
    present = [j for j in range(len(labels)) if 0 < Y[:, j].sum() < len(Y)]
    membership = np.zeros((len(test_texts), len(labels)))
    if present:
        ovr = OneVsRestClassifier(LogisticRegression(max_iter=1000, random_state=seed)).fit(X, Y[:, present])
        membership[:, present] = ovr.predict_proba(X_test)
    if train_primary is not None:
        rows = [i for i, p in enumerate(train_primary) if p is not None]
        head = LogisticRegression(max_iter=1000, random_state=seed).fit(X[rows], [train_primary[i] for i in rows])
        primary = list(head.predict(X_test))
    else:
        primary = [labels[j] for j in membership.argmax(axis=1)]
    assigned = []
    for row, p in enumerate(primary):
        chosen = [p] if train_primary is not None else []
        chosen += [labels[j] for j in np.argsort(-membership[row]) if membership[row, j] >= 0.5 and labels[j] not in chosen]
        assigned.append(chosen)
    return primary, assigned


def score(gold_labels: Sequence[Sequence[str]], gold_primary: Sequence[str | None] | None,
          predicted_labels: Sequence[Sequence[str]], predicted_primary: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:  # fmt: skip
    result: dict[str, Any] = {"labels": label_set_metrics(gold_labels, predicted_labels, labels)}
    if gold_primary is not None:
        result["primary"] = primary_metrics(gold_primary, predicted_primary, labels)
    return result
