"""Compare feature/model designs and two baselines: cross-validation on the project's seed
corpus and held-out evaluation on the real OPSI dev file (never trained on).

    .venv/bin/python benchmarks/model_designs.py [--quick] [--out docs/model_comparison_results.md]

Prints one Markdown table; each row: primary-facet macro-F1, facet-label macro-F1 and trend
macro-F1, first on seed-corpus CV, then on ../shared/data/opsi_facets_dev.jsonl. Every design
runs through the same code as `train` (thresholds tuned on out-of-fold probabilities).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from facet_classifier.config import LABELLED_DIR, SEED
from facet_classifier.evaluation import baselines
from facet_classifier.modeling.axis import ModelDesign
from facet_classifier.modeling.features import FeatureDesign
from facet_classifier.modeling.labelled import read_labelled
from facet_classifier.modeling.train import (
    axis_metrics,
    cross_validated_predictions,
    cv_splits,
    fit_model,
    process_cases,
    process_crops,
    tune_axis_thresholds,
)
from facet_classifier.taxonomy import load_taxonomy
from facet_classifier.textproc import TextProcessor, model_text

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "opsi_facets_dev.jsonl"

DESIGNS: dict[str, tuple[FeatureDesign, ModelDesign]] = {
    "A lemma 1-2-gram TF-IDF + calibrated LR": (FeatureDesign(use_seeds=False), ModelDesign()),
    "B = A + seed phrases and patterns": (FeatureDesign(), ModelDesign()),
    "C = B + shortened copies (shipped)": (FeatureDesign(), ModelDesign(crop_augment=True)),
    "D = C + character 2-5-grams": (FeatureDesign(char_ngrams=True), ModelDesign(crop_augment=True)),
    "E = C with a linear SVM": (FeatureDesign(), ModelDesign(crop_augment=True, classifier="linear_svc", C=0.5)),
    "F = C without class weights": (FeatureDesign(), ModelDesign(crop_augment=True, class_weight=None)),
    "G = C, primary = most probable label (no primary head)": (FeatureDesign(), ModelDesign(crop_augment=True, primary_head=False)),
}


def headline(metrics: dict) -> tuple[float, float, float]:
    return (metrics["facet"]["primary"]["macro_f1"], metrics["facet"]["labels"]["macro_f1"], metrics["trend"]["labels"]["macro_f1"])


def evaluate_design(taxonomy, seed_set, seed_processed, dev_set, dev_processed, fd, md, folds, crops=None):
    oof = cross_validated_predictions(taxonomy, seed_processed, seed_set, fd, md, SEED, folds, crops=crops)
    model = fit_model(taxonomy, seed_processed, seed_set, np.arange(len(seed_processed)), fd, md, SEED, crops)
    cv, dev = {}, {}
    X_dev = model.vectorise(dev_processed)
    for name, state in model.axes.items():
        tune_axis_thresholds(state, seed_set, name, oof[name])
        cv[name] = axis_metrics(state, seed_set, name, oof[name]["membership"], oof[name]["primary"])
        prediction = model.predict_axis(name, X_dev, dev_processed)
        dev[name] = axis_metrics(state, dev_set, name, prediction.membership, prediction.primary)
    return cv, dev, model


def rules_row(taxonomy, labelled, processed):
    out = {}
    for name in ("facet", "trend"):
        axis = taxonomy.axes[name]
        primary, assigned = baselines.rule_predictions(axis, processed, default="enhancement" if name == "facet" else None)
        out[name] = baselines.score(labelled.labels[name], labelled.primary[name] if name == "facet" else None, assigned, primary, axis.label_ids)
    return out


def plain_row(taxonomy, seed_set, dev_set, folds):
    texts = [model_text(t, x) for t, x in zip(seed_set.cases["title"], seed_set.cases["text"])]
    dev_texts = [model_text(t, x) for t, x in zip(dev_set.cases["title"], dev_set.cases["text"])]
    cv: dict = {}
    for name in ("facet", "trend"):
        labels = taxonomy.axes[name].label_ids
        gold_primary = seed_set.primary[name] if name == "facet" else None
        primary = [None] * len(texts)
        assigned = [None] * len(texts)
        for train_rows, test_rows in cv_splits(seed_set, folds, SEED):
            p, a = baselines.plain_tfidf_lr([texts[i] for i in train_rows], [seed_set.labels[name][i] for i in train_rows],
                                            [gold_primary[i] for i in train_rows] if gold_primary else None,
                                            [texts[i] for i in test_rows], labels, SEED)  # fmt: skip
            for k, i in enumerate(test_rows):
                primary[i], assigned[i] = p[k], a[k]
        cv[name] = baselines.score(seed_set.labels[name], gold_primary, assigned, primary, labels)
    dev: dict = {}
    for name in ("facet", "trend"):
        labels = taxonomy.axes[name].label_ids
        gold_primary = seed_set.primary[name] if name == "facet" else None
        p, a = baselines.plain_tfidf_lr(texts, seed_set.labels[name], gold_primary, dev_texts, labels, SEED)
        dev[name] = baselines.score(dev_set.labels[name], dev_set.primary[name] if name == "facet" else None, a, p, labels)
    return cv, dev


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the baselines and the shipped design")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, help="also write the table to this Markdown file")
    args = parser.parse_args()
    if not DEV.exists():
        sys.exit(f"{DEV} not found: the real dev file lives in ../shared/data")
    taxonomy = load_taxonomy()
    seed_set = read_labelled([LABELLED_DIR], axis_names=list(taxonomy.axes))
    dev_set = read_labelled([DEV], axis_names=list(taxonomy.axes))
    processor = TextProcessor(taxonomy)
    seed_processed = process_cases(processor, seed_set.cases)
    dev_processed = process_cases(processor, dev_set.cases)
    rows = []
    rows.append(("seed-phrase rules (no learning)", headline(rules_row(taxonomy, seed_set, seed_processed)), headline(rules_row(taxonomy, dev_set, dev_processed)), 0.0))
    started = time.perf_counter()
    cv, dev = plain_row(taxonomy, seed_set, dev_set, args.folds)
    rows.append(("plain TF-IDF + LR (sklearn defaults)", headline(cv), headline(dev), time.perf_counter() - started))
    designs = {k: v for k, v in DESIGNS.items() if not args.quick or "shipped" in k}
    crops = process_crops(processor, seed_set.cases)
    for name, (fd, md) in designs.items():
        started = time.perf_counter()
        cv, dev, _model = evaluate_design(taxonomy, seed_set, seed_processed, dev_set, dev_processed, fd, md, args.folds,
                                          crops if md.crop_augment else None)  # fmt: skip
        rows.append((name, headline(cv), headline(dev), time.perf_counter() - started))
        print(f"{name}: cv {headline(cv)} dev {headline(dev)}", file=sys.stderr)
    lines = [
        f"Seed corpus: {len(seed_set.cases)} cases ({args.folds}-fold CV); dev: {len(dev_set.cases)} real OPSI cases (held out).",
        "",
        "| design | CV primary-facet macro-F1 | CV facet-labels macro-F1 | CV trend macro-F1 | dev primary-facet macro-F1 | dev facet-labels macro-F1 | dev trend macro-F1 | seconds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, cv_scores, dev_scores, seconds in rows:
        lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in (*cv_scores, *dev_scores)) + f" | {seconds:.0f} |")
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
