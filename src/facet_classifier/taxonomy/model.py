"""The taxonomy: axes of labels with definitions and seed phrases, loaded from YAML and validated.

Validation errors name the exact place in the file ("axes.trend.labels[3].id: ...") so a
researcher editing their own taxonomy can fix it without reading code.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from facet_classifier.config import DEFAULT_TAXONOMY_PATH
from facet_classifier.errors import UserError

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Label ids taken from data keep the submitted value ("General public services"): anything
# printable without the ";" that separates labels in a cell.
_DATA_ID_RE = re.compile(r"^[^;\s](?:[^;\r\n\t]*[^;\s])?$")
DIAMOND_POSITIONS = ("left", "top", "bottom", "right")


@dataclass(frozen=True)
class Label:
    id: str
    display_name: str
    definition: str
    seed_phrases: tuple[str, ...] = ()
    question: str | None = None
    signs: tuple[str, ...] = ()
    diamond: dict[str, Any] | None = None


@dataclass(frozen=True)
class Axis:
    name: str
    display_name: str
    multi_label: bool
    labels: tuple[Label, ...]
    description: str = ""
    changes: tuple[dict[str, Any], ...] = ()
    min_labels: int = 0  # every case gets at least this many labels (the most probable ones)

    @property
    def label_ids(self) -> list[str]:
        return [label.id for label in self.labels]

    def label(self, label_id: str) -> Label:
        for label in self.labels:
            if label.id == label_id:
                return label
        raise KeyError(label_id)


@dataclass(frozen=True)
class Taxonomy:
    name: str
    version: int | str
    axes: dict[str, Axis] = field(default_factory=dict)

    def axis(self, name: str) -> Axis:
        if name not in self.axes:
            raise UserError(f"taxonomy {self.name!r} has no axis {name!r}; axes are: {', '.join(self.axes)}")
        return self.axes[name]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "axes": {
                name: {
                    "display_name": axis.display_name,
                    "multi_label": axis.multi_label,
                    **({"min_labels": axis.min_labels} if axis.min_labels else {}),
                    "description": axis.description,
                    **({"changes": [dict(c) for c in axis.changes]} if axis.changes else {}),
                    "labels": [_label_dict(label) for label in axis.labels],
                }
                for name, axis in self.axes.items()
            },
        }

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)

    @property
    def sha256(self) -> str:
        """Hash of the taxonomy's content (not its formatting), recorded in every model card."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _label_dict(label: Label) -> dict[str, Any]:
    data = asdict(label)
    data["seed_phrases"] = list(label.seed_phrases)
    data["signs"] = list(label.signs)
    return {k: v for k, v in data.items() if v not in (None, [], ())}


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise UserError(f"invalid taxonomy at {where}: {message}")


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    _require(isinstance(value, list), where, "must be a list of strings")
    for i, item in enumerate(value):
        _require(isinstance(item, str) and item.strip() != "", f"{where}[{i}]", "must be a non-empty string")
    return tuple(item.strip() for item in value)


def _parse_label(data: Any, where: str, axis_name: str) -> Label:
    _require(isinstance(data, dict), where, "each label must be a mapping with at least id and definition")
    label_id = data.get("id")
    _require(isinstance(label_id, str) and bool(_DATA_ID_RE.match(label_id or "")), f"{where}.id",
             "must be a non-empty label without ';' or surrounding spaces (e.g. 'green-transition')")  # fmt: skip
    definition = data.get("definition")
    _require(isinstance(definition, str) and definition.strip() != "", f"{where}.definition", "is required")
    unknown = set(data) - {"id", "display_name", "definition", "seed_phrases", "question", "signs", "diamond"}
    _require(not unknown, where, f"unknown keys: {', '.join(sorted(unknown))}")
    diamond = data.get("diamond")
    if diamond is not None:
        _require(isinstance(diamond, dict) and diamond.get("position") in DIAMOND_POSITIONS, f"{where}.diamond",
                 f"must be a mapping with position one of {', '.join(DIAMOND_POSITIONS)}")  # fmt: skip
    return Label(
        id=label_id,
        display_name=str(data.get("display_name") or label_id),
        definition=" ".join(definition.split()),
        seed_phrases=_string_list(data.get("seed_phrases"), f"{where}.seed_phrases"),
        question=data.get("question"),
        signs=_string_list(data.get("signs"), f"{where}.signs"),
        diamond=diamond,
    )


def _parse_axis(name: str, data: Any) -> Axis:
    where = f"axes.{name}"
    _require(bool(_ID_RE.match(name)), where, "axis names must be lower-case letters, digits, '-' or '_'")
    _require(isinstance(data, dict), where, "must be a mapping with a 'labels' list")
    labels_data = data.get("labels")
    _require(isinstance(labels_data, list) and len(labels_data) >= 2, f"{where}.labels", "must list at least two labels")
    labels = tuple(_parse_label(item, f"{where}.labels[{i}]", name) for i, item in enumerate(labels_data))
    ids = [label.id for label in labels]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    _require(not duplicates, f"{where}.labels", f"duplicate label ids: {', '.join(duplicates)}")
    changes = tuple(data.get("changes") or ())
    for i, change in enumerate(changes):
        ok = isinstance(change, dict) and isinstance(change.get("facets"), list) and len(change["facets"]) == 2
        _require(ok and all(f in ids for f in change["facets"]), f"{where}.changes[{i}]",
                 "must name two labels of this axis under 'facets' and a 'name'")  # fmt: skip
    multi = data.get("multi_label", True)
    _require(isinstance(multi, bool), f"{where}.multi_label", "must be true or false")
    min_labels = data.get("min_labels", 0)
    _require(isinstance(min_labels, int) and 0 <= min_labels <= len(labels), f"{where}.min_labels",
             "must be a whole number between 0 and the number of labels")  # fmt: skip
    return Axis(
        name=name,
        display_name=str(data.get("display_name") or name),
        multi_label=multi,
        labels=labels,
        description=" ".join(str(data.get("description") or "").split()),
        changes=changes,
        min_labels=min_labels,
    )


def taxonomy_from_dict(data: Any, source: str = "taxonomy") -> Taxonomy:
    _require(isinstance(data, dict), source, "the file must hold a mapping with 'name' and 'axes'")
    axes = data.get("axes")
    _require(isinstance(axes, dict) and len(axes) >= 1, f"{source}: axes", "must map at least one axis name to its labels")
    return Taxonomy(
        name=str(data.get("name") or "custom"),
        version=data.get("version", 1),
        axes={name: _parse_axis(str(name), axis) for name, axis in axes.items()},
    )


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The taxonomy in `path`, or the shipped default when path is None."""
    path = Path(path) if path else DEFAULT_TAXONOMY_PATH
    if not path.exists():
        raise UserError(f"taxonomy file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise UserError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    return taxonomy_from_dict(data, str(path))
