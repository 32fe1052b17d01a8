"""Readable versions of the tables for Markdown and HTML: text cells, wide layouts, percentages.

The long-form frames stay the data of record (CSV/XLSX); these views only rearrange and format.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from facet_classifier.reporting.model import ReportData, Table
from facet_classifier.reporting.wording import percent, signed_points

MISSING = "–"
TREND_YEARS_SHOWN = 8


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return str(value)


def default_view(table: Table) -> pd.DataFrame:
    """Every column as text: shares as '41.2 %', points as '+3.1', missing as '–'."""
    frame = table.frame
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column].astype(object)
        if column in table.percent:
            out[column] = values.map(lambda v: percent(v, 1))
        elif column in table.points:
            out[column] = values.map(signed_points)
        elif column == "year":
            out[column] = values.map(lambda v: MISSING if v is None or v is pd.NA or v != v else str(int(v)))
        else:
            out[column] = values.map(_cell)
    out.columns = [c.replace("_", " ") for c in frame.columns]
    return out.reset_index(drop=True)


def _share_with_n(share: object, n: object) -> str:
    return MISSING if isinstance(share, float) and share != share else f"{percent(share, 1)} ({n})"


def _share_n_change(share: object, n: object, change: object) -> str:
    """'41.2 % (12; +3.1 pts)', or without the change when it is undefined."""
    if isinstance(share, float) and share != share:
        return MISSING
    if isinstance(change, float) and change != change:
        return f"{percent(share, 1)} ({n})"
    return f"{percent(share, 1)} ({n}; {signed_points(change)} pts)"


def _pivot(frame: pd.DataFrame, index: str, columns: str, values: pd.Series, index_order: list, column_order: list) -> pd.DataFrame:
    wide = frame.assign(_v=values.values).pivot(index=index, columns=columns, values="_v")
    return wide.reindex(index=index_order, columns=column_order)


def by_year_view(table: Table, label_column: str, names: dict[str, str], order: list[str]) -> pd.DataFrame:
    """Year rows x label columns, cells 'share (n; change in points)'."""
    frame = table.frame
    cells = [_share_n_change(s, n, c) for s, n, c in zip(frame["share"], frame["n_cases"], frame["change_pts"])]
    years = list(dict.fromkeys(frame["year"]))
    wide = _pivot(frame, "year", label_column, pd.Series(cells), years, order)
    wide.columns = [names.get(c, c) for c in wide.columns]
    totals = frame.groupby("year")["year_cases"].first().reindex(years)
    wide.insert(0, "cases", totals.astype(int).astype(str).values)
    return wide.rename_axis("year").reset_index().astype(str)


def trend_by_year_view(table: Table, data: ReportData) -> pd.DataFrame:
    """Trend rows x year columns, cells 'share', marked ▲ / ▼ for the year's fastest riser / faller."""
    frame = table.frame
    marks = frame["fastest_rising"].map({True: " ▲", False: ""}) + frame["fastest_falling"].map({True: " ▼", False: ""})
    cells = frame["share"].map(lambda s: percent(s, 1)) + marks
    years = list(dict.fromkeys(frame["year"]))
    wide = _pivot(frame, "trend", "year", cells, data.trends, years)
    totals = frame.groupby("year")["year_cases"].first()
    wide.columns = [f"{y} (n={totals[y]})" for y in wide.columns]
    wide.insert(0, "trend", [data.trend_names[t] for t in wide.index])
    return wide.reset_index(drop=True).fillna(MISSING)


def facet_trend_view(table: Table, data: ReportData) -> pd.DataFrame:
    frame = table.frame
    cells = [_share_with_n(s, n) for s, n in zip(frame["share_of_facet"], frame["n_cases"])]
    wide = _pivot(frame, "trend", "facet", pd.Series(cells), data.trends, data.facets)
    facet_cases = frame.groupby("facet")["facet_cases"].first()
    wide.columns = [f"{data.facet_names[f]} (n={facet_cases[f]})" for f in wide.columns]
    wide.insert(0, "trend", [data.trend_names[t] for t in wide.index])
    return wide.reset_index(drop=True)


def group_view(table: Table, data: ReportData, group_column: str) -> pd.DataFrame:
    """Facet tables: group rows x facet columns; trend tables: trend rows x group columns."""
    frame = table.frame
    axis = "facet" if "facet" in frame.columns else "trend"
    names = data.facet_names if axis == "facet" else data.trend_names
    order = data.facets if axis == "facet" else data.trends
    groups = list(dict.fromkeys(frame[group_column]))
    label = frame[group_column].astype(str)
    if "country_name" in frame.columns:
        label = frame["country_name"].astype(str) + " (" + frame[group_column].astype(str) + ")"
    group_names = dict(zip(frame[group_column], label))
    group_cases = frame.groupby(group_column)["group_cases"].first()
    if axis == "facet":
        cells = [_share_with_n(s, n) for s, n in zip(frame["share"], frame["n_cases"])]
        wide = _pivot(frame, group_column, axis, pd.Series(cells), groups, order)
        wide.columns = [names[c] for c in wide.columns]
        wide.insert(0, "cases", [str(group_cases[g]) for g in wide.index])
        wide.insert(0, group_column.replace("_", " "), [group_names[g] for g in wide.index])
        return wide.reset_index(drop=True)
    cells = frame["share"].map(lambda s: percent(s, 1))
    wide = _pivot(frame, axis, group_column, cells, order, groups)
    short = {g: g for g in groups} if "country_name" in frame.columns else group_names
    wide.columns = [f"{short[g]} (n={group_cases[g]})" for g in wide.columns]
    wide.insert(0, "trend", [names[t] for t in wide.index])
    return wide.reset_index(drop=True)


def exemplars_view(table: Table) -> pd.DataFrame:
    """The trend named once above its exemplars; probability with two decimals."""
    frame = table.frame
    view = default_view(Table(name="", title="", frame=frame[["trend_name", "rank", "title", "country", "year", "facet",
                                                             "trend_probability", "excerpt"]]))  # fmt: skip
    view["trend probability"] = frame["trend_probability"].map(lambda v: MISSING if v != v else f"{v:.2f}").values
    view.loc[frame["trend"].duplicated().to_numpy(), "trend name"] = ""
    return view.rename(columns={"trend name": "trend", "trend probability": "p(trend)"})


def terms_view(table: Table, data: ReportData) -> pd.DataFrame:
    frame = table.frame
    if frame.empty:
        return pd.DataFrame({"trend": [], "distinctive terms (z-score)": []})
    joined = frame.assign(cell=frame["term"] + " (" + frame["z_score"].map(lambda z: f"{z:.1f}") + ")")
    grouped = joined.groupby("trend", sort=False)["cell"].agg(", ".join)
    grouped = grouped.reindex([t for t in data.trends if t in grouped.index])
    return pd.DataFrame({"trend": [data.trend_names[t] for t in grouped.index], "distinctive terms (z-score)": grouped.values})


def compare_view(table: Table) -> pd.DataFrame:
    frame = table.frame
    first, second = int(frame["first_year"].iat[0]), int(frame["second_year"].iat[0])
    return pd.DataFrame({
        "axis": frame["axis"].values,
        "label": frame["label_name"].values,
        f"{first} (n={frame['cases_first'].iat[0]})": [_share_with_n(s, n) for s, n in zip(frame["share_first"], frame["n_first"])],
        f"{second} (n={frame['cases_second'].iat[0]})": [_share_with_n(s, n) for s, n in zip(frame["share_second"], frame["n_second"])],
        "change (points)": frame["change_pts"].map(signed_points).values,
    })  # fmt: skip


def change_by_year_view(table: Table, order: list[str]) -> pd.DataFrame:
    """Year rows x kind-of-change columns, cells 'share (n)' (the points are in the CSV)."""
    frame = table.frame
    cells = [_share_with_n(s, n) for s, n in zip(frame["share"], frame["n_cases"])]
    years = list(dict.fromkeys(frame["year"]))
    wide = _pivot(frame, "year", "change", pd.Series(cells), years, order)
    wide.columns = [c.replace("mixed (", "mixed: ").rstrip(")") if c.startswith("mixed (") else c for c in wide.columns]
    totals = frame.groupby("year")["year_cases"].first().reindex(years)
    wide.insert(0, "cases", totals.astype(int).astype(str).values)
    return wide.rename_axis("year").reset_index().astype(str)


def attach_views(tables: list[Table], data: ReportData, queue_rows: int) -> None:
    """Set each table's `display` (and a note when the view shows only part of the table)."""
    views: dict[str, Callable[[Table], pd.DataFrame]] = {
        "facet_by_year": lambda t: by_year_view(t, "facet", data.facet_names, data.facets),
        "trend_by_year": lambda t: trend_by_year_view(t, data),
        "facet_trend": lambda t: facet_trend_view(t, data),
        "exemplars": exemplars_view,
        "distinctive_terms": lambda t: terms_view(t, data),
        "compare_years": compare_view,
        "change_by_year": lambda t: change_by_year_view(t, list(dict.fromkeys(t.frame["change"]))),
    }
    for table in tables:
        if table.name in views:
            table.display = views[table.name](table)
        elif table.name.startswith(("facet_by_", "trend_by_")):
            group_column = next(c for c in table.frame.columns if c in ("region", "country", "level_of_government"))
            table.display = group_view(table, data, group_column)
        else:
            table.display = default_view(table)
        if table.name == "trend_by_year" and len(table.display.columns) > TREND_YEARS_SHOWN + 1:
            hidden = len(table.display.columns) - 1 - TREND_YEARS_SHOWN
            table.display = table.display.iloc[:, [0, *range(hidden + 1, len(table.display.columns))]]
            table.display_note = (f"The last {TREND_YEARS_SHOWN} years are shown; the earlier {hidden} are in "
                                  "tables/trend_by_year.csv and the trend_by_year sheet of trends.xlsx.")  # fmt: skip
        if table.name == "review_queue" and len(table.display) > queue_rows:
            table.display_note = (f"The first {queue_rows} of {len(table.display):,} cases are shown; the full queue is in "
                                  "tables/review_queue.csv and the review_queue sheet of trends.xlsx.")  # fmt: skip
            table.display = table.display.head(queue_rows)
