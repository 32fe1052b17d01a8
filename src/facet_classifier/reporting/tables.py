"""The report's tables, each a long-form DataFrame computed with vectorised pandas.

Shares are fractions (0-1); changes are in percentage points (share difference x 100). A year
with no cases keeps its rows with n_cases = 0 and undefined (NaN) shares, never 0 / 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from facet_classifier.reporting.model import NOT_STATED, ReportData, Table
from facet_classifier.reporting.stats import wilson_interval
from facet_classifier.reporting.wording import plural

LEVEL_ORDER = ["supranational", "national", "regional", "local"]
EXCERPT_CHARACTERS = 240


# --------------------------------------------------------------------------------- shared helpers
def exploded_labels(cases: pd.DataFrame, column: str) -> pd.Series:
    """One entry per (case, label), indexed by the case's row label (load.normalise made labels distinct)."""
    return cases[column].explode().dropna().astype(str)


def _share(n: pd.Series, total: pd.Series) -> pd.Series:
    """n / total, undefined (NaN) where total is 0."""
    return (n / total.where(total > 0)).astype(float)


def _year_grid(years: list[int], labels: list[str], label_column: str) -> pd.MultiIndex:
    return pd.MultiIndex.from_product([years, labels], names=["year", label_column])


def label_shares_by_year(data: ReportData, labels: pd.Series, order: list[str], label_column: str) -> pd.DataFrame:
    """n_cases, year_cases, share, Wilson interval and change in points for every year x label."""
    dated = data.dated
    year_cases = dated.groupby("year").size().reindex(data.years, fill_value=0)
    labelled = pd.DataFrame({"year": dated["year"].reindex(labels.index), label_column: labels.values}).dropna(subset=["year"])
    counts = labelled.groupby(["year", label_column]).size()
    frame = counts.reindex(_year_grid(data.years, order, label_column), fill_value=0).rename("n_cases").reset_index()
    frame["year"] = frame["year"].astype(int)
    frame["year_cases"] = frame["year"].map(year_cases).astype(int)
    frame["share"] = _share(frame["n_cases"], frame["year_cases"])
    low, high = wilson_interval(frame["n_cases"].to_numpy(), frame["year_cases"].to_numpy())
    frame["share_ci_low"], frame["share_ci_high"] = low, high
    # the years form a consecutive range, so the previous row of the same label is the previous year
    frame = frame.sort_values([label_column, "year"], kind="stable")
    frame["change_pts"] = frame.groupby(label_column, sort=False)["share"].diff() * 100
    order_index = {label: i for i, label in enumerate(order)}
    return frame.sort_values(["year", label_column], key=lambda s: s.map(order_index) if s.name == label_column else s,
                             kind="stable").reset_index(drop=True)  # fmt: skip


def _round(frame: pd.DataFrame) -> pd.DataFrame:
    """Round floats so output files do not carry binary noise (shares to 6 decimals, points to 4)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype.kind == "f":
            out[column] = out[column].round(4 if column.endswith("_pts") or column.startswith(("z_", "log_")) else 6)
    return out


# --------------------------------------------------------------------------------------- by year
def facet_by_year(data: ReportData) -> Table:
    primary = data.cases["facet_primary"].dropna()
    frame = label_shares_by_year(data, primary, data.facets, "facet")
    frame.insert(2, "facet_name", frame["facet"].map(data.facet_names))
    return Table(
        name="facet_by_year",
        title="Primary facet by year",
        frame=_round(frame),
        description="Share of each year's cases whose primary facet is the facet, with a 95 % Wilson interval "
        "and the change in percentage points from the previous year.",
        percent=("share", "share_ci_low", "share_ci_high"),
        points=("change_pts",),
    )


def _flag_extremes(frame: pd.DataFrame) -> pd.DataFrame:
    by_year = frame.groupby("year")["change_pts"]
    top, bottom = by_year.transform("max"), by_year.transform("min")
    frame["fastest_rising"] = (frame["change_pts"] == top) & (top > 0)
    frame["fastest_falling"] = (frame["change_pts"] == bottom) & (bottom < 0)
    return frame


def trend_by_year(data: ReportData) -> Table:
    labels = exploded_labels(data.cases, "trend_labels")
    frame = label_shares_by_year(data, labels, data.trends, "trend")
    frame.insert(2, "trend_name", frame["trend"].map(data.trend_names))
    rank = frame.groupby("year")["n_cases"].rank(method="min", ascending=False)
    frame["rank"] = rank.where(frame["year_cases"] > 0).astype("Int64")
    frame = _flag_extremes(frame)
    return Table(
        name="trend_by_year",
        title="Trend categories by year",
        frame=_round(frame),
        description="Share of each year's cases that carry the trend category (a case counts once for each of its "
        "trend labels, so shares add up to more than 100 %), its rank in the year, and the fastest rising and falling "
        "category from the previous year.",
        percent=("share", "share_ci_low", "share_ci_high"),
        points=("change_pts",),
    )


# ------------------------------------------------------------------------------ facet x trend
def facet_trend(data: ReportData) -> Table:
    cases = data.cases
    labels = exploded_labels(cases, "trend_labels")
    pairs = pd.DataFrame({"facet": cases["facet_primary"].reindex(labels.index).values, "trend": labels.values}).dropna()
    grid = pd.MultiIndex.from_product([data.facets, data.trends], names=["facet", "trend"])
    frame = pairs.groupby(["facet", "trend"]).size().reindex(grid, fill_value=0).rename("n_cases").reset_index()
    facet_cases = cases["facet_primary"].value_counts()
    trend_cases = labels.value_counts()
    frame["facet_cases"] = frame["facet"].map(facet_cases).fillna(0).astype(int)
    frame["trend_cases"] = frame["trend"].map(trend_cases).fillna(0).astype(int)
    frame["share_of_facet"] = _share(frame["n_cases"], frame["facet_cases"])
    frame["share_of_trend"] = _share(frame["n_cases"], frame["trend_cases"])
    frame.insert(1, "facet_name", frame["facet"].map(data.facet_names))
    frame.insert(3, "trend_name", frame["trend"].map(data.trend_names))
    return Table(
        name="facet_trend",
        title="Primary facet x trend category",
        frame=_round(frame),
        description="Cases by primary facet and trend category: share_of_facet is the share of the facet's cases "
        "that carry the trend; share_of_trend the share of the trend's cases that have the facet as primary facet.",
        percent=("share_of_facet", "share_of_trend"),
    )


# ------------------------------------------------------------------------------------ by group
def _ordered_groups(groups: pd.Series, preferred: list[str] | None = None) -> list[str]:
    counts = groups.value_counts()
    present = sorted(counts.index, key=lambda g: (g == NOT_STATED, -counts[g], str(g)))
    if preferred:
        present = [g for g in preferred if g in counts.index] + [g for g in present if g not in preferred]
        present = [g for g in present if g != NOT_STATED] + ([NOT_STATED] if NOT_STATED in counts.index else [])
    return present


def region_groups(data: ReportData) -> pd.Series:
    column = data.cases["region"] if "region" in data.cases else pd.Series(pd.NA, index=data.cases.index)
    return column.astype(object).where(column.notna(), NOT_STATED).astype(str)


def level_groups(data: ReportData) -> pd.Series:
    column = data.cases["level_of_government"] if "level_of_government" in data.cases else pd.Series(pd.NA, index=data.cases.index)
    return column.astype(object).where(column.notna(), NOT_STATED).astype(str)


def country_groups(data: ReportData) -> pd.Series:
    """One entry per (case, listed country code); cases listing several countries count for each."""
    if "country" not in data.cases:
        return pd.Series([], dtype=str)
    codes = data.cases["country"].dropna().astype(str).str.split(";").explode().str.strip()
    return codes[codes != ""]


def country_names(data: ReportData) -> dict[str, str]:
    """Country code -> display name, from the predictions' own country_name where they line up."""
    names: dict[str, str] = {"EU": "European Union"}
    if "country" in data.cases and "country_name" in data.cases:
        both = data.cases[["country", "country_name"]].dropna().drop_duplicates()
        for codes, labels in zip(both["country"], both["country_name"]):
            code_list = [c.strip() for c in str(codes).split(";")]
            name_list = [n.strip() for n in str(labels).split(";")]
            if len(code_list) == len(name_list):
                for code, name in zip(code_list, name_list):
                    names.setdefault(code, name)
    return names


def _fallback_country_name(code: str) -> str:
    try:
        import pycountry

        found = pycountry.countries.get(alpha_3=code)
    except (ImportError, LookupError, KeyError):
        found = None
    return getattr(found, "name", code) if found else code


def group_label_shares(groups: pd.Series, labels: pd.Series, group_order: list[str], label_order: list[str],
                       group_column: str, label_column: str) -> pd.DataFrame:  # fmt: skip
    """n_cases, group_cases and share for every group x label (groups and labels may repeat per case)."""
    group_cases = groups.groupby(groups).size()
    pairs = pd.merge(groups.rename(group_column).to_frame(), labels.rename(label_column).to_frame(),
                     left_index=True, right_index=True)  # fmt: skip
    grid = pd.MultiIndex.from_product([group_order, label_order], names=[group_column, label_column])
    frame = pairs.groupby([group_column, label_column]).size().reindex(grid, fill_value=0).rename("n_cases").reset_index()
    frame["group_cases"] = frame[group_column].map(group_cases).fillna(0).astype(int)
    frame["share"] = _share(frame["n_cases"], frame["group_cases"])
    return frame


def _group_tables(data: ReportData, key: str, title: str, groups: pd.Series, order: list[str], note: str) -> list[Table]:
    tables = []
    primary = data.cases["facet_primary"].dropna()
    trends = exploded_labels(data.cases, "trend_labels")
    for axis, labels, label_order, names in (("facet", primary, data.facets, data.facet_names),
                                             ("trend", trends, data.trends, data.trend_names)):  # fmt: skip
        frame = group_label_shares(groups, labels, order, label_order, key, axis)
        frame.insert(frame.columns.get_loc(axis) + 1, f"{axis}_name", frame[axis].map(names))
        what = "primary facet" if axis == "facet" else "trend category (a case counts once for each of its trend labels)"
        tables.append(Table(
            name=f"{axis}_by_{key if key != 'level_of_government' else 'level'}",
            title=f"{'Primary facets' if axis == 'facet' else 'Trend categories'} by {title}",
            frame=_round(frame),
            description=f"Share of the {title}'s cases by {what}.",
            notes=[note] if note else [],
            percent=("share",),
        ))  # fmt: skip
    return tables


def region_tables(data: ReportData) -> list[Table]:
    groups = region_groups(data)
    missing = int((groups == NOT_STATED).sum())
    note = f"{plural(missing, 'case')} without a region {'is' if missing == 1 else 'are'} shown as {NOT_STATED}." if missing else ""
    return _group_tables(data, "region", "region", groups, _ordered_groups(groups), note)


def level_tables(data: ReportData) -> list[Table]:
    groups = level_groups(data)
    missing = int((groups == NOT_STATED).sum())
    note = f"{plural(missing, 'case')} without a level of government {'is' if missing == 1 else 'are'} shown as {NOT_STATED}." if missing else ""
    return _group_tables(data, "level_of_government", "level of government", groups, _ordered_groups(groups, LEVEL_ORDER), note)


def country_tables(data: ReportData, top: int) -> list[Table]:
    groups = country_groups(data)
    counts = groups.value_counts()
    order = sorted(counts.index, key=lambda c: (-counts[c], c))[:top]
    notes = ["A case that names several countries counts once for each of them, so the country columns add up "
             "to more than the number of cases."]  # fmt: skip
    multi = int(data.cases["country"].astype(str).str.contains(";").sum()) if "country" in data.cases else 0
    if multi:
        notes.append(f"{plural(multi, 'case')} {'names' if multi == 1 else 'name'} several countries.")
    missing = int(data.cases["country"].isna().sum()) if "country" in data.cases else len(data.cases)
    if missing:
        notes.append(f"{plural(missing, 'case')} without a country {'is' if missing == 1 else 'are'} left out of these tables.")
    if len(counts) > top:
        notes.append(f"Only the {top} countries with the most cases are shown (of {len(counts)}).")
    tables = _group_tables(data, "country", "country", groups[groups.isin(order)], order, "")
    names = country_names(data)
    for table in tables:
        table.notes = notes
        table.frame.insert(1, "country_name", table.frame["country"].map(lambda c: names.get(c) or _fallback_country_name(c)))
        table.title = table.title.replace("by country", f"by country (top {min(top, len(counts))})")
    return tables


# ------------------------------------------------------------------------------- kinds of change
def change_names(data: ReportData) -> dict[frozenset[str], str]:
    changes = getattr(data.facet_axis, "changes", ()) or ()
    return {frozenset(c["facets"]): f"{c['name']}" for c in changes}


def change_order(data: ReportData) -> list[str]:
    named = list(dict.fromkeys(change_names(data).values()))
    mixed = []
    for i, a in enumerate(data.facets):
        for b in data.facets[i + 1 :]:
            if frozenset((a, b)) not in change_names(data):
                mixed.append(mixed_label(a, b))
    return [*named, *mixed]


def mixed_label(a: str, b: str) -> str:
    return f"mixed ({a} + {b})"


def kind_of_change(data: ReportData) -> pd.DataFrame | None:
    """Per case: its two strongest facets (by p_facet_*) and the kind of change they name.

    Ties keep the taxonomy's facet order. Pairs that are not neighbours on the diamond are
    'mixed (a + b)'. None when the probabilities or the taxonomy's changes are missing.
    """
    columns = [f"p_facet_{f}" for f in data.facets]
    if not change_names(data) or any(c not in data.cases for c in columns) or len(columns) < 2:
        return None
    probabilities = data.cases[columns].fillna(0.0).to_numpy()
    order = np.argsort(-probabilities, axis=1, kind="stable")[:, :2]
    first, second = order[:, 0], order[:, 1]
    position = {f: i for i, f in enumerate(data.facets)}
    names = change_names(data)
    lookup = {}
    for i, a in enumerate(data.facets):
        for j, b in enumerate(data.facets):
            if i != j:
                x, y = sorted((a, b), key=position.get)
                lookup[(i, j)] = names.get(frozenset((a, b)), mixed_label(x, y))
    change = [lookup[(i, j)] for i, j in zip(first, second)]
    facets = np.array(data.facets, dtype=object)
    out = pd.DataFrame({"case_id": data.cases["case_id"].values, "year": data.cases["year"].values,
                        "first_facet": facets[first], "second_facet": facets[second], "change": change},
                       index=data.cases.index)  # fmt: skip
    no_signal = probabilities.max(axis=1) <= 0
    out.loc[no_signal, "change"] = "(no facet probabilities)"
    return out


CHANGE_NOTE = ("The kind of change comes from each case's two strongest facets by facet probability: neighbouring "
               "facets on the diamond name a kind of change (the taxonomy's changes); the two non-neighbouring pairs are "
               "not a kind of change on the diamond and are counted as 'mixed (a + b)'.")  # fmt: skip


def change_tables(data: ReportData, per_case: pd.DataFrame) -> list[Table]:
    order = change_order(data)
    extra = sorted(set(per_case["change"]) - set(order))
    order = [*order, *extra]
    pairs = {v: " + ".join(sorted(k, key=data.facets.index)) for k, v in change_names(data).items()}
    overall = per_case["change"].value_counts().reindex(order, fill_value=0).rename("n_cases").rename_axis("change").reset_index()
    overall.insert(1, "facets", overall["change"].map(lambda c: pairs.get(c, c[len("mixed (") : -1] if c.startswith("mixed (") else "")))
    overall["share"] = _share(overall["n_cases"], pd.Series(len(per_case), index=overall.index))
    tables = [Table(name="change_overall", title="Kind of change", frame=_round(overall),
                    description="Cases by the kind of change named by their two strongest facets.",
                    notes=[CHANGE_NOTE], percent=("share",))]  # fmt: skip
    if data.years:
        changes = per_case.loc[per_case["year"].notna(), "change"]
        frame = label_shares_by_year(data, changes, order, "change")
        frame = frame.drop(columns=["share_ci_low", "share_ci_high"])
        tables.append(Table(name="change_by_year", title="Kind of change by year", frame=_round(frame),
                            description="Share of each year's cases by kind of change, with the change in points "
                            "from the previous year.", notes=[CHANGE_NOTE], percent=("share",), points=("change_pts",)))  # fmt: skip
    return tables


# ------------------------------------------------------------------------------------- exemplars
def excerpt(text: object, limit: int = EXCERPT_CHARACTERS) -> str:
    if not isinstance(text, str) or not text:
        return ""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def exemplars(data: ReportData, top: int) -> Table:
    cases = data.cases
    labels = exploded_labels(cases, "trend_labels")
    rows = cases.loc[labels.index]
    probability = np.full(len(labels), np.nan)
    for trend in data.trends:
        column = f"p_trend_{trend}"
        if column in cases:
            mask = (labels == trend).to_numpy()
            probability[mask] = rows[column].to_numpy(dtype=float)[mask]
    frame = pd.DataFrame({
        "trend": labels.values,
        "case_id": rows["case_id"].values,
        "title": rows["title"].values if "title" in rows else pd.NA,
        "country": rows["country"].values if "country" in rows else pd.NA,
        "year": rows["year"].values,
        "facet": rows["facet_primary"].values,
        "trend_probability": probability,
        "facet_confidence": rows["facet_confidence"].values if "facet_confidence" in rows else np.nan,
        "text": rows["text"].values if "text" in rows else "",
    })  # fmt: skip
    trend_position = {t: i for i, t in enumerate(data.trends)}
    frame["_order"] = frame["trend"].map(trend_position)
    frame = frame.sort_values(["_order", "trend_probability", "case_id"], ascending=[True, False, True], kind="stable",
                              na_position="last").groupby("trend", sort=False).head(top)  # fmt: skip
    frame.insert(1, "rank", frame.groupby("trend", sort=False).cumcount() + 1)
    frame.insert(1, "trend_name", frame["trend"].map(data.trend_names))
    frame["excerpt"] = frame.pop("text").map(excerpt)  # only for the chosen few, not every case
    frame = frame.drop(columns="_order").reset_index(drop=True)
    return Table(
        name="exemplars",
        title=f"Exemplar cases per trend (top {top})",
        frame=_round(frame),
        description="The cases the model is most confident carry each trend category (highest trend probability; "
        "ties by case id).",
        percent=(),
    )


# ----------------------------------------------------------------------------------- review queue
def review_tables(data: ReportData) -> list[Table]:
    cases = data.cases
    flagged = cases[cases["needs_review"]]
    reasons_text = flagged["review_reason"] if "review_reason" in flagged else pd.Series(pd.NA, index=flagged.index)
    reasons = reasons_text.fillna("(no reason given)").astype(str).str.split(";").explode().str.strip()
    reasons = reasons[reasons != ""]
    kinds = reasons.str.split(" (", n=1, regex=False).str[0].str.strip()
    pairs = pd.DataFrame({"case": kinds.index, "reason": kinds.values}).drop_duplicates()
    counts = pairs.groupby("reason").size().rename("n_cases").reset_index()
    counts = counts.sort_values(["n_cases", "reason"], ascending=[False, True], kind="stable").reset_index(drop=True)
    counts["share_of_flagged"] = _share(counts["n_cases"], pd.Series(len(flagged), index=counts.index))
    counts["share_of_all"] = _share(counts["n_cases"], pd.Series(len(cases), index=counts.index))
    reasons_table = Table(name="review_reasons", title="Why cases need review", frame=_round(counts),
                          description=f"{plural(len(flagged), 'case')} of {len(cases):,} need a person's review. A case can "
                          "have several reasons; reasons are grouped by their kind (the text before ' (').",
                          percent=("share_of_flagged", "share_of_all"))  # fmt: skip
    queue = pd.DataFrame({
        "case_id": flagged["case_id"].values,
        "title": flagged["title"].values if "title" in flagged else pd.NA,
        "year": flagged["year"].values,
        "country": flagged["country"].values if "country" in flagged else pd.NA,
        "facet": flagged["facet_primary"].values,
        "facet_confidence": flagged["facet_confidence"].values if "facet_confidence" in flagged else np.nan,
        "reasons": reasons_text.values,
    })  # fmt: skip
    queue = queue.sort_values(["facet_confidence", "case_id"], kind="stable", na_position="last").reset_index(drop=True)
    queue_table = Table(name="review_queue", title="Review queue", frame=_round(queue),
                        description="Every case flagged for review, least confident first.")  # fmt: skip
    return [reasons_table, queue_table]


# ------------------------------------------------------------------------------------- comparison
def default_compare(data: ReportData) -> tuple[int, int] | None:
    """The last two years with cases, or None when fewer than two years have cases."""
    counted = sorted(set(data.dated["year"].astype(int)))
    return (counted[-2], counted[-1]) if len(counted) >= 2 else None


def _compare_axis(data: ReportData, labels: pd.Series, order: list[str], names: dict[str, str], axis: str,
                  pair: tuple[int, int]) -> pd.DataFrame:  # fmt: skip
    dated = data.dated
    first, second = pair
    rows = []
    for year, suffix in ((first, "first"), (second, "second")):
        in_year = dated.index[dated["year"] == year]
        n = labels[labels.index.isin(in_year)].value_counts().reindex(order, fill_value=0)
        rows.append(pd.DataFrame({f"n_{suffix}": n.values, f"cases_{suffix}": len(in_year)}, index=order))
    frame = pd.concat(rows, axis=1).rename_axis("label").reset_index()
    frame["share_first"] = _share(frame["n_first"], frame["cases_first"])
    frame["share_second"] = _share(frame["n_second"], frame["cases_second"])
    frame["change_pts"] = (frame["share_second"] - frame["share_first"]) * 100
    frame.insert(0, "axis", axis)
    frame.insert(2, "label_name", frame["label"].map(names))
    frame.insert(3, "first_year", first)
    frame.insert(4, "second_year", second)
    columns = ["axis", "label", "label_name", "first_year", "n_first", "cases_first", "share_first", "second_year",
               "n_second", "cases_second", "share_second", "change_pts"]  # fmt: skip
    return frame[columns]


def compare_years(data: ReportData, pair: tuple[int, int]) -> Table:
    facets = _compare_axis(data, data.cases["facet_primary"].dropna(), data.facets, data.facet_names, "facet", pair)
    trends = _compare_axis(data, exploded_labels(data.cases, "trend_labels"), data.trends, data.trend_names, "trend", pair)
    frame = pd.concat([facets, trends], ignore_index=True)
    return Table(
        name="compare_years",
        title=f"{pair[0]} compared with {pair[1]}",
        frame=_round(frame),
        description=f"Shares of primary facets and trend categories in {pair[0]} and {pair[1]}, and the change in "
        f"percentage points ({pair[1]} minus {pair[0]}).",
        percent=("share_first", "share_second"),
        points=("change_pts",),
    )


# --------------------------------------------------------------------------------------- overview
def overview(data: ReportData) -> Table:
    cases = data.cases
    counts = data.counts
    countries = country_groups(data).nunique()
    rows = [
        ("predictions file", data.source),
        ("model", ", ".join(data.model_ids) or "(not stated)"),
        ("rows read", counts.get("rows_read", len(cases))),
        ("resubmissions left out (duplicate_of set)", counts.get("duplicates_excluded", 0)),
    ]
    if data.year_filter:
        rows += [("years covered", f"{data.year_filter[0]}-{data.year_filter[1]}"),
                 ("cases outside the years left out", counts.get("outside_years", 0))]  # fmt: skip
    elif data.years:
        rows.append(("years covered", f"{data.years[0]}-{data.years[-1]}"))
    rows += [
        ("cases in the report", len(cases)),
        ("cases without a year", int(cases["year"].isna().sum())),
        ("cases without a country", int(cases["country"].isna().sum()) if "country" in cases else len(cases)),
        ("countries", int(countries)),
        ("cases that need review", int(cases["needs_review"].sum())),
    ]
    frame = pd.DataFrame(rows, columns=["item", "value"])
    frame["value"] = frame["value"].astype(object)
    return Table(name="overview", title="Overview", frame=frame, description="What the report covers.")
