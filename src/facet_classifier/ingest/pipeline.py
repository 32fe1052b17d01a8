"""The ingest stage: raw submission files in, one accounted-for case table out.

Every input row ends in exactly one place: accepted, duplicate (kept in the table with
`duplicate_of` pointing at the kept case) or rejected (with its original values and a reason).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from facet_classifier import __version__
from facet_classifier.errors import UserError
from facet_classifier.fileio import write_csv_safe, write_json_atomic, write_parquet_atomic
from facet_classifier.ingest.columns import map_columns
from facet_classifier.ingest.countries import normalise_country
from facet_classifier.ingest.dedupe import near_duplicate_of
from facet_classifier.ingest.language import detect_language
from facet_classifier.ingest.normalise import (
    as_text,
    clean_cell_text,
    count_words,
    is_missing,
    normalise_text,
    parse_level,
    parse_year,
)
from facet_classifier.ingest.readers import RawTable, read_inputs
from facet_classifier.progress import QUIET, Reporter

CASE_COLUMNS = [
    "case_id", "title", "text", "year", "country", "country_name", "region", "level_of_government",
    "organisation", "sector", "language", "source_file", "source_row", "text_hash", "duplicate_of", "extra",
]  # fmt: skip
REJECT_META = ["source_file", "source_row", "reason"]
DEFAULT_MIN_WORDS = 5
DEFAULT_NEAR_DUPLICATE_THRESHOLD = 0.9


@dataclass
class IngestResult:
    cases: pd.DataFrame
    rejected: pd.DataFrame
    summary: dict[str, Any]


@dataclass
class _FileTally:
    source: str
    fmt: str
    mapping: dict[str, str]
    rows_read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _json_safe(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.casefold().encode("utf-8")).hexdigest()[:16]


def _rejection(raw: dict[str, Any], source: str, row: int, reason: str) -> dict[str, Any]:
    record = {"source_file": source, "source_row": row, "reason": reason}
    for key, value in raw.items():
        record[key] = as_text(value)
    return record


def _text_problem(raw_text: Any, text: str, column: str, min_words: int) -> str | None:
    """Why a row's text is unusable, or None when it is fine."""
    if is_missing(raw_text):
        return f"no text: '{column}' is empty"
    if not text:
        return f"no text: '{column}' holds only markup or invisible characters"
    words = count_words(text)
    if words < min_words:
        return f"too short: {words} word{'s' if words != 1 else ''} in '{column}' (minimum {min_words})"
    return None


def _case_from_row(raw: dict[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    """The case fields of one accepted row; unparseable metadata is kept raw in `extra`."""
    get = lambda f: raw.get(mapping[f]) if f in mapping else None  # noqa: E731
    extra = {k: _json_safe(v) for k, v in raw.items() if k not in mapping.values() and not is_missing(v)}
    year_raw, country_raw, level_raw = get("year"), get("country"), get("level_of_government")
    year = parse_year(year_raw)
    if year is None and not is_missing(year_raw):
        extra["year_raw"] = as_text(year_raw)
    country = normalise_country(country_raw)
    country_name = country.name
    if not country.recognised and not is_missing(country_raw):
        extra["country_raw"] = as_text(country_raw)
        country_name = normalise_text(country_raw) or None
    level = parse_level(level_raw)
    if level is None and not is_missing(level_raw):
        extra["level_of_government_raw"] = as_text(level_raw)
    title = clean_cell_text(get("title")) or None
    return {
        "submitted_id": normalise_text(get("id")) or None,
        "title": title,
        "year": year,
        "country": country.code,
        "country_name": country_name,
        "region": country.region,
        "level_of_government": level,
        "organisation": normalise_text(get("organisation")) or None,
        "sector": normalise_text(get("sector")) or None,
        "extra": json.dumps(extra, ensure_ascii=False) if extra else None,
    }


def _unique_ids(preferred: list[str]) -> list[str]:
    """Make ids unique in input order: a repeat gets '-2', '-3', ... (stable across runs)."""
    taken: set[str] = set()
    counts: Counter[str] = Counter()
    out = []
    for value in preferred:
        candidate = value
        while candidate in taken:
            counts[value] += 1
            candidate = f"{value}-{counts[value] + 1}"
        taken.add(candidate)
        out.append(candidate)
    return out


def _check_overrides(tables: list[RawTable], overrides: Mapping[str, str]) -> None:
    seen = {c for t in tables for c in t.columns}
    for field_name, column in overrides.items():
        if column not in seen:
            raise UserError(f"--map {field_name}={column}: no such column; columns seen: {', '.join(sorted(seen))}")


def _mapping_for(table: RawTable, overrides: Mapping[str, str], reserved: set[str]) -> dict[str, str]:
    mapping = map_columns([c for c in table.columns if c not in reserved], overrides)
    if "text" not in mapping:
        raise UserError(
            f"{table.source}: no text column found (use --map text=COLUMN); columns seen: {', '.join(table.columns)}"
        )
    return mapping


def _mark_duplicates(cases: list[dict[str, Any]], threshold: float) -> tuple[int, int]:
    """Fill `duplicate_of` (exact first, then near); return (exact, near) counts."""
    first_by_hash: dict[str, int] = {}
    exact = 0
    unique_positions: list[int] = []
    for i, case in enumerate(cases):
        kept = first_by_hash.setdefault(case["text_hash"], i)
        if kept != i:
            case["duplicate_of"] = cases[kept]["case_id"]
            exact += 1
        else:
            unique_positions.append(i)
    matches = near_duplicate_of([cases[i]["text"] for i in unique_positions], threshold=threshold)
    near = 0
    for position, match in zip(unique_positions, matches):
        if match is not None:
            cases[position]["duplicate_of"] = cases[unique_positions[match]]["case_id"]
            near += 1
    return exact, near


def ingest(
    inputs: Iterable[str | Path],
    *,
    overrides: Mapping[str, str] | None = None,
    sheet: str | None = None,
    min_words: int = DEFAULT_MIN_WORDS,
    near_duplicate_threshold: float = DEFAULT_NEAR_DUPLICATE_THRESHOLD,
    reserved_columns: Iterable[str] = (),
    reporter: Reporter = QUIET,
) -> IngestResult:
    """Read, map, normalise, de-duplicate and account for every submitted row.

    `reserved_columns` are never mapped to a case field and always land in `extra` (gold label
    columns of labelled data, so `--axis sector=primary_sector` does not lose its column).
    """
    if min_words < 1:
        raise UserError("--min-words must be at least 1")
    if not 0 < near_duplicate_threshold <= 1:
        raise UserError("the near-duplicate threshold must be in (0, 1]")
    overrides = dict(overrides or {})
    tables, skipped = read_inputs(inputs, sheet)
    if not tables:
        raise UserError("nothing to ingest: no readable case files among the inputs")
    _check_overrides(tables, overrides)
    reserved = set(reserved_columns)
    tallies = [_FileTally(t.source, t.fmt, _mapping_for(t, overrides, reserved)) for t in tables]

    cases: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    total = sum(t.rows_read for t in tables)
    rows = ((t, y, i) for t, y in zip(tables, tallies) for i in range(len(t.rows)))
    for table, tally, i in reporter.track(rows, "Normalising cases", total=sum(len(t.rows) for t in tables)):
        raw, number = table.rows[i], table.row_numbers[i]
        source = table.row_sources[i] if table.row_sources else table.source
        text_column = tally.mapping["text"]
        if all(is_missing(v) for v in raw.values()):
            rejected.append(_rejection(raw, source, number, "empty row"))
            tally.rejected += 1
            continue
        text = clean_cell_text(raw.get(text_column))
        problem = _text_problem(raw.get(text_column), text, text_column, min_words)
        if problem:
            rejected.append(_rejection(raw, source, number, problem))
            tally.rejected += 1
            continue
        case = _case_from_row(raw, tally.mapping)
        case.update(text=text, language=detect_language(text), source_file=source, source_row=number,
                    text_hash=text_hash(text), duplicate_of=None, _tally=tally)  # fmt: skip
        cases.append(case)
    for table, tally in zip(tables, tallies):
        tally.rows_read = table.rows_read
        tally.rejected += len(table.failures)
        rejected.extend(_rejection(f.raw, table.source, f.row, f.reason) for f in table.failures)

    ids = _unique_ids([c["submitted_id"] or f"h-{c['text_hash'][:12]}" for c in cases])
    for case, case_id in zip(cases, ids):
        case["case_id"] = case_id
    reporter.info(f"Looking for duplicates among {len(cases):,} cases")
    exact, near = _mark_duplicates(cases, near_duplicate_threshold)
    for case in cases:
        if case["duplicate_of"] is None:
            case["_tally"].accepted += 1
        else:
            case["_tally"].duplicates += 1

    frame = _cases_frame(cases)
    rejected_frame = _rejected_frame(rejected)
    summary = _summary(tallies, frame, rejected_frame, exact, near, skipped, min_words, near_duplicate_threshold)
    if summary["rows_read"] != summary["accepted"] + summary["duplicates"] + summary["rejected"] or total != summary["rows_read"]:
        raise AssertionError("row accounting does not add up")  # a bug, never bad input
    return IngestResult(frame, rejected_frame, summary)


def _cases_frame(cases: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame([{k: c.get(k) for k in CASE_COLUMNS} for c in cases], columns=CASE_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    frame["source_row"] = frame["source_row"].astype("int64")
    for column in CASE_COLUMNS:
        if column not in {"year", "source_row"}:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _rejected_frame(rejected: list[dict[str, Any]]) -> pd.DataFrame:
    columns = list(dict.fromkeys(REJECT_META + [k for r in rejected for k in r]))
    return pd.DataFrame(rejected, columns=columns)


def _summary(
    tallies: list[_FileTally],
    cases: pd.DataFrame,
    rejected: pd.DataFrame,
    exact: int,
    near: int,
    skipped: list[str],
    min_words: int,
    threshold: float,
) -> dict[str, Any]:
    kept = cases[cases["duplicate_of"].isna()]
    files = [
        {"file": t.source, "format": t.fmt, "rows_read": t.rows_read, "accepted": t.accepted,
         "duplicates": t.duplicates, "rejected": t.rejected, "column_mapping": t.mapping}
        for t in tallies
    ]  # fmt: skip
    years = kept["year"].dropna()
    return {
        "tool_version": __version__,
        "rows_read": sum(t.rows_read for t in tallies),
        "accepted": sum(t.accepted for t in tallies),
        "duplicates": exact + near,
        "exact_duplicates": exact,
        "near_duplicates": near,
        "rejected": sum(t.rejected for t in tallies),
        "rejected_by_reason": _reason_counts(rejected),
        "files": files,
        "column_mapping": {t.source: t.mapping for t in tallies},
        "skipped_files": skipped,
        "settings": {"min_words": min_words, "near_duplicate_threshold": threshold},
        "accepted_profile": {
            "years": [int(years.min()), int(years.max())] if len(years) else None,
            "missing_year": int(kept["year"].isna().sum()),
            "countries": int(kept["country"].dropna().nunique()),
            "unrecognised_country": int(kept["extra"].fillna("").str.contains('"country_raw"', regex=False).sum()),
            "missing_country": int(kept["country_name"].isna().sum()),
            "languages": {k: int(v) for k, v in kept["language"].value_counts().items()},
            "levels_of_government": {k: int(v) for k, v in kept["level_of_government"].value_counts().items()},
        },
    }


def _reason_counts(rejected: pd.DataFrame) -> dict[str, int]:
    if rejected.empty:
        return {}
    kinds = rejected["reason"].str.split(":").str[0]
    return {k: int(v) for k, v in kinds.value_counts().items()}


def write_ingest_outputs(result: IngestResult, outdir: str | Path) -> dict[str, Path]:
    """cases.parquet, rejected.csv and ingest_summary.json in `outdir`, each written atomically."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = {
        "cases": outdir / "cases.parquet",
        "rejected": outdir / "rejected.csv",
        "summary": outdir / "ingest_summary.json",
    }
    write_parquet_atomic(result.cases, paths["cases"])
    write_csv_safe(result.rejected, paths["rejected"])
    write_json_atomic(paths["summary"], result.summary)
    return paths
