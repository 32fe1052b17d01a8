"""`review suggest`: pick the unlabelled cases a labeller's time helps most, write a labelling sheet.

Method (uncertainty with a diversity penalty, greedy, in the model's TF-IDF space):
1. Every unlabelled, non-duplicate case is classified. Its uncertainty is
   `(1 - margin)` of the first axis's primary label (margin = gap between the two most probable
   primary labels) `+` the mean binary entropy (in bits) of the trained labels of every
   multi-label axis. Both parts lie in [0, 1], so a near-tie on the primary label counts as
   much as a case where every label is a coin flip.
2. The `max(5 N, 100)` most uncertain cases form the pool (kept while streaming, so memory stays
   flat on large inputs).
3. From the pool, cases are picked one at a time: the next pick maximises
   `uncertainty - max cosine similarity to the cases already picked` (rows of the model's own
   feature matrix, L2-normalised). A near-copy of a picked case loses almost all its claim, so
   the sheet does not spend a labeller's time on the same kind of case twice.
Ties are broken by a hash of the seed and the case id, so the same input gives the same sheet.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from facet_classifier.errors import UserError
from facet_classifier.fileio import atomic_path, write_csv_safe
from facet_classifier.ingest import ingest
from facet_classifier.ingest.normalise import is_missing
from facet_classifier.modeling.classify import is_case_table
from facet_classifier.modeling.labelled import metadata_values, parse_label_cell
from facet_classifier.modeling.model import AxisPrediction, FacetModel
from facet_classifier.modeling.store import load_model
from facet_classifier.progress import QUIET, Reporter, counter_bar
from facet_classifier.review.sheet import (
    CASES_SHEET,
    INSTRUCTIONS_SHEET,
    LABEL_SEPARATOR,
    LABELS_SHEET,
    META_ROW_ID,
    META_SHEET,
    SheetAxis,
    fill_sheet,
    labeller_columns,
    safe_cell,
    sheet_axes,
    sheet_meta,
)
from facet_classifier.textproc import model_text

SHEET_SUFFIXES = (".xlsx", ".csv")
CHUNK_SIZE = 2000
DIVERSITY_PENALTY = 1.0
METHOD_SHORT = "uncertainty (1 - primary margin + mean label entropy) with a diversity penalty (cosine similarity to cases already picked)"
METHOD = (
    "uncertainty + diversity: uncertainty = (1 - margin between the two most probable primary labels "
    "of the first axis) + mean binary entropy of the labels of each multi-label axis; from the "
    "max(5N, 100) most uncertain cases, cases are picked greedily by uncertainty minus their highest "
    "cosine similarity (model TF-IDF space) to a case already picked, so near-copies are not picked twice"
)


@dataclass
class ScoredChunk:
    cases: pd.DataFrame  # case_id, title, text
    X: sp.csr_matrix  # L2-normalised feature rows
    score: np.ndarray
    predictions: dict[str, AxisPrediction]


# ---------------------------------------------------------------- reading cases
def _case_batches(source: Path, gold_columns: list[str], reporter: Reporter) -> tuple[int, Iterator[pd.DataFrame]]:
    """A cases.parquet streamed in batches, or any other file ingested (gold columns kept in `extra`)."""
    if is_case_table(source):
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(source)
        return parquet.metadata.num_rows, (b.to_pandas() for b in parquet.iter_batches(batch_size=CHUNK_SIZE))
    cases = ingest([source], reserved_columns=gold_columns, reporter=reporter).cases
    return len(cases), (cases.iloc[i : i + CHUNK_SIZE] for i in range(0, len(cases), CHUNK_SIZE))


def _already_labelled(cases: pd.DataFrame, gold_columns: list[str]) -> np.ndarray:
    """Cases whose submitted row already holds a gold label for one of the model's columns."""
    if "extra" not in cases or not gold_columns:
        return np.zeros(len(cases), dtype=bool)
    flags = []
    for extra in cases["extra"]:
        values = json.loads(extra) if isinstance(extra, str) else {}
        flags.append(any(parse_label_cell(values.get(c)) for c in gold_columns))
    return np.array(flags, dtype=bool)


# ---------------------------------------------------------------- uncertainty
def binary_entropy(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def uncertainty(model: FacetModel, predictions: dict[str, AxisPrediction]) -> np.ndarray:
    """Per case: (1 - primary margin of the first axis) + mean label entropy of multi-label axes."""
    lead = predictions[next(iter(predictions))]
    score = 1.0 - lead.margin()
    label_parts = []
    for name, prediction in predictions.items():
        trained = [j for j, label in enumerate(prediction.labels) if label in model.axes[name]["ovr_labels"]]
        if model.axes[name]["multi_label"] and trained:
            label_parts.append(binary_entropy(np.nan_to_num(prediction.membership[:, trained], nan=0.0)).mean(axis=1))
    if label_parts:
        score = score + np.mean(label_parts, axis=0)
    return score


def _score_chunk(model: FacetModel, chunk: pd.DataFrame) -> ScoredChunk:
    chunk = chunk.reset_index(drop=True)
    titles = chunk["title"] if "title" in chunk else [None] * len(chunk)
    processed = list(model.processor.process([model_text(t, x) for t, x in zip(titles, chunk["text"])]))
    for case, values in zip(processed, metadata_values(chunk, model.featurizer.get("metadata_columns", []))):
        case.metadata = values
    X, predictions = model.predict_processed(processed)
    cases = pd.DataFrame({"case_id": chunk["case_id"].astype(str), "title": list(titles), "text": chunk["text"]})
    return ScoredChunk(cases, normalize(X.tocsr()), uncertainty(model, predictions), predictions)


def _tiebreak(case_ids: pd.Series, seed: int) -> np.ndarray:
    return np.array([int(hashlib.sha256(f"{seed}:{c}".encode()).hexdigest()[:12], 16) for c in case_ids], dtype=np.float64)


def _keep_top(pool: ScoredChunk | None, chunk: ScoredChunk, size: int, seed: int) -> ScoredChunk:
    """The `size` most uncertain cases of the pool and the new chunk, most uncertain first."""
    if pool is not None:
        chunk = ScoredChunk(
            pd.concat([pool.cases, chunk.cases], ignore_index=True), sp.vstack([pool.X, chunk.X], format="csr"),
            np.concatenate([pool.score, chunk.score]),
            {a: _concat_prediction(pool.predictions[a], chunk.predictions[a]) for a in chunk.predictions},
        )  # fmt: skip
    order = np.lexsort((_tiebreak(chunk.cases["case_id"], seed), -np.round(chunk.score, 9)))[:size]
    return _take(chunk, order)


def _concat_prediction(a: AxisPrediction, b: AxisPrediction) -> AxisPrediction:
    return AxisPrediction(a.labels, np.vstack([a.membership, b.membership]), np.vstack([a.primary, b.primary]),
                          np.concatenate([a.primary_idx, b.primary_idx]), a.assigned + b.assigned)  # fmt: skip


def _take(chunk: ScoredChunk, rows: np.ndarray) -> ScoredChunk:
    predictions = {
        a: AxisPrediction(p.labels, p.membership[rows], p.primary[rows], p.primary_idx[rows], [p.assigned[i] for i in rows])
        for a, p in chunk.predictions.items()
    }
    return ScoredChunk(chunk.cases.iloc[rows].reset_index(drop=True), chunk.X[rows], chunk.score[rows], predictions)


def pick_diverse(score: np.ndarray, X: sp.csr_matrix, n: int, penalty: float = DIVERSITY_PENALTY) -> list[int]:
    """Greedy picks maximising score - penalty * (highest cosine similarity to a picked row).

    Rows are expected most-uncertain-first, so among equal adjusted scores the earlier row wins.
    """
    closest = np.zeros(len(score))
    available = np.ones(len(score), dtype=bool)
    picked: list[int] = []
    for _ in range(min(n, len(score))):
        adjusted = np.where(available, score - penalty * closest, -np.inf)
        best = int(np.argmax(adjusted))
        picked.append(best)
        available[best] = False
        closest = np.maximum(closest, (X @ X[best].T).toarray().ravel())
    return picked


# ---------------------------------------------------------------- the sheet
def sheet_frame(picked: ScoredChunk, axes: list[SheetAxis]) -> pd.DataFrame:
    """Sheet rows: case, the model's suggestion and confidence per axis, then empty labeller columns."""
    frame = picked.cases[["case_id", "title", "text"]].copy()
    for axis in axes:
        p = picked.predictions[axis.name]
        if axis.primary_column:
            frame[f"model_{axis.name}_primary"] = p.primary_labels
        if axis.labels_column:
            frame[f"model_{axis.name}_labels"] = [f"{LABEL_SEPARATOR} ".join(ls) for ls in p.assigned]
        if axis.primary_column:
            frame[f"model_{axis.name}_confidence"] = np.round(p.confidence, 3)
        else:  # no primary label: the probability of each suggested label, in the same order
            index = {label: j for j, label in enumerate(p.labels)}
            frame[f"model_{axis.name}_confidence"] = [
                f"{LABEL_SEPARATOR} ".join(f"{np.nan_to_num(p.membership[i, index[l]]):.2f}" for l in ls) for i, ls in enumerate(p.assigned)
            ]
    frame["uncertainty"] = np.round(picked.score, 3)
    for column in labeller_columns(axes):
        frame[column] = None
    return frame


def instructions(axes: list[SheetAxis], model: FacetModel, n_cases: int, model_id: str) -> list[str]:
    """The lines of the instructions sheet (also the source of the allowed labels for a reader)."""
    lines = [
        "Labelling sheet written by facet-classifier review suggest",
        f"Model: {model_id}. {n_cases} cases, most useful first (if you stop early, you have labelled the best ones).",
        f"How they were chosen: {METHOD}.",
        "",
        "How to fill the 'cases' sheet:",
        "• The model_* columns show what the model thinks; they are a hint, not the answer. Label from the text.",
    ]
    for axis in axes:
        if axis.primary_column:
            lines.append(f"• {axis.primary_column}: pick the one main {axis.name} label from the dropdown.")
        if axis.labels_column:
            lines.append(f"• {axis.labels_column}: every {axis.name} label that applies, separated by '{LABEL_SEPARATOR}'. "
                         "The dropdown inserts one label; type further labels after a ';'. "
                         "Leave it empty only if none applies" + (" (the primary label is added for you)." if axis.primary_column else "."))  # fmt: skip
    lines += [
        "• annotator: your name or initials (else the --annotator of the import is used). notes: anything worth knowing.",
        "• Rows you leave without any label are skipped by the import. Do not edit case_id or the hidden sheets.",
        "Then: facet-classifier review import THIS_FILE --into LABELLED_FILE (.jsonl, .csv or .parquet).",
        "The import refuses labels not listed below (naming the row), and never overwrites a case already labelled differently.",
        "",
    ]
    for axis in axes:
        lines.append(f"Allowed {axis.name} labels:")
        taxonomy_axis = model.taxonomy.axes.get(axis.name)
        for label in axis.labels:
            definition = ""
            if taxonomy_axis is not None and label in taxonomy_axis.label_ids:
                found = taxonomy_axis.label(label)
                # labels derived from data carry a placeholder definition ("Label 'x' of column ...")
                definition = " ".join(found.definition.split()) if found.seed_phrases or not found.definition.startswith("Label ") else ""
            lines.append(f"  {label}" + (f": {definition}" if definition else ""))
        lines.append("")
    return lines


def write_xlsx_sheet(frame: pd.DataFrame, axes: list[SheetAxis], lines: list[str], meta: dict[str, Any], target: Path) -> None:
    """cases (frozen header, wrapped text, dropdowns), instructions, hidden labels and meta sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    cases = workbook.active
    cases.title = CASES_SHEET
    to_fill = labeller_columns(axes)
    widths = {"case_id": 14, "title": 30, "text": 90, "uncertainty": 11, "annotator": 14, "notes": 30}
    widths.update({c: 24 for c in frame.columns if c.startswith("model_") or c in to_fill})
    fill_sheet(cases, frame, widths, wrap={"title", "text", "notes"} | {c for c in frame.columns if c.startswith("model_")})
    cases.freeze_panes = "D2"
    highlight = PatternFill("solid", fgColor="FFF2CC")
    for i in range(2, len(frame) + 2):
        cases.row_dimensions[i].height = 150
    for name in (INSTRUCTIONS_SHEET, LABELS_SHEET, META_SHEET):
        workbook.create_sheet(name)
    notes = workbook[INSTRUCTIONS_SHEET]
    notes.column_dimensions["A"].width = 140
    for line in lines:
        notes.append([safe_cell(line)])
        notes.cell(notes.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    notes["A1"].font = Font(bold=True, size=13)
    labels = workbook[LABELS_SHEET]
    last_row = len(frame) + 1
    for k, axis in enumerate(axes, start=1):
        letter = get_column_letter(k)
        labels.cell(1, k, safe_cell(axis.name))
        for r, label in enumerate(axis.labels, start=2):
            labels.cell(r, k, safe_cell(label))
        source = f"{quote_sheetname(LABELS_SHEET)}!${letter}$2:${letter}${len(axis.labels) + 1}"
        for column, strict in ((axis.primary_column, True), (axis.labels_column, False)):
            if not column:
                continue
            col_letter = get_column_letter(list(frame.columns).index(column) + 1)
            validation = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False)
            validation.showErrorMessage = strict  # a label set is free text: dropdown offers one label at a time
            validation.errorTitle, validation.error = "Unknown label", f"Pick a {axis.name} label from the list."
            validation.promptTitle = column[:32]
            validation.prompt = _prompt(axis, strict)
            validation.showInputMessage = True
            validation.add(f"{col_letter}2:{col_letter}{max(last_row, 2)}")
            cases.add_data_validation(validation)
    for column in to_fill:
        col_letter = get_column_letter(list(frame.columns).index(column) + 1)
        cases[f"{col_letter}1"].fill = highlight
        for i in range(2, last_row + 1):
            cases[f"{col_letter}{i}"].fill = highlight
    labels.sheet_state = "hidden"
    meta_sheet = workbook[META_SHEET]
    meta_sheet["A1"] = "Read by `facet-classifier review import`; do not edit."
    meta_sheet["A2"] = json.dumps(meta, ensure_ascii=False)
    meta_sheet.sheet_state = "hidden"
    workbook.active = 0
    with atomic_path(target) as tmp:
        workbook.save(tmp)


def _prompt(axis: SheetAxis, single: bool) -> str:
    """The input message shown on a labelling cell (Excel allows at most 255 characters)."""
    head = "Pick one label." if single else f"One or more labels, separated by '{LABEL_SEPARATOR}'."
    listing = f"{head} Allowed: {', '.join(axis.labels)}"
    return listing if len(listing) <= 255 else f"{head} Allowed labels: see the instructions sheet."


def write_csv_sheet(frame: pd.DataFrame, axes: list[SheetAxis], meta: dict[str, Any], target: Path) -> None:
    """Same columns; the row under the header lists the allowed labels and carries the metadata."""
    allowed: dict[str, Any] = {c: None for c in frame.columns}
    allowed.update(case_id=META_ROW_ID, title="Allowed labels per column (keep this row: review import reads it)",
                   text=json.dumps(meta, ensure_ascii=False))  # fmt: skip
    for axis in axes:
        for column in axis.sheet_columns:
            allowed[column] = f"{LABEL_SEPARATOR} ".join(axis.labels)
    write_csv_safe(pd.concat([pd.DataFrame([allowed]), frame], ignore_index=True), target)


# ---------------------------------------------------------------- the command
def score_cases(
    model: FacetModel, source: Path, axes: list[SheetAxis], pool_size: int, seed: int, reporter: Reporter
) -> tuple[ScoredChunk | None, dict[str, int]]:
    """Classify every eligible case, keeping the `pool_size` most uncertain; count what was skipped."""
    gold_columns = [c for a in axes for c in (a.gold_primary, a.gold_labels) if c]
    total, batches = _case_batches(source, gold_columns, reporter)
    counts = {"cases": total, "duplicates": 0, "already_labelled": 0, "scored": 0}
    pool: ScoredChunk | None = None
    with counter_bar(reporter, total, "Scoring cases") as bar:
        for batch in batches:
            bar.advance(len(batch))
            duplicate = batch["duplicate_of"].map(lambda v: not is_missing(v)).to_numpy(dtype=bool) if "duplicate_of" in batch else np.zeros(len(batch), bool)
            labelled = _already_labelled(batch, gold_columns) & ~duplicate
            counts["duplicates"] += int(duplicate.sum())
            counts["already_labelled"] += int(labelled.sum())
            eligible = batch[~duplicate & ~labelled]
            if len(eligible):
                counts["scored"] += len(eligible)
                pool = _keep_top(pool, _score_chunk(model, eligible), pool_size, seed)
    return pool, counts


def suggest_cases(cases: Path, output: Path, *, model_dir: Path | None, n: int, seed: int, reporter: Reporter = QUIET) -> dict[str, Any]:
    """Write a labelling sheet with the `n` cases whose labels would teach the model most."""
    cases, output = Path(cases), Path(output)
    if output.suffix.lower() not in SHEET_SUFFIXES:
        raise UserError(f"cannot write {output}: a labelling sheet is a .xlsx or .csv file")
    if not cases.exists():
        raise UserError(f"input not found: {cases}")
    if n < 1:
        raise UserError("-n must be at least 1")
    model = load_model(model_dir)
    axes = sheet_axes(model)
    pool, counts = score_cases(model, cases, axes, max(5 * n, 100), seed, reporter)
    if pool is None:
        raise UserError(f"{cases}: no unlabelled cases to suggest ({counts['duplicates']} duplicates, {counts['already_labelled']} already labelled)")
    picked = _take(pool, np.array(pick_diverse(pool.score, pool.X, n), dtype=int))
    frame = sheet_frame(picked, axes)
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    meta = sheet_meta(axes, model.model_id, METHOD, created)
    if output.suffix.lower() == ".xlsx":
        write_xlsx_sheet(frame, axes, instructions(axes, model, len(frame), model.model_id), meta, output)
    else:
        write_csv_sheet(frame, axes, meta, output)
    skipped = ", ".join(f"{counts[k]} {name}" for k, name in (("duplicates", "duplicate" + "s" * (counts["duplicates"] != 1)),
                                                             ("already_labelled", "already labelled")) if counts[k])
    allowed = "; ".join(f"{c}: {', '.join(a.labels)}" for a in axes for c in a.sheet_columns)
    message = (
        f"suggested {len(frame)} of {counts['scored']} unlabelled cases"
        + (f" (skipped {skipped})" if skipped else "")
        + f" with model {model.model_id}, by {METHOD_SHORT}. Fill {', '.join(labeller_columns(axes))} and run "
        f"`facet-classifier review import {output} --into LABELLED`. Wrote {output}"
        + (" (see its instructions sheet)." if output.suffix.lower() == ".xlsx" else f". Allowed labels: {allowed}.")
    )
    return {"message": message, "output": str(output), "suggested": frame["case_id"].tolist(), "counts": counts,
            "method": METHOD, "model_id": model.model_id, "uncertainty": frame["uncertainty"].tolist()}  # fmt: skip
