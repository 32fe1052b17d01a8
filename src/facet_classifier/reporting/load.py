"""Read predictions (and optionally the case table), normalise columns, drop duplicates, filter years.

Everything the report later counts comes out of `load_report_data` as a `ReportData`, so no table
function needs to know which file format the predictions came in.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from facet_classifier.errors import UserError
from facet_classifier.progress import QUIET, Reporter
from facet_classifier.reporting.model import ReportData
from facet_classifier.reporting.wording import join_words, plural, verb, year_list
from facet_classifier.taxonomy import load_taxonomy

READABLE_SUFFIXES = (".parquet", ".csv", ".jsonl")
# Case metadata that --cases may supply (the DESIGN.md case contract, minus bookkeeping columns).
CASE_METADATA = ["title", "text", "year", "country", "country_name", "region", "level_of_government",
                 "organisation", "sector", "language", "duplicate_of"]  # fmt: skip
TEXT_COLUMNS = ["title", "text", "country", "country_name", "region", "level_of_government", "organisation",
                "sector", "language", "duplicate_of", "review_reason", "model_id", "evidence"]  # fmt: skip
_TRUE = {"true", "1", "yes", "y", "t"}


# ------------------------------------------------------------------------------------------ reading
def read_frame(path: Path, what: str) -> pd.DataFrame:
    """A .parquet, .csv or .jsonl file as a DataFrame; UserError for anything unreadable."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{what} file not found: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a folder; give the {what} file (.parquet, .csv or .jsonl)")
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise UserError(f"cannot read {what} from {path}: use a .parquet, .csv or .jsonl file")
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
        return pd.read_json(path, lines=True, dtype=False)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {what} from {path}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc
    except Exception as exc:  # pyarrow raises its own error types for damaged files
        raise UserError(f"cannot read {what} from {path}: not a valid {suffix[1:]} file ({type(exc).__name__})") from exc


def read_predictions(path: Path) -> pd.DataFrame:
    frame = read_frame(path, "predictions")
    if "facet_primary" not in frame.columns:
        raise UserError(f"{path} is not a predictions file: it has no facet_primary column "
                        "(make one with `facet-classifier classify`)")  # fmt: skip
    if frame.empty:
        raise UserError(f"{path} holds no predictions (0 rows)")
    return frame


# ------------------------------------------------------------------------------------ normalising
def as_label_list(value: Any) -> list[str]:
    """A label cell (list, array, ';'-joined string or missing) as a list of distinct label ids."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(";")
    elif isinstance(value, (list, tuple, np.ndarray)):
        parts = [str(v) for v in value if v is not None]
    elif isinstance(value, float) and math.isnan(value):
        return []
    else:
        parts = [str(value)]
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


def _clean_text(series: pd.Series) -> pd.Series:
    """Strings with surrounding space removed; empty strings become missing."""
    text = series.astype("string").str.strip()
    return text.mask(text == "")


def _normalise_years(frame: pd.DataFrame, notes: list[str]) -> pd.Series:
    if "year" not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    raw = frame["year"]
    numbers = pd.to_numeric(raw, errors="coerce")
    whole = numbers.where(numbers.notna() & (numbers % 1 == 0))
    unusable = int((raw.notna() & whole.isna()).sum())
    if unusable:
        notes.append(f"{plural(unusable, 'case')} {verb(unusable, 'has')} a year that is not a whole number; "
                     f"{'it is' if unusable == 1 else 'they are'} treated as having no year")  # fmt: skip
    return whole.astype("Int64")


def _normalise_review(frame: pd.DataFrame) -> pd.Series:
    if "needs_review" not in frame.columns:
        return pd.Series(False, index=frame.index)
    column = frame["needs_review"]
    if pd.api.types.is_bool_dtype(column):
        return column.fillna(False).astype(bool)
    return column.map(lambda v: str(v).strip().lower() in _TRUE if v is not None and v == v else False).astype(bool)


def normalise(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Consistent types whatever the file format: ids as str, label lists, Int64 year, bool review flag."""
    out = frame.copy()
    if "case_id" not in out.columns:
        notes.append("the predictions have no case_id column; rows are numbered instead")
        out["case_id"] = [str(i + 1) for i in range(len(out))]
    out["case_id"] = out["case_id"].astype("string").str.strip()
    out["facet_primary"] = _clean_text(out["facet_primary"])
    for axis in ("facet", "trend"):
        column = f"{axis}_labels"
        out[column] = out[column].map(as_label_list) if column in out.columns else [[] for _ in range(len(out))]
    # a case's primary facet is always one of its facets
    out["facet_labels"] = [labels if (p is pd.NA or p in labels) else [p, *labels]
                           for p, labels in zip(out["facet_primary"], out["facet_labels"])]  # fmt: skip
    for column in out.columns:
        if column.startswith("p_") or column.endswith("_confidence"):
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    for column in TEXT_COLUMNS:
        if column in out.columns:
            out[column] = _clean_text(out[column])
    out["year"] = _normalise_years(out, notes)
    out["needs_review"] = _normalise_review(out)
    return out


def join_cases(predictions: pd.DataFrame, cases_path: Path, notes: list[str]) -> pd.DataFrame:
    """Fill metadata the predictions lack from the case table (predictions' own values win)."""
    cases = read_frame(cases_path, "cases")
    if "case_id" not in cases.columns:
        raise UserError(f"{cases_path} has no case_id column, so it cannot be joined to the predictions")
    columns = [c for c in CASE_METADATA if c in cases.columns]
    cases = cases[["case_id", *columns]].copy()
    cases["case_id"] = cases["case_id"].astype("string").str.strip()
    cases = cases.drop_duplicates("case_id", keep="first").set_index("case_id")
    out = predictions.copy()
    ids = out["case_id"].astype("string").str.strip()
    matched = ids.isin(cases.index)
    for column in columns:
        supplied = ids.map(cases[column]).set_axis(out.index)
        if column in out.columns:
            own = out[column].astype(object)
            out[column] = own.where(own.notna(), supplied.astype(object))
        else:
            out[column] = supplied.astype(object)
    missing = int((~matched).sum())
    if missing:
        notes.append(f"{plural(missing, 'case')} of the predictions {verb(missing, 'is')} not in {cases_path.name}, "
                     "so only the predictions' own metadata is used for them")  # fmt: skip
    return out


def drop_duplicates(frame: pd.DataFrame, notes: list[str], counts: dict[str, int]) -> pd.DataFrame:
    """Leave out resubmissions (duplicate_of set) and repeated case ids, and say how many."""
    repeated = frame["case_id"].duplicated(keep="first")
    if repeated.any():
        n = int(repeated.sum())
        notes.append(f"{plural(n, 'row')} repeated a case_id already seen and {verb(n, 'was')} left out")
    frame = frame[~repeated]
    if "duplicate_of" in frame.columns:
        resubmitted = frame["duplicate_of"].notna()
    else:
        resubmitted = pd.Series(False, index=frame.index)
    n = int(resubmitted.sum())
    counts["duplicates_excluded"] = n
    if n:
        notes.append(f"{plural(n, 'case')} {verb(n, 'is')} a resubmission of another case (duplicate_of is set) "
                     "and left out of all counts")  # fmt: skip
    return frame[~resubmitted]


def filter_years(frame: pd.DataFrame, years: tuple[int, int] | None, notes: list[str],
                 counts: dict[str, int]) -> tuple[pd.DataFrame, list[int]]:  # fmt: skip
    """Restrict to the --years range; return the cases and every year the year tables show."""
    undated = int(frame["year"].isna().sum())
    counts["without_year"] = undated
    if years is None:
        dated = frame["year"].dropna()
        if undated and len(dated):
            notes.append(f"{plural(undated, 'case')} {verb(undated, 'has')} no year and {verb(undated, 'is')} left out "
                         "of the year tables (but counted in the other tables)")  # fmt: skip
        elif undated:
            notes.append("no case has a year, so the report has no year tables, year figures or year comparison")
        span = list(range(int(dated.min()), int(dated.max()) + 1)) if len(dated) else []
        return frame, span
    first, last = years
    inside = frame["year"].between(first, last).fillna(False).astype(bool)
    outside = int((frame["year"].notna() & ~inside).sum())
    counts["outside_years"] = outside
    if not inside.any():
        have = frame["year"].dropna()
        span = f"the predictions cover {int(have.min())}-{int(have.max())}" if len(have) else "no case has a year"
        raise UserError(f"no cases left after --years {first}-{last} ({span})")
    if outside:
        notes.append(f"{plural(outside, 'case')} from outside {first}-{last} {verb(outside, 'is')} left out")
    if undated:
        notes.append(f"{plural(undated, 'case')} without a year {verb(undated, 'is')} left out because --years restricts the report to {first}-{last}")
    return frame[inside], list(range(first, last + 1))


def _label_order(known: list[str], seen: set[str], axis: str, notes: list[str]) -> list[str]:
    extra = sorted(seen - set(known))
    if extra and known:
        notes.append(f"{axis} labels not in the taxonomy are reported as they are: {join_words(extra)}")
    return [*known, *extra]


def _axis_ids(taxonomy: Any, name: str) -> tuple[list[str], dict[str, str], Any]:
    axis = taxonomy.axes.get(name)
    if axis is None:
        return [], {}, None
    return axis.label_ids, {label.id: label.display_name for label in axis.labels}, axis


def load_report_data(predictions: Path, *, cases: Path | None = None, years: tuple[int, int] | None = None,
                     taxonomy_path: Path | None = None, reporter: Reporter = QUIET) -> ReportData:  # fmt: skip
    """The cases a report covers, with the taxonomy's label order and notes on everything left out."""
    notes: list[str] = []
    counts: dict[str, int] = {}
    taxonomy = load_taxonomy(taxonomy_path)
    frame = read_predictions(Path(predictions))
    reporter.info(f"Read {plural(len(frame), 'prediction')} from {predictions}")
    counts["rows_read"] = len(frame)
    if cases is not None:
        frame = join_cases(frame, Path(cases), notes)
    frame = normalise(frame, notes)
    frame = drop_duplicates(frame, notes, counts)
    if frame.empty:
        raise UserError(f"{predictions}: every case is a duplicate; nothing to report")
    frame, span = filter_years(frame, years, notes, counts)
    frame = frame.sort_values("case_id", kind="stable").reset_index(drop=True)
    counts["cases"] = len(frame)

    facets, facet_names, facet_axis = _axis_ids(taxonomy, "facet")
    trends, trend_names, _ = _axis_ids(taxonomy, "trend")
    facets = _label_order(facets, set(frame["facet_primary"].dropna()) | set(frame["facet_labels"].explode().dropna()), "facet", notes)
    trends = _label_order(trends, set(frame["trend_labels"].explode().dropna()), "trend", notes)
    missing_primary = int(frame["facet_primary"].isna().sum())
    if missing_primary:
        notes.append(f"{plural(missing_primary, 'case')} {verb(missing_primary, 'has')} no primary facet "
                     f"and {verb(missing_primary, 'is')} counted in no facet")  # fmt: skip
    for label in facets:
        facet_names.setdefault(label, label)
    for label in trends:
        trend_names.setdefault(label, label)
    if span:
        counted = set(frame["year"].dropna().astype(int))
        empty = [y for y in span if y not in counted]
        if empty:
            notes.append(f"no cases in {year_list(empty)}: {'that year is' if len(empty) == 1 else 'those years are'} "
                         "shown with 0 cases and undefined shares (–), not 0 %")  # fmt: skip
    model_ids = sorted(set(frame["model_id"].dropna())) if "model_id" in frame.columns else []
    if len(model_ids) > 1:
        notes.append(f"the predictions come from {len(model_ids)} different models: {join_words(model_ids)}")
    return ReportData(
        cases=frame,
        facets=facets,
        facet_names={f: facet_names[f] for f in facets},
        trends=trends,
        trend_names={t: trend_names[t] for t in trends},
        years=span,
        facet_axis=facet_axis,
        source=str(predictions),
        model_ids=model_ids,
        notes=notes,
        counts=counts,
        year_filter=years,
    )
