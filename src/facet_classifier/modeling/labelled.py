"""Labelled cases: read through ingestion (same readers and column mapping), gold labels parsed.

Gold columns for an axis are `<axis>_primary` (one label) and `<axis>_labels` (a list, or a
";"-separated string). A researcher's own axis can point at any column with `--axis NAME=COLUMN`;
such a column is single-label unless its cells hold lists or ";".
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from facet_classifier.errors import UserError
from facet_classifier.ingest import ingest
from facet_classifier.ingest.normalise import is_missing
from facet_classifier.progress import QUIET, Reporter


def parse_label_cell(value: Any) -> list[str]:
    """A gold label cell as a list of label ids: lists kept, JSON lists parsed, ';' split."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        items = [str(v).strip() for v in value if not is_missing(v)]
    elif is_missing(value):
        return []
    else:
        text = str(value).strip()
        if text.startswith("[") and text.endswith("]"):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, list):
                return parse_label_cell(parsed)
        items = [part.strip() for part in text.split(";")]
    return list(dict.fromkeys(item for item in items if item))


def cell_is_multi(value: Any) -> bool:
    if isinstance(value, (list, tuple, np.ndarray)):
        return True
    return isinstance(value, str) and (";" in value or value.strip().startswith("["))


@dataclass(frozen=True)
class AxisSpec:
    """Where an axis's gold labels live in the labelled data."""

    name: str
    labels_column: str | None
    primary_column: str | None
    multi_label: bool

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "labels_column": self.labels_column, "primary_column": self.primary_column, "multi_label": self.multi_label}


@dataclass
class LabelledCases:
    """Cases (the ingest case table) with their gold labels per axis."""

    cases: pd.DataFrame
    labels: dict[str, list[list[str]]]  # axis -> per case, the gold labels
    primary: dict[str, list[str | None]]  # axis -> per case, the gold primary label
    specs: dict[str, AxisSpec]
    summary: dict[str, Any]


def _extra_columns(cases: pd.DataFrame) -> pd.DataFrame:
    rows = [json.loads(e) if isinstance(e, str) else {} for e in cases["extra"]]
    return pd.DataFrame(rows, index=cases.index)


def default_axis_specs(columns: Sequence[str], axis_names: Sequence[str]) -> dict[str, AxisSpec]:
    """`<axis>_labels` / `<axis>_primary` columns for each taxonomy axis found in the data."""
    specs = {}
    for axis in axis_names:
        labels_col = f"{axis}_labels" if f"{axis}_labels" in columns else None
        primary_col = f"{axis}_primary" if f"{axis}_primary" in columns else None
        if labels_col or primary_col:
            specs[axis] = AxisSpec(axis, labels_col, primary_col, multi_label=labels_col is not None)
    return specs


def parse_axis_options(options: Sequence[str], columns: Sequence[str], sample: pd.DataFrame) -> dict[str, AxisSpec]:
    """--axis NAME=COLUMN options; multi-label when the column's cells hold lists or ';'."""
    specs = {}
    for option in options:
        name, sep, column = option.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not name or not column:
            raise UserError(f"--axis expects NAME=COLUMN, got {option!r}")
        if column not in columns:
            raise UserError(f"--axis {option}: no column {column!r}; columns seen: {', '.join(columns)}")
        multi = bool(sample[column].map(cell_is_multi).any())
        specs[name] = AxisSpec(name, column if multi else None, None if multi else column, multi)
    return specs


def read_labelled(
    paths: Sequence[str | Path],
    axis_names: Sequence[str] = (),
    axis_options: Sequence[str] = (),
    overrides: Mapping[str, str] | None = None,
    reporter: Reporter = QUIET,
) -> LabelledCases:
    """Ingest labelled files and pull out gold labels for the requested axes.

    Duplicates (exact or near) are dropped so the same case never sits on both sides of a
    cross-validation split. Rows without any gold label for any axis are left out and counted.
    """
    reserved = [option.partition("=")[2].strip() for option in axis_options]
    result = ingest(paths, overrides=overrides, min_words=1, reserved_columns=reserved, reporter=reporter)
    cases = result.cases[result.cases["duplicate_of"].isna()].reset_index(drop=True)
    extra = _extra_columns(cases)
    columns = list(extra.columns)
    specs = parse_axis_options(axis_options, columns, extra) if axis_options else default_axis_specs(columns, axis_names)
    if not specs:
        wanted = ", ".join(f"{a}_labels/{a}_primary" for a in axis_names) or "(none)"
        raise UserError(f"no gold label columns found (looked for {wanted}; use --axis NAME=COLUMN); columns seen: {', '.join(columns)}")
    labels: dict[str, list[list[str]]] = {}
    primary: dict[str, list[str | None]] = {}
    for axis, spec in specs.items():
        gold_primary = [parse_label_cell(v) for v in extra[spec.primary_column]] if spec.primary_column else None
        gold_labels = [parse_label_cell(v) for v in extra[spec.labels_column]] if spec.labels_column else None
        primary[axis] = [p[0] if p else None for p in gold_primary] if gold_primary else [ls[0] if ls else None for ls in gold_labels]  # type: ignore[union-attr]
        if gold_labels is None:
            labels[axis] = [[p] if p else [] for p in primary[axis]]
        else:  # the primary label always belongs to the label set
            labels[axis] = [list(dict.fromkeys(([p] if p else []) + ls)) for p, ls in zip(primary[axis], gold_labels)]
    has_any = np.array([any(labels[a][i] for a in specs) for i in range(len(cases))], dtype=bool)
    summary = {
        "rows_read": result.summary["rows_read"],
        "rejected": result.summary["rejected"],
        "duplicates_dropped": result.summary["duplicates"],
        "unlabelled_dropped": int((~has_any).sum()),
        "cases": int(has_any.sum()),
    }
    keep = np.flatnonzero(has_any)
    return LabelledCases(
        cases=cases.iloc[keep].reset_index(drop=True),
        labels={a: [v[i] for i in keep] for a, v in labels.items()},
        primary={a: [v[i] for i in keep] for a, v in primary.items()},
        specs=specs,
        summary=summary,
    )


def metadata_values(cases: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, str]]:
    """Per case, the values of the named metadata columns (case fields, or columns kept in
    `extra`), as strings; missing values are empty. Unknown columns are refused."""
    if not columns:
        return [{} for _ in range(len(cases))]
    extra = _extra_columns(cases) if "extra" in cases else pd.DataFrame(index=cases.index)
    values: dict[str, list[str]] = {}
    for column in columns:
        if column in cases.columns and column != "extra":
            source = cases[column]
        elif column in extra.columns:
            source = extra[column]
        else:
            seen = sorted(set(cases.columns) - {"extra"} | set(extra.columns))
            raise UserError(f"--feature-column {column}: no such column; columns seen: {', '.join(seen)}")
        values[column] = ["" if is_missing(v) else str(v) for v in source]
    return [{c: values[c][i] for c in columns} for i in range(len(cases))]
