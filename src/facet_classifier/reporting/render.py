"""Writing the report: CSV tables, one XLSX workbook, trends.md and a self-contained trends.html.

Submitted text is untrusted. HTML goes through Jinja2 with autoescape on; Markdown cells have
'|', newlines and '<' / '>' escaped; CSV and XLSX cells that a spreadsheet would run as a formula
are neutralised (fileio.neutralise_frame) and XLSX text cells are always stored as text.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from facet_classifier.fileio import atomic_path, neutralise_frame, write_csv_safe, write_text_atomic
from facet_classifier.reporting.model import Table

SHEET_NAME_LIMIT = 31
MAX_COLUMN_WIDTH = 60
_NUMERIC_CELL = re.compile(r"^[–+\-±]?\d")


@dataclass
class FigureOut:
    name: str
    title: str
    caption: str
    png: Path
    svg: Path

    def png_base64(self) -> str:
        return base64.b64encode(self.png.read_bytes()).decode("ascii")


@dataclass
class Section:
    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[FigureOut] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


# --------------------------------------------------------------------------------------- CSV
def write_csv_tables(tables: list[Table], folder: Path) -> dict[str, Path]:
    paths = {}
    for table in tables:
        target = folder / f"{table.name}.csv"
        write_csv_safe(table.frame, target)
        paths[table.name] = target
    return paths


# -------------------------------------------------------------------------------------- XLSX
def sheet_names(names: list[str]) -> list[str]:
    """Excel-safe sheet names: no []:*?/\\, at most 31 characters, unique (case-insensitively)."""
    taken: set[str] = set()
    out = []
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "sheet"
        base = base[:SHEET_NAME_LIMIT]
        candidate, n = base, 2
        while candidate.lower() in taken:
            suffix = f"_{n}"
            candidate = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
            n += 1
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def _excel_value(value: Any) -> Any:
    if _is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        return "; ".join(str(v) for v in value)
    return value


def _number_format(table: Table, column: str, series: pd.Series) -> str | None:
    if column in table.percent:
        return "0.0%"
    if column in table.points:
        return "+0.00;-0.00;0.00"
    if column == "year":
        return "0"
    if series.dtype.kind == "f":
        return "0.000"
    return None


def _column_widths(frame: pd.DataFrame) -> list[float]:
    widths = []
    for j, column in enumerate(frame.columns):
        sample = [len(str(v)) for v in frame.iloc[:500, j] if not _is_missing(v)]
        widths.append(min(MAX_COLUMN_WIDTH, max([len(str(column)), *sample, 6]) + 2))
    return widths


def _fill_sheet(sheet: Any, table: Table) -> None:
    """Write-only sheet: bold shaded header, frozen header row, widths, number formats, filters.

    openpyxl stores a string as a formula only when it starts with '='; such cells are neutralised
    by neutralise_frame and, as a second guard, forced to data_type 's'.
    """
    frame = neutralise_frame(table.frame)
    for j, width in enumerate(_column_widths(frame), start=1):
        sheet.column_dimensions[get_column_letter(j)].width = width
    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{max(1, len(frame) + 1)}"
    header = []
    for name in frame.columns:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.data_type = "s"
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDE5F0")
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    formats = [_number_format(table, c, table.frame[c]) for c in table.frame.columns]
    for row in frame.itertuples(index=False, name=None):
        out = []
        for value, number_format in zip(row, formats):
            value = _excel_value(value)
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # never a formula (neutralise_frame already prefixed it; this is a second guard)
                out.append(cell)
            elif number_format and value is not None and not isinstance(value, bool):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)


def write_workbook(tables: list[Table], target: Path) -> list[str]:
    """One formatted sheet per table; returns the sheet names."""
    workbook = Workbook(write_only=True)
    names = sheet_names([t.name for t in tables])
    for name, table in zip(names, tables):
        _fill_sheet(workbook.create_sheet(title=name), table)
    with atomic_path(target) as tmp:
        workbook.save(tmp)
    return names


# ---------------------------------------------------------------------------------- Markdown
def md_text(value: object) -> str:
    """Text for Markdown prose: '<' and '>' escaped so submitted text cannot become HTML."""
    return str(value).replace("<", "&lt;").replace(">", "&gt;")


def md_cell(value: object) -> str:
    """A Markdown table cell: backslashes, '|', newlines and '<' / '>' escaped."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    text = " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text
    return md_text(text).strip()


def md_table(frame: pd.DataFrame) -> str:
    if frame is None or frame.empty:
        return "_(no rows)_"
    header = "| " + " | ".join(md_cell(c) for c in frame.columns) + " |"
    align = "|" + "|".join("---:" if _numeric_column(frame[c]) else "---" for c in frame.columns) + "|"
    rows = ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in frame.itertuples(index=False, name=None)]
    return "\n".join([header, align, *rows])


def _numeric_column(series: pd.Series) -> bool:
    values = [str(v) for v in series if str(v) not in ("", "–")]
    return all(_NUMERIC_CELL.match(v) for v in values)


def _environment(autoescape: bool) -> Environment:
    env = Environment(loader=PackageLoader("facet_classifier.reporting", "templates"), autoescape=autoescape,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)  # fmt: skip
    env.filters["md_text"] = md_text
    env.filters["md_table"] = md_table
    return env


def render_markdown(context: dict[str, Any]) -> str:
    return _environment(autoescape=False).get_template("trends.md.j2").render(**context)


# -------------------------------------------------------------------------------------- HTML
def html_table(table: Table) -> dict[str, Any]:
    frame = table.display if table.display is not None else table.frame
    numeric = [_numeric_column(frame[c]) for c in frame.columns]
    return {
        "headers": [str(c) for c in frame.columns],
        "numeric": numeric,
        "rows": [[str(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    }


def render_html(context: dict[str, Any]) -> str:
    env = _environment(autoescape=True)
    env.globals["html_table"] = html_table
    return env.get_template("trends.html.j2").render(**context)


def write_documents(context: dict[str, Any], outdir: Path) -> dict[str, Path]:
    paths = {"trends.md": outdir / "trends.md", "trends.html": outdir / "trends.html"}
    write_text_atomic(paths["trends.md"], render_markdown(context))
    write_text_atomic(paths["trends.html"], render_html(context))
    return paths
