"""The labelling-sheet format shared by `review suggest` (writes it) and `review import` (reads it).

A sheet carries its own description, so import needs no model: in an XLSX a hidden `meta` sheet
holds one JSON cell; in a CSV the row right under the header (case_id `#allowed-labels`) lists the
allowed labels in each labelling column and holds the same JSON in its `text` cell. The JSON names,
per axis, the allowed labels, the sheet columns the labeller fills, and the labelled-set columns
the model was trained from (so a filled sheet merges into data the same `train` command reads).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from facet_classifier.errors import UserError
from facet_classifier.fileio import FORMULA_PREFIXES, atomic_path, neutralise_formula
from facet_classifier.modeling.model import FacetModel

SHEET_FORMAT = "facet-classifier labelling sheet"
SHEET_VERSION = 1
META_ROW_ID = "#allowed-labels"
CASES_SHEET, INSTRUCTIONS_SHEET, LABELS_SHEET, META_SHEET = "cases", "instructions", "labels", "meta"
LABEL_SEPARATOR = ";"
EXCEL_CELL_LIMIT = 32767
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # what openpyxl refuses to write


@dataclass(frozen=True)
class SheetAxis:
    """One axis of a labelling sheet: what the labeller may write and where it is stored."""

    name: str
    labels: list[str]
    multi_label: bool
    primary_column: str | None  # sheet column for the primary label (a dropdown), if the axis has one
    labels_column: str | None  # sheet column for the ';'-separated label set, if multi-label
    gold_primary: str | None  # labelled-set column the primary label is written to
    gold_labels: str | None  # labelled-set column the label set is written to

    @property
    def sheet_columns(self) -> list[str]:
        return [c for c in (self.primary_column, self.labels_column) if c]


def sheet_axes(model: FacetModel) -> list[SheetAxis]:
    """The labelling columns for a model: the same gold columns the model was trained from.

    An axis trained with a primary label gets `<axis>_primary`; a multi-label axis gets
    `<axis>_labels`. The labelled-set column names come from the model card, so a sheet for a
    model trained with `--axis sector=primary_sector` writes `primary_sector` back.
    """
    out = []
    for name, state in model.axes.items():
        gold = model.card.get("axes", {}).get(name, {}).get("gold_columns", {})
        multi = bool(state["multi_label"])
        has_primary = not multi or bool(gold.get("primary_column")) or (not gold and state.get("primary") is not None)
        out.append(SheetAxis(
            name=name, labels=list(state["labels"]), multi_label=multi,
            primary_column=f"{name}_primary" if has_primary else None,
            labels_column=f"{name}_labels" if multi else None,
            gold_primary=(gold.get("primary_column") or f"{name}_primary") if has_primary else None,
            gold_labels=(gold.get("labels_column") or f"{name}_labels") if multi else None,
        ))  # fmt: skip
    return out


def sheet_meta(axes: list[SheetAxis], model_id: str, method: str, created: str) -> dict[str, Any]:
    return {"format": SHEET_FORMAT, "version": SHEET_VERSION, "model_id": model_id, "created": created,
            "method": method, "axes": [asdict(a) for a in axes]}  # fmt: skip


def parse_meta(text: Any, source: str) -> tuple[list[SheetAxis], dict[str, Any]]:
    """Axes and the whole metadata from the JSON a sheet carries; one-line error if damaged."""
    try:
        meta = json.loads(str(text))
        if meta.get("format") != SHEET_FORMAT:
            raise ValueError("not a labelling sheet")
        axes = [SheetAxis(**{k: a[k] for k in SheetAxis.__dataclass_fields__}) for a in meta["axes"]]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise UserError(f"{source}: the sheet's label metadata is damaged ({exc}); write a new sheet with `review suggest`") from exc
    return axes, meta


def labeller_columns(axes: list[SheetAxis]) -> list[str]:
    return [c for a in axes for c in a.sheet_columns] + ["annotator", "notes"]


# ---------------------------------------------------------------- cells
def safe_cell(value: Any) -> Any:
    """A value safe to put in a spreadsheet cell: no formula, no XML-illegal characters, fits."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str):
        value = _ILLEGAL_XML.sub(" ", value)
        if len(value) > EXCEL_CELL_LIMIT - 2:
            value = value[: EXCEL_CELL_LIMIT - 3] + "…"
        return neutralise_formula(value)
    return value


def restore_cell(value: Any) -> str:
    """A cell read back as text, with the formula neutralisation undone (the quote we added)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def split_labels(text: str) -> list[str]:
    """A label-set cell as labels: ';'-separated (line breaks typed in a cell count as separators)."""
    return list(dict.fromkeys(part.strip() for part in re.split(r"[;\r\n]", text) if part.strip()))


# ---------------------------------------------------------------- plain XLSX tables
def write_xlsx_table(frame: pd.DataFrame, target: str | Path, sheet_name: str = "table", widths: dict[str, int] | None = None) -> None:
    """One formula-safe sheet with a bold frozen header and sensible column widths, written atomically."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    fill_sheet(sheet, frame, widths or {})
    with atomic_path(target) as tmp:
        workbook.save(tmp)


def fill_sheet(sheet: Any, frame: pd.DataFrame, widths: dict[str, int], wrap: set[str] = frozenset()) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append([safe_cell(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        sheet.append([safe_cell(_plain(v)) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    for i, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = widths.get(column, min(40, max(10, len(str(column)) + 2)))
        if column in wrap:
            for cell in sheet[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _plain(value: Any) -> Any:
    """Cell values openpyxl accepts: lists joined, numpy scalars unwrapped, NaN empty."""
    if isinstance(value, (list, tuple)):
        return f"{LABEL_SEPARATOR} ".join(str(v) for v in value)
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
        return _plain(value) if isinstance(value, list) else value
    return value
