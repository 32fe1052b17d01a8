"""Key findings: the main numbers of the report as sentences a report writer can start from.

Percentages in sentences are whole numbers and a change in points is the difference of the two
rounded percentages shown, so every sentence is consistent with itself; the tables keep the
exact values.
"""

from __future__ import annotations

import pandas as pd

from facet_classifier.reporting.model import Table
from facet_classifier.reporting.wording import capitalise, join_words, percent, plural, points_phrase, whole_percent


def _pct(share: float) -> str:
    """'41 %', or 'under 1 %' for a share that is above 0 but rounds to 0."""
    if share and share > 0 and whole_percent(share) == 0:
        return "under 1 %"
    return percent(share)


def _quoted(name: str) -> str:
    return f"“{name}”"


def _points(later: float, earlier: float) -> int:
    return int(whole_percent(later) - whole_percent(earlier))


def coverage_sentence(cases: int, countries: int, years: list[int], dated: int) -> str:
    where = f" from {plural(countries, 'country')}" if countries else ""
    if not dated:
        return f"The report covers {plural(cases, 'case')}{where}; no case has a year."
    counted = sorted(set(years))
    span = f"in {counted[0]}" if len(counted) == 1 else f"from {counted[0]} to {counted[-1]}"
    return f"The report covers {plural(cases, 'case')}{where}, submitted {span}."


def facet_year_sentences(compare: Table, facet_names: dict[str, str]) -> list[str]:
    """The leading facet of the later year against the earlier year, and the largest facet shift."""
    frame = compare.frame[compare.frame["axis"] == "facet"]
    if frame.empty or frame["share_second"].isna().all() or frame["share_first"].isna().all():
        return []
    first, second = int(frame["first_year"].iat[0]), int(frame["second_year"].iat[0])
    lead = frame.sort_values(["share_second", "label"], ascending=[False, True], kind="stable").iloc[0]
    name = facet_names.get(lead["label"], lead["label"]).lower()
    points = _points(lead["share_second"], lead["share_first"])
    sentences = [f"In {second}, {_pct(lead['share_second'])} of cases were {name} ({plural(int(lead['n_second']), 'case')}), "
                 f"{points_phrase(points, str(first))} ({_pct(lead['share_first'])})."]  # fmt: skip
    shifts = frame.assign(rounded=[abs(_points(b, a)) for a, b in zip(frame["share_first"], frame["share_second"])])
    biggest = shifts.sort_values(["rounded", "label"], ascending=[False, True], kind="stable").iloc[0]
    if biggest["label"] != lead["label"] and biggest["rounded"] > 0:
        change = _points(biggest["share_second"], biggest["share_first"])
        sentences.append(f"The largest shift among facets was {facet_names.get(biggest['label'], biggest['label']).lower()}: "
                         f"{_pct(biggest['share_first'])} of cases in {first}, {_pct(biggest['share_second'])} in {second} "
                         f"({'+' if change > 0 else '-'}{plural(abs(change), 'point')}).")  # fmt: skip
    return sentences


def trend_year_sentences(compare: Table, trend_names: dict[str, str]) -> list[str]:
    """The most common trend of the later year, and the trends that rose and fell the most."""
    frame = compare.frame[compare.frame["axis"] == "trend"]
    if frame.empty or frame["share_second"].isna().all() or frame["share_first"].isna().all():
        return []
    first, second = int(frame["first_year"].iat[0]), int(frame["second_year"].iat[0])
    lead = frame.sort_values(["share_second", "label"], ascending=[False, True], kind="stable").iloc[0]
    sentences = []
    if lead["n_second"] > 0:
        sentences.append(f"{_quoted(trend_names[lead['label']])} was the most common trend category in {second}: "
                         f"{_pct(lead['share_second'])} of cases ({plural(int(lead['n_second']), 'case')}).")  # fmt: skip
    moves = frame.assign(points=[_points(b, a) for a, b in zip(frame["share_first"], frame["share_second"])])
    rise = moves.sort_values(["points", "label"], ascending=[False, True], kind="stable").iloc[0]
    fall = moves.sort_values(["points", "label"], ascending=[True, True], kind="stable").iloc[0]
    parts = []
    if rise["points"] > 0:
        parts.append(f"{_quoted(trend_names[rise['label']])} rose the most, from {_pct(rise['share_first'])} to "
                     f"{_pct(rise['share_second'])} of cases (+{plural(int(rise['points']), 'point')})")  # fmt: skip
    if fall["points"] < 0:
        parts.append(f"{_quoted(trend_names[fall['label']])} fell the most, from {_pct(fall['share_first'])} to {_pct(fall['share_second'])} "
                     f"(-{plural(abs(int(fall['points'])), 'point')})")  # fmt: skip
    if parts:
        sentences.append(f"Between {first} and {second}, " + " and ".join(parts) + ".")
    return sentences


def overall_facet_sentence(primary: pd.Series, facet_names: dict[str, str]) -> str | None:
    counts = primary.value_counts()
    if counts.empty:
        return None
    total = int(counts.sum())
    if total == 1:
        only = counts.index[0]
        return f"The only case is {facet_names.get(only, only).lower()}."
    ordered = sorted(counts.index, key=lambda f: (-counts[f], f))
    parts = [f"{_pct(counts[f] / total)} {facet_names.get(f, f).lower()}" for f in ordered]
    return f"Across all {plural(total, 'case')}, the primary facets were {join_words(parts)}."


def change_sentence(change: Table) -> str | None:
    frame = change.frame[change.frame["n_cases"] > 0]
    if frame.empty:
        return None
    frame = frame.sort_values(["n_cases", "change"], ascending=[False, True], kind="stable")
    top = frame.iloc[0]
    sentence = (f"By their two strongest facets, {_pct(top['share'])} of cases ({plural(int(top['n_cases']), 'case')}) "
                f"point to {top['change']} change" if not str(top["change"]).startswith(("mixed", "(")) else
                f"By their two strongest facets, most cases ({_pct(top['share'])}) combine {top['facets']}, "
                "facets that are not neighbours on the diamond")  # fmt: skip
    if not str(top["change"]).startswith(("mixed", "(")) and top["facets"]:
        sentence += f" ({top['facets']})"
    mixed = frame[frame["change"].str.startswith("mixed")]
    share = mixed["n_cases"].sum() / change.frame["n_cases"].sum()
    if not str(top["change"]).startswith("mixed") and len(mixed):
        sentence += f"; {_pct(share)} mix facets that are not neighbours on the diamond"
    return sentence + "."


def country_sentence(country_table: Table | None) -> str | None:
    if country_table is None or country_table.frame.empty:
        return None
    groups = country_table.frame.groupby("country", sort=False).agg(name=("country_name", "first"), n=("group_cases", "first"))
    top = groups.head(3)
    parts = [f"{row.name} ({row.n:,})" for row in top.itertuples(index=False)]
    return f"Most cases came from {join_words(parts)}."


def review_sentence(reasons: Table, cases: int, flagged: int) -> str:
    if not flagged:
        return "The case does not need review." if cases == 1 else f"None of the {cases:,} cases needs review."
    sentence = f"{flagged:,} of {plural(cases, 'case')} ({_pct(flagged / cases)}) {'needs' if flagged == 1 else 'need'} a person's review"
    if not reasons.frame.empty:
        top = reasons.frame.iloc[0]
        sentence += f"; the most common reason is {top['reason']} ({plural(int(top['n_cases']), 'case')})"
    return capitalise(sentence) + "."
