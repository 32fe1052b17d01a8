"""The report's data containers: the cases a report covers, and one output table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

NOT_STATED = "(not stated)"


@dataclass
class ReportData:
    """The cases a report covers (duplicates and out-of-range years already removed) and their context.

    `cases` has one row per case with normalised columns: `case_id` (str), `facet_primary` (str),
    `facet_labels` / `trend_labels` (lists), `p_facet_<id>` / `p_trend_<id>` (floats), `year`
    (nullable Int64), `needs_review` (bool) and whatever metadata the predictions carried.
    """

    cases: pd.DataFrame
    facets: list[str]
    facet_names: dict[str, str]
    trends: list[str]
    trend_names: dict[str, str]
    years: list[int]
    facet_axis: Any = None
    source: str = ""
    model_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    year_filter: tuple[int, int] | None = None

    @property
    def dated(self) -> pd.DataFrame:
        """The cases that have a year (the only ones that enter year tables)."""
        return self.cases[self.cases["year"].notna()]

    def has(self, column: str) -> bool:
        return column in self.cases.columns and bool(self.cases[column].notna().any())


@dataclass
class Table:
    """One output table: long-form `frame` for CSV/XLSX, an optional formatted `display` for Markdown/HTML.

    `percent` lists columns holding shares (fractions 0-1, shown as percentages); `points` lists
    columns holding changes in percentage points.
    """

    name: str
    title: str
    frame: pd.DataFrame
    description: str = ""
    notes: list[str] = field(default_factory=list)
    percent: tuple[str, ...] = ()
    points: tuple[str, ...] = ()
    display: pd.DataFrame | None = None
    display_note: str = ""
    sheet: str = ""
