"""Retraining benchmark on real labels: the JRC Innovative Public Services cases.

    .venv/bin/python benchmarks/retrain_jrc.py [--folds 5]

5-fold cross-validated macro-F1 of facet-classifier's training pipeline for
`--axis sector=primary_sector` and `--axis type=type`, next to two bare baselines run on the
same folds and the same label sets (labels with fewer than 5 cases merged into 'other', as
`train` does by default): TF-IDF + logistic regression, and word + character TF-IDF + LinearSVC.
Target: at least 1.1x the better baseline's macro-F1 on both axes. facet-classifier runs twice:
on the text alone (as the baselines), and with the submitted `technology` column (AI or
blockchain) as a categorical feature (`train --feature-column technology`).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.svm import LinearSVC

from facet_classifier.config import SEED
from facet_classifier.modeling.axis import MIN_EXAMPLES
from facet_classifier.modeling.labelled import metadata_values, read_labelled
from facet_classifier.modeling.train import (
    cross_validated_predictions,
    cv_splits,
    default_designs,
    process_cases,
    taxonomy_for_training,
)
from facet_classifier.textproc import TextProcessor, model_text

JRC = Path(__file__).resolve().parents[2] / "shared" / "data" / "jrc_ips_cases_dev.csv"


def baseline_lr(train_texts, train_y, test_texts, seed):
    vectorizer = TfidfVectorizer()
    model = LogisticRegression(max_iter=2000, random_state=seed)
    model.fit(vectorizer.fit_transform(train_texts), train_y)
    return model.predict(vectorizer.transform(test_texts))


def baseline_svc(train_texts, train_y, test_texts, seed):
    word = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2)
    char = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=2)
    X = sp.hstack([word.fit_transform(train_texts), char.fit_transform(train_texts)]).tocsr()
    X_test = sp.hstack([word.transform(test_texts), char.transform(test_texts)]).tocsr()
    return LinearSVC(random_state=seed).fit(X, train_y).predict(X_test)


def run_axis(axis: str, column: str, folds: int, feature_columns: tuple[str, ...] = ()) -> dict[str, float]:
    labelled = read_labelled([JRC], axis_options=[f"{axis}={column}"])
    taxonomy, notes = taxonomy_for_training(labelled, None, MIN_EXAMPLES, "merge")
    fd, md = default_designs(taxonomy, None, None)  # exactly what `train --axis` uses
    fd = replace(fd, metadata_columns=feature_columns)
    gold = np.array([p for p in labelled.primary[axis]], dtype=object)
    texts = [model_text(t, x) for t, x in zip(labelled.cases["title"], labelled.cases["text"])]
    started = time.perf_counter()
    processed = process_cases(TextProcessor(taxonomy), labelled.cases)
    for case, values in zip(processed, metadata_values(labelled.cases, feature_columns)):
        case.metadata = values
    oof = cross_validated_predictions(taxonomy, processed, labelled, fd, md, SEED, folds)
    labels = taxonomy.axes[axis].label_ids
    ours = np.array([labels[i] for i in oof[axis]["primary"].argmax(axis=1)], dtype=object)
    ours_seconds = time.perf_counter() - started
    lr = np.empty(len(gold), dtype=object)
    svc = np.empty(len(gold), dtype=object)
    for train_rows, test_rows in cv_splits(labelled, folds, SEED):  # the very folds used above
        train_texts = [texts[i] for i in train_rows]
        test_texts = [texts[i] for i in test_rows]
        lr[test_rows] = baseline_lr(train_texts, gold[train_rows], test_texts, SEED)
        svc[test_rows] = baseline_svc(train_texts, gold[train_rows], test_texts, SEED)
    score = lambda predicted: f1_score(gold, predicted, average="macro", zero_division=0)  # noqa: E731
    return {"cases": len(gold), "labels": len(labels), "notes": notes, "ours": score(ours), "tfidf_lr": score(lr),
            "word_char_svc": score(svc), "seconds": ours_seconds}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    if not JRC.exists():
        sys.exit(f"{JRC} not found: the real JRC file lives in ../shared/data")
    print("| axis | inputs of facet-classifier | cases | labels | TF-IDF + LR | word+char TF-IDF + LinearSVC | facet-classifier | ratio to better baseline |")
    print("|---|---|---|---|---|---|---|---|")
    runs = [("sector", "primary_sector", ()), ("type", "type", ()), ("sector", "primary_sector", ("technology",)),
            ("type", "type", ("technology",))]  # fmt: skip
    for axis, column, extra in runs:
        r = run_axis(axis, column, args.folds, extra)
        ratio = r["ours"] / max(r["tfidf_lr"], r["word_char_svc"])
        inputs = "text" + "".join(f" + --feature-column {c}" for c in extra)
        print(f"| {axis} ({column}) | {inputs} | {r['cases']} | {r['labels']} | {r['tfidf_lr']:.3f} | {r['word_char_svc']:.3f} | {r['ours']:.3f} | {ratio:.2f}x |", flush=True)
        for note in r["notes"]:
            print(f"  note: {note}", file=sys.stderr)


if __name__ == "__main__":
    main()
