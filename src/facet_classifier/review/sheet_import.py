"""`review import`: merge a filled labelling sheet into a labelled set, with provenance.

The sheet describes itself (see `review/sheet.py`), so the import knows the allowed labels and
the labelled-set columns without the model. Every label is checked before anything is written;
one unknown label stops the import with its sheet row. A case already in the labelled set is
never changed: the same labels count as unchanged, different ones are reported as conflicts.
New rows are appended (a .jsonl keeps its existing lines byte for byte), in one atomic write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from facet_classifier.errors import UserError
from facet_classifier.fileio import atomic_path, neutralise_frame, write_parquet_atomic
from facet_classifier.ingest.columns import map_columns
from facet_classifier.ingest.readers import decode_bytes, read_delimited
from facet_classifier.modeling.labelled import parse_label_cell
from facet_classifier.progress import QUIET, Reporter
from facet_classifier.review.sheet import (
    INSTRUCTIONS_SHEET,
    LABEL_SEPARATOR,
    LABELS_SHEET,
    META_ROW_ID,
    META_SHEET,
    SheetAxis,
    parse_meta,
    restore_cell,
    split_labels,
)

LABELLED_SUFFIXES = (".jsonl", ".csv", ".parquet")
PROVENANCE = ("annotator", "labelled_on", "label_source", "notes")


@dataclass
class SheetRows:
    axes: list[SheetAxis]
    meta: dict[str, Any]
    rows: list[tuple[int, dict[str, Any]]]  # (sheet row number, header -> cell)


@dataclass
class LabelledSet:
    """The labelled set as found on disk: its rows, its id column, and the gold labels by id."""

    path: Path
    id_column: str
    frame: pd.DataFrame | None = None  # .csv / .parquet
    text: str = ""  # .jsonl, kept verbatim
    gold: dict[str, dict[str, tuple[str | None, frozenset[str]]]] = field(default_factory=dict)


# ---------------------------------------------------------------- reading the sheet
def read_sheet(path: Path) -> SheetRows:
    """Rows of a filled sheet (.xlsx: the first sheet with the labelling header; .csv)."""
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    if path.suffix.lower() == ".csv":
        table = read_delimited(path, path.name)
        if table.failures:
            raise UserError(f"{path.name} line {table.failures[0].row}: {table.failures[0].reason}")
        return _with_meta_row(path.name, table.columns, list(zip(table.row_numbers, table.rows)), None)
    raise UserError(f"cannot read {path}: a labelling sheet is a .xlsx or .csv file")


def _read_xlsx(path: Path) -> SheetRows:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise UserError(f"{path.name}: cannot open as an Excel workbook ({type(exc).__name__}: {exc})") from exc
    try:
        meta_text = None
        if META_SHEET in workbook.sheetnames:
            cells = [row[0] for row in workbook[META_SHEET].iter_rows(values_only=True) if row and row[0]]
            meta_text = next((c for c in cells if str(c).lstrip().startswith("{")), None)
        for name in workbook.sheetnames:
            if name in (META_SHEET, LABELS_SHEET, INSTRUCTIONS_SHEET):
                continue
            rows = list(workbook[name].iter_rows(values_only=True))
            header = [restore_cell(c) for c in rows[0]] if rows else []
            if "case_id" not in header:
                continue
            records = [(i, dict(zip(header, values))) for i, values in enumerate(rows[1:], start=2) if any(v is not None for v in values)]
            return _with_meta_row(f"{path.name}#{name}", header, records, meta_text)
    finally:
        workbook.close()
    raise UserError(f"{path.name}: no sheet with a case_id column; is this a sheet from `review suggest`?")


def _with_meta_row(source: str, header: list[str], records: list[tuple[int, dict[str, Any]]], meta_text: Any) -> SheetRows:
    """Take the metadata from the meta sheet, or from the `#allowed-labels` row under the header."""
    meta_rows = [r for _, r in records if restore_cell(r.get("case_id")) == META_ROW_ID]
    if meta_text is None and meta_rows:
        meta_text = meta_rows[0].get("text")
    if meta_text is None:
        raise UserError(f"{source}: no label metadata (neither a meta sheet nor a {META_ROW_ID} row); is this a sheet from `review suggest`?")
    axes, meta = parse_meta(meta_text, source)
    missing = [c for a in axes for c in a.sheet_columns if c not in header]
    if missing:
        raise UserError(f"{source}: labelling columns missing from the header: {', '.join(missing)}")
    rows = [(n, r) for n, r in records if restore_cell(r.get("case_id")) != META_ROW_ID]
    return SheetRows(axes, meta, rows)


# ---------------------------------------------------------------- checking labels
def _canonical(axis: SheetAxis, value: str) -> str | None:
    lookup = {label.casefold(): label for label in axis.labels}
    return lookup.get(value.strip().casefold())


def row_labels(axis: SheetAxis, row: dict[str, Any], number: int, problems: list[tuple[int, str]]) -> tuple[str | None, list[str]]:
    """(primary, labels) of one axis in one row, canonical spelling; unknown labels go to `problems`."""
    primary = None
    if axis.primary_column:
        text = restore_cell(row.get(axis.primary_column))
        if LABEL_SEPARATOR in text:
            problems.append((number, f"row {number}, {axis.primary_column}: one primary label only, got {text!r}"))
        elif text:
            primary = _canonical(axis, text)
            if primary is None:
                problems.append((number, f"row {number}, {axis.primary_column}: unknown label {text!r} (allowed: {', '.join(axis.labels)})"))
    labels: list[str] = []
    if axis.labels_column:
        for value in split_labels(restore_cell(row.get(axis.labels_column))):
            found = _canonical(axis, value)
            if found is None:
                hint = f"; separate labels with '{LABEL_SEPARATOR}'" if "," in value else ""
                problems.append((number, f"row {number}, {axis.labels_column}: unknown label {value!r} (allowed: {', '.join(axis.labels)}){hint}"))
            else:
                labels.append(found)
    return primary, list(dict.fromkeys(([primary] if primary else []) + labels))


def sheet_records(sheet: SheetRows, source: str, annotator: str | None) -> tuple[list[tuple[int, dict[str, Any]]], dict[str, int]]:
    """Labelled-set records of the filled rows; refuses the whole sheet on any unknown label."""
    problems: list[tuple[int, str]] = []
    records, counts = [], {"empty": 0, "partial": 0}
    today = date.today().isoformat()
    for number, row in sheet.rows:
        parsed = {a.name: row_labels(a, row, number, problems) for a in sheet.axes}
        if not any(p or ls for p, ls in parsed.values()):
            counts["empty"] += 1
            continue
        case_id, text = restore_cell(row.get("case_id")), restore_cell(row.get("text"))
        if not case_id or not text:
            problems.append((number, f"row {number}: labelled but its {'case_id' if not case_id else 'text'} is empty"))
            continue
        counts["partial"] += any((a.primary_column and not parsed[a.name][0]) or not parsed[a.name][1] for a in sheet.axes)
        record: dict[str, Any] = {"id": case_id, "title": restore_cell(row.get("title")) or None, "text": text}
        for axis in sheet.axes:
            primary, labels = parsed[axis.name]
            if axis.gold_primary:
                record[axis.gold_primary] = primary
            if axis.gold_labels:
                record[axis.gold_labels] = labels
        record.update(annotator=restore_cell(row.get("annotator")) or annotator or None, labelled_on=today,
                      label_source=Path(source.split("#")[0]).name, notes=restore_cell(row.get("notes")) or None)  # fmt: skip
        records.append((number, record))
    if problems:
        others = sorted({n for n, _ in problems[1:]})
        more = f"; {len(problems) - 1} more problem(s) in row(s) {', '.join(map(str, others[:10]))}" if others else ""
        raise UserError(f"{source}: {problems[0][1]}{more}; nothing was imported")
    return records, counts


# ---------------------------------------------------------------- the labelled set
def _gold_of(record: dict[str, Any], axes: list[SheetAxis]) -> dict[str, tuple[str | None, frozenset[str]]]:
    """Per axis (primary, label set incl. primary) as `read_labelled` would see them."""
    out = {}
    for axis in axes:
        primary_cell = parse_label_cell(record.get(axis.gold_primary)) if axis.gold_primary else []
        labels = parse_label_cell(record.get(axis.gold_labels)) if axis.gold_labels else []
        primary = primary_cell[0] if primary_cell else None
        out[axis.name] = (primary if axis.gold_primary else None, frozenset(labels) | ({primary} if primary else set()))
    return out


def read_labelled_set(path: Path, axes: list[SheetAxis]) -> LabelledSet:
    """The labelled set at `path` (empty if missing), indexed by case id for conflict checks."""
    if not path.exists():
        return LabelledSet(path, "id", frame=None if path.suffix.lower() == ".jsonl" else pd.DataFrame())
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        text, _ = decode_bytes(path.read_bytes())
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise UserError(f"{path} line {number}: invalid JSON ({exc.msg}); fix it before importing into it") from exc
        frame, labelled = None, LabelledSet(path, "id", text=text)
        columns = list(dict.fromkeys(k for r in records for k in r))
    elif suffix == ".csv":
        table = read_delimited(path, path.name)
        records, columns = table.rows, table.columns
        frame = pd.DataFrame(records, columns=columns, dtype=object)
        labelled = LabelledSet(path, "id", frame=frame)
    else:
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:
            raise UserError(f"{path}: cannot open as Parquet ({exc})") from exc
        records, columns = frame.to_dict("records"), list(frame.columns)
        labelled = LabelledSet(path, "id", frame=frame)
    if records:
        id_column = map_columns(columns).get("id")
        if id_column is None:
            raise UserError(f"{path}: no id column (looked for id, case id, ...), so conflicts cannot be checked; import into a new file")
        labelled.id_column = id_column
        for record in records:
            case_id = restore_cell(record.get(id_column))
            if case_id and case_id not in labelled.gold:
                labelled.gold[case_id] = _gold_of(record, axes)
    return labelled


def _describe(gold: tuple[str | None, frozenset[str]], axis: SheetAxis) -> str:
    primary, labels = gold
    parts = []
    if axis.gold_primary:
        parts.append(f"primary {primary or '(none)'}")
    if axis.gold_labels:
        parts.append(f"labels [{', '.join(sorted(labels)) or '(none)'}]")
    return " ".join(parts)


def conflict_line(case_id: str, number: int, old: dict, new: dict, axes: list[SheetAxis], where: str) -> str:
    diffs = [f"{a.name}: {_describe(old[a.name], a)} {where} vs {_describe(new[a.name], a)} in sheet row {number}"
             for a in axes if old[a.name] != new[a.name]]  # fmt: skip
    return f"{case_id}: " + "; ".join(diffs) + " (kept the existing labels)"


def write_labelled_set(labelled: LabelledSet, records: list[dict[str, Any]], axes: list[SheetAxis]) -> None:
    """Append the new records in the set's own format, atomically."""
    path = labelled.path
    suffix = path.suffix.lower()
    if labelled.id_column != "id":
        records = [{labelled.id_column: r.pop("id"), **r} for r in records]
    if suffix == ".jsonl":
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        base = labelled.text if not labelled.text or labelled.text.endswith("\n") else labelled.text + "\n"
        with atomic_path(path) as tmp:
            tmp.write_text(base + lines, encoding="utf-8")
        return
    new = pd.DataFrame(records)
    list_columns = [a.gold_labels for a in axes if a.gold_labels]
    if suffix == ".csv":
        for column in list_columns:
            new[column] = new[column].map(lambda ls: LABEL_SEPARATOR.join(ls) if isinstance(ls, list) else ls)
        combined = pd.concat([labelled.frame, neutralise_frame(new)], ignore_index=True) if len(labelled.frame) else neutralise_frame(new)
        with atomic_path(path) as tmp:
            combined.to_csv(tmp, index=False, encoding="utf-8-sig")
        return
    write_parquet_atomic(_concat_for_parquet(labelled.frame, new, labelled.id_column), path)


def _concat_for_parquet(existing: pd.DataFrame, new: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """Existing rows plus new ones without turning integer columns into floats or ids into mixed types."""
    if existing is None or existing.empty:
        return new
    existing = existing.copy()
    existing[id_column] = existing[id_column].map(restore_cell).astype(object)
    for column in existing.columns:
        if pd.api.types.is_integer_dtype(existing[column]) and column not in new:
            existing[column] = existing[column].astype("Int64")
    for column in new.columns:
        if column in existing and new[column].dtype == object and existing[column].dtype != object and column != id_column:
            existing[column] = existing[column].astype(object)
    return pd.concat([existing, new], ignore_index=True)


# ---------------------------------------------------------------- the command
def import_sheet(sheet: Path, into: Path, *, annotator: str | None, reporter: Reporter = QUIET) -> dict[str, Any]:
    """Merge a filled sheet into `into`; returns a message, the conflicts and the counts."""
    sheet, into = Path(sheet), Path(into)
    if not sheet.is_file():
        raise UserError(f"sheet not found: {sheet}")
    if into.suffix.lower() not in LABELLED_SUFFIXES:
        raise UserError(f"cannot merge into {into}: the labelled set must be a .jsonl, .csv or .parquet file")
    reporter.info(f"Reading {sheet}")
    rows = read_sheet(sheet)
    records, counts = sheet_records(rows, sheet.name, annotator)
    labelled = read_labelled_set(into, rows.axes)
    added: list[dict[str, Any]] = []
    conflicts: list[str] = []
    unchanged = 0
    pending: dict[str, tuple[int, dict]] = {}
    for number, record in records:
        case_id, gold = record["id"], _gold_of(record, rows.axes)
        if case_id in labelled.gold:
            if labelled.gold[case_id] == gold:
                unchanged += 1
            else:
                conflicts.append(conflict_line(case_id, number, labelled.gold[case_id], gold, rows.axes, f"in {into.name}"))
        elif case_id in pending:
            first_number, first_gold = pending[case_id]
            if first_gold == gold:
                unchanged += 1
            else:
                conflicts.append(conflict_line(case_id, number, first_gold, gold, rows.axes, f"in sheet row {first_number}"))
        else:
            pending[case_id] = (number, gold)
            added.append(record)
    if added:
        write_labelled_set(labelled, added, rows.axes)
    parts = [f"imported {len(added)} labelled cases from {sheet.name} into {into}"]
    parts.append(f"{unchanged} already there with the same labels" if unchanged else "")
    parts.append(f"{len(conflicts)} conflict{'s' * (len(conflicts) != 1)} (existing labels kept)" if conflicts else "")
    parts.append(f"{counts['empty']} rows without labels skipped" if counts["empty"] else "")
    parts.append(f"{counts['partial']} rows leave an axis or its primary label empty" if counts["partial"] else "")
    message = "; ".join(p for p in parts if p) + ("" if added else " (file not changed)")
    return {"message": message, "conflicts": conflicts, "imported": len(added), "unchanged": unchanged,
            "skipped_empty": counts["empty"], "partial": counts["partial"], "into": str(into)}  # fmt: skip
