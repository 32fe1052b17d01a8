"""Classification: prediction rows (the DESIGN.md prediction contract) for a chunk of cases.

Besides the labels and probabilities, each case gets `evidence` (the terms that pushed its
labels up most, read off the linear models) and `needs_review` with the reasons a person should
look at it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from facet_classifier.ingest.language import detect_language
from facet_classifier.modeling import axis as axis_ops
from facet_classifier.modeling import features
from facet_classifier.modeling.labelled import metadata_values
from facet_classifier.modeling.model import AxisPrediction, FacetModel
from facet_classifier.textproc import ProcessedText, model_text

LOW_CONFIDENCE = 0.5
NEAR_TIE_MARGIN = 0.15
VERY_SHORT_WORDS = 25
UNKNOWN_VOCABULARY_SHARE = 0.5
EVIDENCE_TERMS = 4
# Case metadata carried into the predictions, so a report needs no join.
CARRIED_COLUMNS = ["title", "year", "country", "country_name", "region", "level_of_government", "organisation",
                   "sector", "language", "duplicate_of", "text"]  # fmt: skip


def _feature_label(model: FacetModel, index: int, processed: ProcessedText) -> str:
    name = model.feature_names[index]
    if name.startswith("seed:"):
        phrases = processed.seed_phrases.get(name[len("seed:") :], [])
        return ", ".join(dict.fromkeys(f'"{p}"' for p in phrases)) or name
    if name.startswith("pattern:"):
        return name[len("pattern:") :].replace("_", " ")
    return name


def evidence_for(model: FacetModel, axis: str, label: str, X_row: Any, processed: ProcessedText, k: int) -> list[str]:
    state = model.axes[axis]
    if label in state.get("seed_only", []):
        return [f'"{p}"' for p in dict.fromkeys(processed.seed_phrases.get(f"{axis}:{label}", []))][:k]
    terms: list[str] = []
    for index, _weight in axis_ops.linear_contributions(state, label, X_row):
        term = _feature_label(model, index, processed)
        if term not in terms:
            terms.append(term)
        if len(terms) == k:
            break
    return terms


def _evidence_text(model: FacetModel, predictions: dict[str, AxisPrediction], X: Any, processed: list[ProcessedText], row: int) -> str:
    parts = []
    for axis, prediction in predictions.items():
        for rank, label in enumerate(prediction.assigned[row] or [prediction.primary_labels[row]]):
            terms = evidence_for(model, axis, label, X[row], processed[row], EVIDENCE_TERMS if rank == 0 else 2)
            if terms:
                parts.append(f"{axis}={label}: {'; '.join(terms)}")
    return " | ".join(parts)


def review_reasons(
    model: FacetModel,
    predictions: dict[str, AxisPrediction],
    processed: list[ProcessedText],
    languages: Sequence[str],
    row: int,
) -> list[str]:
    reasons = []
    first = next(iter(predictions))
    lead = predictions[first]
    if lead.confidence[row] < LOW_CONFIDENCE:
        reasons.append(f"low confidence ({lead.confidence[row]:.2f})")
    if lead.margin()[row] < NEAR_TIE_MARGIN and len(lead.labels) > 1:
        order = np.argsort(-lead.primary[row])
        reasons.append(f"near tie between {first}s {lead.labels[order[0]]} and {lead.labels[order[1]]}")
    if languages[row] not in ("en", "und"):
        reasons.append(f"not English ({languages[row]})")
    words = len(processed[row].lemmas)
    if processed[row].n_tokens < VERY_SHORT_WORDS:
        reasons.append(f"very short ({processed[row].n_tokens} tokens)")
    unknown = features.unknown_share(model.featurizer, processed[row])
    if words and unknown > UNKNOWN_VOCABULARY_SHARE:
        reasons.append(f"mostly unknown vocabulary ({unknown:.0%} of words unseen in training)")
    for axis, prediction in predictions.items():
        seed_only = set(model.axes[axis].get("seed_only", []))
        for label in prediction.assigned[row]:
            if label in seed_only:
                reasons.append(f"{axis} label {label} has no training examples")
    return reasons


def predict_frame(model: FacetModel, cases: pd.DataFrame) -> pd.DataFrame:
    """Prediction rows for a frame with at least `text` (and optionally case_id, title, ...)."""
    cases = cases.reset_index(drop=True)
    titles = cases["title"] if "title" in cases else [None] * len(cases)
    texts = [model_text(t, x) for t, x in zip(titles, cases["text"])]
    processed = list(model.processor.process(texts))
    for case, values in zip(processed, metadata_values(cases, model.featurizer.get("metadata_columns", []))):
        case.metadata = values
    X, predictions = model.predict_processed(processed)
    if "language" in cases and cases["language"].notna().all():
        languages = cases["language"].tolist()
    else:
        languages = [detect_language(str(t or "")) for t in cases["text"]]
    out: dict[str, Any] = {
        "case_id": cases["case_id"].astype(str).tolist() if "case_id" in cases else [str(i + 1) for i in range(len(cases))],
        "model_id": [model.model_id] * len(cases),
    }
    for axis, prediction in predictions.items():
        out[f"{axis}_primary"] = prediction.primary_labels
        out[f"{axis}_labels"] = prediction.assigned
        out[f"{axis}_confidence"] = np.round(prediction.confidence, 4)
        probs = prediction.membership if model.axes[axis]["multi_label"] else prediction.primary
        for j, label in enumerate(prediction.labels):
            out[f"p_{axis}_{label}"] = np.round(np.nan_to_num(probs[:, j], nan=0.0), 4)
    reasons = [review_reasons(model, predictions, processed, languages, row) for row in range(len(cases))]
    out["needs_review"] = [bool(r) for r in reasons]
    out["review_reason"] = ["; ".join(r) if r else None for r in reasons]
    out["evidence"] = [_evidence_text(model, predictions, X, processed, row) for row in range(len(cases))]
    frame = pd.DataFrame(out)
    for column in CARRIED_COLUMNS:
        if column in cases:
            frame[column] = cases[column].values
    if "language" not in cases:
        frame["language"] = languages
    return frame
