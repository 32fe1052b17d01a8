"""Readers that turn each submitted file into raw rows, keeping every row's origin.

A reader never drops a row silently: rows it cannot parse come back as `RowFailure`s so ingest can
quarantine them with a reason. Everything format-specific (encodings, delimiters, sheets, JSON
shapes, document folders) lives here; the rest of ingest sees only `RawTable`s.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facet_classifier.errors import UserError
from facet_classifier.ingest.normalise import markup_to_text

TABLE_SUFFIXES = {".csv", ".tsv", ".tab", ".xlsx", ".xlsm", ".json", ".jsonl", ".ndjson", ".parquet", ".pq"}
DOCUMENT_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
SUPPORTED = sorted(TABLE_SUFFIXES | DOCUMENT_SUFFIXES)
_CSV_DELIMITERS = ",;\t|"
# csv refuses fields over 128 kB by default; long pasted descriptions exist.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class RowFailure:
    row: int
    raw: dict[str, Any]
    reason: str


@dataclass
class RawTable:
    """Rows of one file (or one sheet), as header -> cell value, with their row numbers."""

    source: str
    fmt: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    failures: list[RowFailure] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    # Set for document folders, where each row comes from a file of its own.
    row_sources: list[str] | None = None

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.failures)


# ---------------------------------------------------------------- finding files
def expand_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Files and folders named by the user (globs expanded), in a stable order, without repeats."""
    paths: list[Path] = []
    for item in inputs:
        text = str(item)
        path = Path(text)
        if path.exists():
            paths.append(path)
        elif glob.has_magic(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True))
            if not matches:
                raise UserError(f"no files match {text}")
            paths.extend(matches)
        else:
            raise UserError(f"input not found: {text}")
    unique: dict[Path, None] = {}
    for path in paths:
        unique.setdefault(path, None)
    return list(unique)


def is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in path.relative_to(root).parts)


# ---------------------------------------------------------------- decoding
def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252/latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def detect_delimiter(text: str, suffix: str) -> str:
    if suffix in {".tsv", ".tab"}:
        return "\t"
    sample = "\n".join(text[:65536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_CSV_DELIMITERS).delimiter
    except csv.Error:
        header = text.split("\n", 1)[0]
        counts = {d: header.count(d) for d in _CSV_DELIMITERS}
        best = max(counts, key=counts.get)  # type: ignore[arg-type]
        return best if counts[best] else ","


def unique_headers(raw: list[Any]) -> list[str]:
    """Header cells as distinct, non-empty names ('column_3' for blanks, 'Country.2' for repeats)."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(raw, start=1):
        name = str(cell).strip() if cell is not None else ""
        name = name or f"column_{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 1)
        names.append(name)
    return names


def _is_blank(values: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


# ---------------------------------------------------------------- delimited text
def read_delimited(path: Path, label: str) -> RawTable:
    text, encoding = decode_bytes(path.read_bytes())
    delimiter = detect_delimiter(text, path.suffix.lower())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table: RawTable | None = None
    start_line = 1
    try:
        for record in reader:
            line = start_line
            start_line = reader.line_num + 1
            if not record or (table is None and _is_blank(record)):
                continue  # blank lines are not rows
            if table is None:
                table = RawTable(label, "csv", unique_headers(record), encoding=encoding, delimiter=delimiter)
                continue
            _add_delimited_record(table, record, line)
    except csv.Error as exc:
        raise UserError(f"{label}: cannot parse as delimited text near line {start_line}: {exc}") from exc
    if table is None:
        raise UserError(f"{label}: the file is empty")
    return table


def _add_delimited_record(table: RawTable, record: list[str], line: int) -> None:
    width = len(table.columns)
    if len(record) > width and _is_blank(record[width:]):
        record = record[:width]
    if len(record) > width:
        raw = dict(zip(table.columns, record))
        raw["_overflow"] = table_delimiter_join(record[width:], table.delimiter)
        table.failures.append(
            RowFailure(line, raw, f"cannot be parsed: {len(record)} fields where the header has {width}")
        )
        return
    table.rows.append(dict(zip(table.columns, record + [""] * (width - len(record)))))
    table.row_numbers.append(line)


def table_delimiter_join(values: list[str], delimiter: str | None) -> str:
    return (delimiter or ",").join(values)


# ---------------------------------------------------------------- spreadsheets
def read_xlsx(path: Path, label: str, sheet: str | None) -> list[RawTable]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise UserError(f"{label}: cannot open as an Excel workbook ({type(exc).__name__}: {exc})") from exc
    try:
        names = workbook.sheetnames
        if sheet is not None and sheet not in names:
            raise UserError(f"{label}: no sheet named {sheet!r}; sheets are: {', '.join(names)}")
        tables = []
        for name in [sheet] if sheet else names:
            table = _read_sheet(workbook[name], f"{label}#{name}")
            if table is not None:
                tables.append(table)
        return tables
    finally:
        workbook.close()


def _read_sheet(worksheet: Any, label: str) -> RawTable | None:
    table: RawTable | None = None
    pending_blank: list[int] = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if table is None:
            if not _is_blank(values):
                table = RawTable(label, "xlsx", unique_headers(list(values)))
            continue
        if _is_blank(values):
            pending_blank.append(number)  # only counted if data follows: trailing blanks are not rows
            continue
        for blank in pending_blank:
            table.rows.append(dict.fromkeys(table.columns, None))
            table.row_numbers.append(blank)
        pending_blank.clear()
        cells = list(values) + [None] * (len(table.columns) - len(values))
        table.rows.append(dict(zip(table.columns, cells)))
        table.row_numbers.append(number)
    return table


# ---------------------------------------------------------------- JSON family
def _records_from_json(obj: Any, label: str) -> list[Any]:
    if isinstance(obj, list):
        return obj
    if isinstance(obj, dict):
        arrays = {k: v for k, v in obj.items() if isinstance(v, list) and any(isinstance(x, dict) for x in v)}
        if len(arrays) == 1:
            return next(iter(arrays.values()))
        if len(arrays) > 1:
            for preferred in ("cases", "data", "records", "items", "results", "rows", "submissions"):
                if preferred in arrays:
                    return arrays[preferred]
            raise UserError(f"{label}: the JSON object holds several arrays ({', '.join(arrays)}); keep one")
    raise UserError(f"{label}: JSON must be an array of case objects or an object holding one")


def _table_from_records(records: Iterable[tuple[int, Any]], label: str, fmt: str) -> RawTable:
    table = RawTable(label, fmt, [])
    columns: dict[str, None] = {}
    for number, record in records:
        if isinstance(record, RowFailure):
            table.failures.append(record)
        elif not isinstance(record, dict):
            table.failures.append(RowFailure(number, {"value": record}, "cannot be parsed: not a JSON object"))
        else:
            clean = {str(k): v for k, v in record.items()}
            for key in clean:
                columns.setdefault(key, None)
            table.rows.append(clean)
            table.row_numbers.append(number)
    table.columns = list(columns)
    return table


def read_json(path: Path, label: str) -> RawTable:
    text, encoding = decode_bytes(path.read_bytes())
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{label}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    records = _records_from_json(obj, label)
    table = _table_from_records(enumerate(records, start=1), label, "json")
    table.encoding = encoding
    return table


def read_jsonl(path: Path, label: str) -> RawTable:
    text, encoding = decode_bytes(path.read_bytes())

    def records() -> Iterable[tuple[int, Any]]:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, RowFailure(number, {"line": line[:2000]}, f"cannot be parsed: invalid JSON ({exc.msg})")

    table = _table_from_records(records(), label, "jsonl")
    table.encoding = encoding
    return table


def read_parquet(path: Path, label: str) -> RawTable:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:
        raise UserError(f"{label}: cannot open as Parquet ({exc})") from exc
    table = RawTable(label, "parquet", list(parquet.schema_arrow.names))
    number = 0
    for batch in parquet.iter_batches(batch_size=20000):
        for record in batch.to_pylist():
            number += 1
            table.rows.append(record)
            table.row_numbers.append(number)
    return table


# ---------------------------------------------------------------- documents
_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS_RE = re.compile(r"(^|\s)[*_`>#-]+|[*_`]+(\s|$)", re.M)
_HTML_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>|<h1[^>]*>(.*?)</h1>", re.I | re.S)


def _document_case(path: Path, root: Path) -> dict[str, Any]:
    text, _ = decode_bytes(path.read_bytes())
    suffix = path.suffix.lower()
    title = None
    if suffix in {".html", ".htm"}:
        match = _HTML_TITLE_RE.search(text)
        if match:
            title = markup_to_text(match.group(1) or match.group(2) or "").strip() or None
        body = re.sub(r"<h1[^>]*>.*?</h1>", " ", text, count=1, flags=re.I | re.S) if title else text
        body = markup_to_text(body)
    elif suffix in {".md", ".markdown"}:
        lines = text.splitlines()
        for i, line in enumerate(lines):
            match = _MD_HEADING_RE.match(line)
            if match:
                title = match.group(1)
                del lines[i]
                break
            if line.strip():
                break
        body = _MD_MARKS_RE.sub(r"\1\2", _MD_LINK_RE.sub(r"\1", "\n".join(lines)))
    else:
        head, sep, rest = text.strip().partition("\n")
        if sep and rest.strip() and len(head) <= 150 and not head.rstrip().endswith((".", ":")):
            title, body = head.strip(), rest
        else:
            body = text
    relative = path.relative_to(root).as_posix() if root != path else path.name
    return {"title": title or path.stem.replace("_", " ").replace("-", " "), "text": body, "file": relative}


def read_documents(paths: list[Path], root: Path, label: str) -> RawTable:
    records = ((1, _document_case(p, root)) for p in paths)
    table = _table_from_records(records, label, "documents")
    table.row_sources = [str(p) for p in paths]
    return table


# ---------------------------------------------------------------- dispatch
def read_file(path: Path, label: str, sheet: str | None = None) -> list[RawTable]:
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv", ".tab"}:
        return [read_delimited(path, label)]
    if suffix in {".xlsx", ".xlsm"}:
        return read_xlsx(path, label, sheet)
    if suffix == ".json":
        return [read_json(path, label)]
    if suffix in {".jsonl", ".ndjson"}:
        return [read_jsonl(path, label)]
    if suffix in {".parquet", ".pq"}:
        return [read_parquet(path, label)]
    if suffix in DOCUMENT_SUFFIXES:
        return [read_documents([path], path, label)]
    if suffix == ".xls":
        raise UserError(f"{label}: old .xls workbooks are not supported; save it as .xlsx")
    raise UserError(f"{label}: unsupported format {suffix or '(no extension)'}; supported: {', '.join(SUPPORTED)}")


def read_folder(folder: Path, sheet: str | None) -> tuple[list[RawTable], list[str]]:
    """Tables in the folder are read as tables; .txt/.md/.html files become one case each."""
    tables: list[RawTable] = []
    skipped: list[str] = []
    documents: list[Path] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not is_hidden(p, folder)):
        suffix = path.suffix.lower()
        if suffix in DOCUMENT_SUFFIXES:
            documents.append(path)
        elif suffix in TABLE_SUFFIXES:
            tables.extend(read_file(path, str(path), sheet))
        else:
            skipped.append(str(path))
    if documents:
        tables.append(read_documents(documents, folder, str(folder)))
    return tables, skipped


def read_inputs(inputs: Iterable[str | Path], sheet: str | None = None) -> tuple[list[RawTable], list[str]]:
    """All raw tables for the given inputs, and the files in folders that were skipped."""
    tables: list[RawTable] = []
    skipped: list[str] = []
    for path in expand_inputs(inputs):
        if path.is_dir():
            found, passed_over = read_folder(path, sheet)
            tables.extend(found)
            skipped.extend(passed_over)
        else:
            tables.extend(read_file(path, str(path), sheet))
    return tables, skipped
