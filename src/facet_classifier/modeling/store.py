"""Saving and loading model directories safely.

A model directory holds `model.skops` (scikit-learn estimators in skops format: loading it never
runs arbitrary code, and only the types in TRUSTED_TYPES are accepted), `taxonomy.yaml`, and
`model_card.json` / `model_card.md`. Loading refuses, in one line, a directory whose card is
missing, whose model file's SHA-256 differs from the card, whose taxonomy differs from the one
the model was trained with, or whose file holds types outside the trusted list.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import skops.io as sio
import yaml

from facet_classifier.config import DEFAULT_MODEL_DIR
from facet_classifier.errors import UserError
from facet_classifier.fileio import atomic_path, write_json_atomic, write_text_atomic
from facet_classifier.modeling.model import FacetModel
from facet_classifier.taxonomy import load_taxonomy, taxonomy_from_dict

MODEL_FILE = "model.skops"
CARD_JSON = "model_card.json"
CARD_MD = "model_card.md"
TAXONOMY_FILE = "taxonomy.yaml"
# Bumped whenever the saved state changes shape; older model directories are refused, not misread.
MODEL_FORMAT = 2
# skops trusts numpy, scipy and public scikit-learn estimators by itself; these private helpers of
# CalibratedClassifierCV are the only other types a facet-classifier model contains.
TRUSTED_TYPES = frozenset(
    {"sklearn.calibration._CalibratedClassifier", "sklearn.calibration._SigmoidCalibration", "sklearn.calibration._TemperatureScaling"}
)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model: FacetModel, model_dir: str | Path, card_markdown: str) -> Path:
    """Write model.skops, taxonomy.yaml and the card; the card records the model file's hash."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    with atomic_path(model_dir / MODEL_FILE) as tmp:
        # Compressed: the vectoriser vocabularies are stored as JSON and shrink ~3x.
        sio.dump({"featurizer": model.featurizer, "axes": model.axes}, tmp, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    write_text_atomic(model_dir / TAXONOMY_FILE, model.taxonomy.to_yaml())
    model.card["model_format"] = MODEL_FORMAT
    model.card["model_sha256"] = sha256_file(model_dir / MODEL_FILE)
    model.card["model_id"] = f"{model.card.get('name', model_dir.name)}-{model.card['model_sha256'][:12]}"
    write_json_atomic(model_dir / CARD_JSON, model.card)
    write_text_atomic(model_dir / CARD_MD, card_markdown.replace("{model_id}", model.card["model_id"]))
    return model_dir


def _refuse(model_dir: Path, reason: str) -> UserError:
    return UserError(f"refusing model {model_dir}: {reason}")


def load_model(model_dir: str | Path | None = None, taxonomy_path: str | Path | None = None) -> FacetModel:
    """Load and verify a model directory (the shipped default when None)."""
    model_dir = Path(model_dir) if model_dir else DEFAULT_MODEL_DIR
    if not model_dir.is_dir():
        hint = " (train one with `facet-classifier train`)" if model_dir == DEFAULT_MODEL_DIR else ""
        raise UserError(f"model directory not found: {model_dir}{hint}")
    card_path, model_path, taxonomy_file = model_dir / CARD_JSON, model_dir / MODEL_FILE, model_dir / TAXONOMY_FILE
    for path in (card_path, model_path, taxonomy_file):
        if not path.exists():
            raise _refuse(model_dir, f"{path.name} is missing")
    try:
        card: dict[str, Any] = json.loads(card_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise _refuse(model_dir, f"{CARD_JSON} is not valid JSON ({exc.msg})") from exc
    if card.get("model_format") != MODEL_FORMAT:
        raise _refuse(model_dir, f"it was saved in model format {card.get('model_format', 1)}, this version of "
                                 f"facet-classifier reads format {MODEL_FORMAT}; retrain it with `facet-classifier train`")  # fmt: skip
    if card.get("model_sha256") != sha256_file(model_path):
        raise _refuse(model_dir, f"{MODEL_FILE} does not match the SHA-256 recorded in {CARD_JSON}")
    taxonomy = taxonomy_from_dict(yaml.safe_load(taxonomy_file.read_text(encoding="utf-8")), str(taxonomy_file))
    if taxonomy.sha256 != card.get("taxonomy", {}).get("sha256"):
        raise _refuse(model_dir, f"{TAXONOMY_FILE} differs from the taxonomy recorded in {CARD_JSON}")
    if taxonomy_path is not None:
        requested = load_taxonomy(taxonomy_path)
        if requested.sha256 != taxonomy.sha256:
            raise _refuse(model_dir, f"it was trained with taxonomy {taxonomy.name!r} ({taxonomy.sha256[:12]}), not {taxonomy_path} ({requested.sha256[:12]})")
    try:
        untrusted = set(sio.get_untrusted_types(file=model_path))
    except Exception as exc:
        raise _refuse(model_dir, f"{MODEL_FILE} is not a readable skops file ({exc})") from exc
    if untrusted - TRUSTED_TYPES:
        raise _refuse(model_dir, f"{MODEL_FILE} holds types that are not trusted: {', '.join(sorted(untrusted - TRUSTED_TYPES))}")
    state = sio.load(model_path, trusted=sorted(untrusted))
    return FacetModel(taxonomy=taxonomy, featurizer=state["featurizer"], axes=state["axes"], card=card)
