"""The human-readable model card (model_card.md), rendered from model_card.json."""

from __future__ import annotations

from typing import Any


def _table(rows: list[list[Any]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def card_markdown(card: dict[str, Any]) -> str:
    data = card["training_data"]
    parts = [
        f"# Model card: {card['name']}",
        "",
        "Model id: `{model_id}`  ",
        f"Created: {card['created_at']}  ",
        f"Taxonomy: {card['taxonomy']['name']} (sha256 `{card['taxonomy']['sha256'][:16]}…`, {card['taxonomy']['source']})  ",
        f"Training data: {data['cases']} cases from {', '.join(data['files'])} (sha256 `{data['sha256'][:16]}…`); "
        f"{data.get('duplicates_dropped', 0)} duplicates and {data.get('unlabelled_dropped', 0)} unlabelled rows left out  ",
        f"Seed: {card['seed']}; {card['cv_folds']}-fold cross-validation",
        "",
        "## How it works",
        f"- Text: {card['design']['text']}.",
        f"- Features: {card['design']['features']}.",
        f"- Classifier: {card['design']['model']}: one calibrated logistic regression per label "
        "(Platt scaling fitted on cross-validated scores) and, where a primary label is given, a calibrated "
        "multinomial head that picks it. Per-label thresholds maximise cross-validated F1.",
        "- Metrics below are out-of-fold: every case was predicted by a model that never saw it. Thresholds were "
        "tuned on the same out-of-fold predictions, so they are slightly optimistic; metrics at the untuned 0.5 "
        "threshold are in model_card.json (`labels_at_0.5`).",
    ]
    for axis, info in card["axes"].items():
        cv = info["cross_validation"]
        parts += ["", f"## Axis `{axis}`", ""]
        summary = f"Label sets: macro-F1 {cv['labels']['macro_f1']:.3f}, micro-F1 {cv['labels']['micro_f1']:.3f}."
        if "primary" in cv and cv["primary"]:
            summary += f" Primary label: accuracy {cv['primary']['accuracy']:.3f}, macro-F1 {cv['primary']['macro_f1']:.3f}."
        parts.append(summary)
        rows = []
        for label in info["labels"]:
            m = cv["labels"]["per_label"].get(label, {})
            how = "seed phrases only" if label in info["seed_only_labels"] else ("trained" if label in info["trained_labels"] else "not predicted")
            rows.append([label, info["label_counts"].get(label, 0), how, info["thresholds"].get(label, 0.5),
                         m.get("precision", ""), m.get("recall", ""), m.get("f1", "")])  # fmt: skip
        parts += ["", _table(rows, ["label", "training cases", "how obtained", "threshold", "precision", "recall", "F1"])]
        if "primary" in cv and cv["primary"]:
            matrix = cv["primary"]["confusion_matrix"]
            rows = [[gold] + row for gold, row in zip(matrix["labels"], matrix["matrix"])]
            parts += ["", "Confusion matrix of the primary label (rows: gold, columns: predicted):", "",
                      _table(rows, ["gold \\ predicted"] + matrix["labels"])]  # fmt: skip
    if card.get("notes"):
        parts += ["", "## Notes", ""] + [f"- {note}" for note in card["notes"]]
    parts += ["", "## Library versions", "", ", ".join(f"{k} {v}" for k, v in card["library_versions"].items()), ""]
    return "\n".join(parts)
