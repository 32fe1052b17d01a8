"""Why one case got its labels: probabilities, the terms behind each label, seed phrases found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from facet_classifier.ingest.language import detect_language
from facet_classifier.ingest.normalise import clean_cell_text
from facet_classifier.ingest.readers import decode_bytes
from facet_classifier.modeling import axis as axis_ops
from facet_classifier.modeling.model import FacetModel
from facet_classifier.modeling.predict import _feature_label, review_reasons


def read_text_or_file(value: str) -> str:
    """The argument itself, or the contents of the file it names (HTML and entities cleaned)."""
    path = Path(value)
    if len(value) < 4096 and path.is_file():
        text, _ = decode_bytes(path.read_bytes())
    else:
        text = value
    return clean_cell_text(text)


def explain(model: FacetModel, text: str, top: int = 6) -> dict[str, Any]:
    processed = model.processor.process_one(text)
    X, predictions = model.predict_processed([processed])
    language = detect_language(text)
    result: dict[str, Any] = {
        "model_id": model.model_id,
        "words": len(text.split()),
        "language": language,
        "axes": {},
        "seed_phrases": {k: sorted(set(v)) for k, v in processed.seed_phrases.items()},
        "review_reasons": review_reasons(model, predictions, [processed], [language], 0),
    }
    for axis, prediction in predictions.items():
        state = model.axes[axis]
        multi = state["multi_label"]
        probs = prediction.membership[0] if multi else prediction.primary[0]
        labels = []
        for j, label in enumerate(prediction.labels):
            contributions = axis_ops.linear_contributions(state, label, X[0])[:top]
            labels.append({
                "label": label,
                "probability": round(float(probs[j]), 4) if probs[j] == probs[j] else None,
                "primary_probability": round(float(prediction.primary[0][j]), 4),
                "threshold": state["thresholds"].get(label, 0.5),
                "assigned": label in prediction.assigned[0],
                "evidence": [{"term": _feature_label(model, i, processed), "weight": round(w, 3)} for i, w in contributions],
            })  # fmt: skip
        labels.sort(key=lambda item: -(item["primary_probability"] if not multi else (item["probability"] or 0)))
        result["axes"][axis] = {
            "primary": prediction.primary_labels[0],
            "labels": prediction.assigned[0],
            "confidence": round(float(prediction.confidence[0]), 4),
            "scores": labels,
        }
    return result
