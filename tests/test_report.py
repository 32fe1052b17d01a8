"""The report stage: tables recomputed independently, edge cases, injection safety, outputs and CLI."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import OPSI_DEV, require
from openpyxl import load_workbook
from scipy.stats import binomtest
from typer.testing import CliRunner

from facet_classifier.cli import app
from facet_classifier.errors import UserError
from facet_classifier.reporting import build_report, tables
from facet_classifier.reporting.load import load_report_data
from facet_classifier.reporting.render import md_cell, sheet_names
from facet_classifier.reporting.wording import plural, points_phrase
from facet_classifier.taxonomy import load_taxonomy

runner = CliRunner()
TAXONOMY = load_taxonomy()
FACETS = TAXONOMY.axes["facet"].label_ids
TRENDS = TAXONOMY.axes["trend"].label_ids
HYPERLINK = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"
TEXT = "The agency moved a paper procedure online so residents can apply in minutes rather than queue at an office."

# case_id, year, primary facet, second facet, trends, country, region, level
CASES = [
    ("c01", 2020, "enhancement", "adaptive", ["digital-foundations", "ai-and-data"], "FRA", "Europe & Central Asia", "national"),
    ("c02", 2020, "enhancement", "mission", ["digital-foundations"], "DEU", "Europe & Central Asia", "national"),
    ("c03", 2020, "adaptive", "anticipatory", ["crisis-resilience"], "FRA;DEU", "Europe & Central Asia", "regional"),
    ("c04", 2020, "anticipatory", "enhancement", [], "EU", "Europe & Central Asia", "supranational"),
    ("c05", 2022, "enhancement", "adaptive", ["ai-and-data", "seamless-services"], "KEN", "Sub-Saharan Africa", "local"),
    ("c06", 2022, "enhancement", "adaptive", ["ai-and-data"], "KEN", "Sub-Saharan Africa", "national"),
    ("c07", 2022, "adaptive", "enhancement", ["crisis-resilience", "ai-and-data"], "CHL", "Latin America & Caribbean", "national"),
    ("c08", 2022, "anticipatory", "mission", ["futures-youth"], None, None, None),
    ("c09", 2022, "enhancement", "anticipatory", ["ai-and-data"], "JPN", "East Asia & Pacific", "local"),
    ("c10", None, "enhancement", "adaptive", ["digital-foundations"], "FRA", "Europe & Central Asia", "national"),
    ("c11", 2022, "enhancement", "adaptive", ["ai-and-data"], "JPN", "East Asia & Pacific", "local"),  # resubmission of c09
]  # fmt: skip
NAMES = {"FRA": "France", "DEU": "Germany", "FRA;DEU": "France; Germany", "EU": "European Union", "KEN": "Kenya",
         "CHL": "Chile", "JPN": "Japan"}  # fmt: skip


def predictions_frame() -> pd.DataFrame:
    """Eleven hand-made prediction rows: two years with cases, a case without a year, a duplicate,
    a multi-country case, a missing country, no mission-oriented primary facet, and hostile titles."""
    rows = []
    for case_id, year, primary, second, trends, country, region, level in CASES:
        row = {"case_id": case_id, "model_id": "m-test", "facet_primary": primary, "facet_labels": [primary, second],
               "facet_confidence": 0.8}  # fmt: skip
        for facet in FACETS:
            row[f"p_facet_{facet}"] = 0.8 if facet == primary else 0.5 if facet == second else 0.1
        row.update({"trend_primary": trends[0] if trends else None, "trend_labels": trends, "trend_confidence": 0.7})
        for i, trend in enumerate(TRENDS):
            row[f"p_trend_{trend}"] = round(0.6 + 0.01 * int(case_id[1:]), 4) if trend in trends else 0.05 + 0.001 * i
        row.update({"needs_review": False, "review_reason": None, "evidence": "", "title": f"Case {case_id}",
                    "year": year, "country": country, "country_name": NAMES.get(country), "region": region,
                    "level_of_government": level, "organisation": "Agency", "sector": "Health", "language": "en",
                    "duplicate_of": None, "text": f"{TEXT} Case {case_id} uses digital tools."})  # fmt: skip
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["year"] = frame["year"].astype("Int64")
    at = frame.set_index("case_id").index.get_loc
    frame.loc[at("c05"), ["title", "facet_confidence", "needs_review", "review_reason"]] = [
        HYPERLINK, 0.41, True, "low confidence (0.41); near tie between facets enhancement and adaptive"]
    frame.loc[at("c05"), "p_trend_ai-and-data"] = 0.99
    frame.loc[at("c07"), ["title", "needs_review", "review_reason"]] = [SCRIPT, True, "very short (12 tokens)"]
    frame.loc[at("c07"), "p_trend_crisis-resilience"] = 0.97
    frame.loc[at("c06"), "text"] = "<script>alert(2)</script> " + TEXT
    frame.loc[at("c08"), ["facet_confidence", "needs_review", "review_reason"]] = [0.35, True, "low confidence (0.35)"]
    frame.loc[at("c09"), "title"] = "Pipes | and\nnewlines <b>bold</b>"
    frame.loc[at("c11"), "duplicate_of"] = "c09"
    return frame


def write_predictions(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif path.suffix == ".csv":
        flat = frame.copy()
        for column in ("facet_labels", "trend_labels"):
            flat[column] = flat[column].map(";".join)
        flat.to_csv(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("report")
    frame = predictions_frame()
    path = write_predictions(frame, folder / "predictions.parquet")
    result = build_report(path, folder / "out")
    return result, folder / "out", frame


def table(outdir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(outdir / "tables" / f"{name}.csv", encoding="utf-8-sig", keep_default_na=True)


def counted(frame: pd.DataFrame) -> pd.DataFrame:
    """What the report should count: no resubmissions."""
    return frame[frame["duplicate_of"].isna()]


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval written out, to check the library call against."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


# ------------------------------------------------------------------------- numbers recomputed
def test_facet_by_year_matches_an_independent_pandas_count(built) -> None:
    _result, outdir, frame = built
    got = table(outdir, "facet_by_year")
    cases = counted(frame).dropna(subset=["year"])
    years = range(int(cases["year"].min()), int(cases["year"].max()) + 1)
    expected = (cases.groupby(["year", "facet_primary"]).size().unstack(fill_value=0)
                .reindex(index=years, columns=FACETS, fill_value=0))  # fmt: skip
    totals = expected.sum(axis=1)
    assert sorted(got["year"].unique()) == list(years)
    assert len(got) == len(years) * len(FACETS)
    for row in got.itertuples():
        n, total = expected.at[row.year, row.facet], totals[row.year]
        assert row.n_cases == n and row.year_cases == total
        if total == 0:  # 2021 has no cases: shares undefined, not 0
            assert math.isnan(row.share) and math.isnan(row.share_ci_low) and math.isnan(row.change_pts)
            continue
        assert row.share == pytest.approx(n / total, abs=1e-6)
        ci = binomtest(int(n), int(total)).proportion_ci(method="wilson")
        assert (row.share_ci_low, row.share_ci_high) == pytest.approx((ci.low, ci.high), abs=1e-6)
        assert (row.share_ci_low, row.share_ci_high) == pytest.approx(wilson(int(n), int(total)), abs=1e-6)
        previous = row.year - 1
        if previous in expected.index and totals[previous] > 0:
            change = (n / total - expected.at[previous, row.facet] / totals[previous]) * 100
            assert row.change_pts == pytest.approx(change, abs=1e-3)
        else:
            assert math.isnan(row.change_pts)
    # mission has no cases at all and still has its rows, at 0 %
    mission = got[(got["facet"] == "mission") & (got["year_cases"] > 0)]
    assert (mission["n_cases"] == 0).all() and (mission["share"] == 0).all()


def test_trend_by_year_counts_a_case_once_per_trend_label(built) -> None:
    _result, outdir, frame = built
    got = table(outdir, "trend_by_year").set_index(["year", "trend"])
    cases = counted(frame).dropna(subset=["year"]).explode("trend_labels").dropna(subset=["trend_labels"])
    expected = cases.groupby(["year", "trend_labels"]).size()
    totals = counted(frame).dropna(subset=["year"]).groupby("year").size()
    for (year, trend), n in expected.items():
        assert got.at[(year, trend), "n_cases"] == n
        assert got.at[(year, trend), "share"] == pytest.approx(n / totals[year], abs=1e-6)
    assert got.loc[got.index.get_level_values("trend") == "green-transition", "n_cases"].sum() == 0
    assert got.loc[(2022, "ai-and-data"), "rank"] == 1
    assert math.isnan(got.loc[(2022, "ai-and-data"), "change_pts"])  # 2021 has no cases: no change from it
    assert not got["fastest_rising"].any() and not got["fastest_falling"].any()


def test_fastest_rising_and_falling_trends(tmp_path: Path) -> None:
    frame = predictions_frame()
    frame["year"] = frame["year"].replace({2022: 2021})
    data = load_report_data(write_predictions(frame, tmp_path / "p.parquet"))
    got = tables.trend_by_year(data).frame.set_index(["year", "trend"])
    # 2020 -> 2021: ai-and-data 1/4 -> 4/5 (+55 points), digital-foundations 2/4 -> 0/5 (-50 points)
    assert got.loc[(2021, "ai-and-data"), "change_pts"] == pytest.approx(55.0)
    assert got.loc[got["fastest_rising"]].index.tolist() == [(2021, "ai-and-data")]
    assert got.loc[got["fastest_falling"]].index.tolist() == [(2021, "digital-foundations")]


def test_compare_defaults_to_the_last_two_years_with_cases(built) -> None:
    result, outdir, frame = built
    got = table(outdir, "compare_years").set_index(["axis", "label"])
    assert set(got["first_year"]) == {2020} and set(got["second_year"]) == {2022}
    cases = counted(frame)
    for facet in FACETS:
        first = (cases[cases["year"] == 2020]["facet_primary"] == facet).mean()
        second = (cases[cases["year"] == 2022]["facet_primary"] == facet).mean()
        assert got.at[("facet", facet), "share_first"] == pytest.approx(first, abs=1e-6)
        assert got.at[("facet", facet), "change_pts"] == pytest.approx((second - first) * 100, abs=1e-3)
    assert got.at[("trend", "ai-and-data"), "n_second"] == 4
    assert got.at[("trend", "ai-and-data"), "share_first"] == pytest.approx(0.25)
    findings = " ".join(result["key_findings"])
    assert "In 2022, 60 % of cases were enhancement-oriented (3 cases), 10 points more than in 2020 (50 %)." in findings
    assert "“AI, data and machine-readable government” rose the most, from 25 % to 80 % of cases (+55 points)" in findings


def test_compare_two_chosen_years_and_years_range_with_empty_years(tmp_path: Path) -> None:
    path = write_predictions(predictions_frame(), tmp_path / "p.parquet")
    result = build_report(path, tmp_path / "out", years=(2019, 2022), compare=(2022, 2020))
    facet = table(tmp_path / "out", "facet_by_year")
    assert sorted(facet["year"].unique()) == [2019, 2020, 2021, 2022]
    empty = facet[facet["year"].isin([2019, 2021])]
    assert (empty["n_cases"] == 0).all() and empty["share"].isna().all()
    notes = " ".join(result["warnings"])
    assert "no cases in 2019 and 2021" in notes and "undefined shares" in notes
    assert "1 case without a year is left out because --years restricts the report to 2019-2022" in notes
    compare = table(tmp_path / "out", "compare_years").set_index(["axis", "label"])
    assert compare.at[("facet", "enhancement"), "first_year"] == 2022
    assert compare.at[("facet", "enhancement"), "change_pts"] == pytest.approx((0.5 - 0.6) * 100, abs=1e-3)
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["compare"] == [2022, 2020]


def test_years_filter_that_leaves_nothing_is_a_user_error(tmp_path: Path) -> None:
    path = write_predictions(predictions_frame(), tmp_path / "p.parquet")
    with pytest.raises(UserError, match=r"no cases left after --years 2030-2031 \(the predictions cover 2020-2022\)"):
        build_report(path, tmp_path / "out", years=(2030, 2031))


def test_duplicates_are_excluded_and_counted(built) -> None:
    result, outdir, _frame = built
    assert "1 case is a resubmission of another case (duplicate_of is set) and left out of all counts" in result["warnings"]
    overview = dict(table(outdir, "overview")[["item", "value"]].values)
    assert overview["resubmissions left out (duplicate_of set)"] == "1"
    assert overview["cases in the report"] == "10"
    assert "c11" not in set(table(outdir, "exemplars")["case_id"])
    assert "1 case has no year and is left out of the year tables" in " ".join(result["warnings"])


def test_groups_count_multi_country_cases_for_each_country(built) -> None:
    _result, outdir, frame = built
    country = table(outdir, "facet_by_country")
    cases = counted(frame)
    codes = cases["country"].dropna().str.split(";").explode()
    assert dict(country.groupby("country")["group_cases"].first()) == dict(codes.value_counts())
    assert country.loc[country["country"] == "EU", "country_name"].iat[0] == "European Union"
    assert country.loc[country["country"] == "DEU", "country_name"].iat[0] == "Germany"
    region = table(outdir, "facet_by_region")
    assert region.groupby("region")["group_cases"].first()["(not stated)"] == 1
    level = table(outdir, "facet_by_level")
    assert list(dict.fromkeys(level["level_of_government"])) == ["supranational", "national", "regional", "local", "(not stated)"]
    cross = table(outdir, "facet_trend").set_index(["facet", "trend"])
    exploded = cases.explode("trend_labels").dropna(subset=["trend_labels"])
    expected = exploded.groupby(["facet_primary", "trend_labels"]).size()
    for (facet, trend), n in expected.items():
        assert cross.at[(facet, trend), "n_cases"] == n
    assert cross["n_cases"].sum() == len(exploded)


def test_kind_of_change_from_the_two_strongest_facets(built) -> None:
    _result, outdir, _frame = built
    change = table(outdir, "change_overall").set_index("change")["n_cases"].to_dict()
    # c01 c05 c06 c07 c10 optimising; c02 sustaining; c03 disruptive; c08 transformative; c04 c09 mixed
    assert change == {"sustaining": 1, "transformative": 1, "disruptive": 1, "optimising": 5,
                      "mixed (enhancement + anticipatory)": 2, "mixed (mission + adaptive)": 0}  # fmt: skip
    by_year = table(outdir, "change_by_year")
    assert by_year.loc[(by_year["year"] == 2022) & (by_year["change"] == "optimising"), "n_cases"].iat[0] == 3


def test_review_queue_splits_reasons_and_groups_them_by_kind(built) -> None:
    _result, outdir, _frame = built
    reasons = table(outdir, "review_reasons").set_index("reason")["n_cases"].to_dict()
    assert reasons == {"low confidence": 2, "near tie between facets enhancement and adaptive": 1, "very short": 1}
    queue = table(outdir, "review_queue")
    assert list(queue["case_id"]) == ["c08", "c05", "c07"]  # least confident first


def test_exemplars_and_distinctive_terms(built) -> None:
    _result, outdir, _frame = built
    exemplars = table(outdir, "exemplars")
    ai = exemplars[exemplars["trend"] == "ai-and-data"]
    assert ai["case_id"].iloc[0] == "c05" and list(ai["rank"]) == list(range(1, len(ai) + 1))
    terms = table(outdir, "distinctive_terms")
    assert {"z_score", "log_odds_ratio", "significant", "n_in_trend"} <= set(terms.columns)
    assert (terms["z_score"] > 0).all()


# ------------------------------------------------------------------------------- edge cases
def test_no_years_no_countries_no_probabilities(tmp_path: Path) -> None:
    frame = predictions_frame().drop(columns=["year", "country", "country_name", "region", "level_of_government"])
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("p_facet_")])
    result = build_report(write_predictions(frame, tmp_path / "p.jsonl"), tmp_path / "out")
    notes = " ".join(result["warnings"])
    assert "no case has a year" in notes and "no country tables" in notes and "no portfolio diamond" in notes
    assert not (tmp_path / "out" / "tables" / "facet_by_year.csv").exists()
    assert "The report covers 10 cases; no case has a year." in result["key_findings"]
    assert (tmp_path / "out" / "trends.html").exists()


def test_a_single_year(tmp_path: Path) -> None:
    frame = predictions_frame()
    frame["year"] = pd.array([2024] * len(frame), dtype="Int64")
    result = build_report(write_predictions(frame, tmp_path / "p.parquet"), tmp_path / "out")
    facet = table(tmp_path / "out", "facet_by_year")
    assert set(facet["year"]) == {2024} and facet["change_pts"].isna().all()
    assert "only one year has cases (2024), so there is no year comparison" in result["warnings"]
    assert (tmp_path / "out" / "figures" / "facet_share_by_year.png").exists()


def _tables_of(path: Path) -> dict[str, pd.DataFrame]:
    data = load_report_data(path)
    found = [tables.facet_by_year(data), tables.trend_by_year(data), tables.facet_trend(data),
             *tables.country_tables(data, 10), *tables.review_tables(data), tables.exemplars(data, 3)]  # fmt: skip
    found += tables.change_tables(data, tables.kind_of_change(data))
    return {t.name: t.frame for t in found}


def test_csv_and_jsonl_predictions_give_the_same_tables(tmp_path: Path) -> None:
    frame = predictions_frame()
    reference = _tables_of(write_predictions(frame, tmp_path / "p.parquet"))
    for suffix in (".csv", ".jsonl"):
        other = _tables_of(write_predictions(frame, tmp_path / f"p{suffix}"))
        for name, expected in reference.items():
            pd.testing.assert_frame_equal(other[name], expected, check_dtype=False, obj=f"{suffix} {name}")


def test_cases_file_supplies_missing_metadata(tmp_path: Path) -> None:
    frame = predictions_frame()
    cases = frame[["case_id", "country", "country_name", "region"]].copy()
    path = write_predictions(frame.drop(columns=["country", "country_name", "region"]).assign(region=None), tmp_path / "p.parquet")
    cases.to_parquet(tmp_path / "cases.parquet")
    cases.iloc[:1].to_parquet(tmp_path / "partial.parquet")  # only c01
    joined = load_report_data(path, cases=tmp_path / "cases.parquet").cases.set_index("case_id")
    assert joined.at["c05", "country"] == "KEN" and joined.at["c01", "region"] == "Europe & Central Asia"
    partial = load_report_data(path, cases=tmp_path / "partial.parquet")
    assert "10 cases of the predictions are not in partial.parquet" in " ".join(partial.notes)
    # the predictions' own values win over the case table's; only their missing values are filled
    own = write_predictions(frame, tmp_path / "own.parquet")
    cases.assign(country="XXX").to_parquet(tmp_path / "other.parquet")
    filled = load_report_data(own, cases=tmp_path / "other.parquet").cases.set_index("case_id")["country"]
    assert filled["c01"] == "FRA" and filled["c08"] == "XXX"


# --------------------------------------------------------------------------------- injection
def test_formula_titles_are_neutralised_in_csv_and_xlsx(built) -> None:
    _result, outdir, _frame = built
    queue = table(outdir, "review_queue")
    assert queue.loc[queue["case_id"] == "c05", "title"].iat[0] == "'" + HYPERLINK
    workbook = load_workbook(outdir / "trends.xlsx")
    found = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    assert cell.value == "'" + HYPERLINK and cell.data_type == "s"
                    found += 1
    assert found >= 2  # exemplars and review queue


def test_script_titles_are_escaped_in_html_and_markdown(built) -> None:
    _result, outdir, _frame = built
    html = (outdir / "trends.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;script&gt;alert(2)" in html
    assert "<b>bold</b>" not in html
    markdown = (outdir / "trends.md").read_text(encoding="utf-8")
    assert "<script>alert" not in markdown and "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert "Pipes \\| and newlines &lt;b&gt;bold&lt;/b&gt;" in markdown


def test_markdown_cells_escape_pipes_newlines_and_tags() -> None:
    assert md_cell("a | b\nc\r\nd <i>") == "a \\| b c d &lt;i&gt;"


# --------------------------------------------------------------------------------- outputs
def test_workbook_has_one_formatted_sheet_per_table(built) -> None:
    result, outdir, _frame = built
    csv_tables = sorted(p.stem for p in (outdir / "tables").glob("*.csv"))
    workbook = load_workbook(outdir / "trends.xlsx")
    assert sorted(workbook.sheetnames) == csv_tables
    sheet = workbook["facet_by_year"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    header = [c.value for c in sheet[1]]
    share = sheet.cell(row=2, column=header.index("share") + 1)
    assert share.number_format == "0.0%" and isinstance(share.value, float)
    assert sheet.column_dimensions["A"].width >= 6
    assert {f"{name}.csv" for name in csv_tables} <= set(result["files"])


def test_sheet_names_are_short_and_unique() -> None:
    names = sheet_names(["a" * 40, "a" * 40, "A" * 35, "bad/name?"])
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == 4
    assert names[3] == "bad_name_"


def test_figures_exist_as_png_and_svg(built) -> None:
    _result, outdir, _frame = built
    for name in ("facet_share_by_year", "trend_share_by_year", "facet_trend_heatmap", "portfolio_diamond", "change_by_year"):
        png, svg = outdir / "figures" / f"{name}.png", outdir / "figures" / f"{name}.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert "<svg" in svg.read_text(encoding="utf-8")[:2000], name


def test_html_is_self_contained(built) -> None:
    _result, outdir, _frame = built
    html = (outdir / "trends.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "<link" not in html
    assert html.count('src="data:image/png;base64,') == 5


def test_markdown_links_figures_and_tables_relatively(built) -> None:
    _result, outdir, _frame = built
    markdown = (outdir / "trends.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)]+)\)", markdown):
        assert not target.startswith(("/", "http")) and (outdir / target).exists(), target
    assert not re.search(r"\b1 (cases|countries|points|years)\b", markdown)


def test_wording_helpers() -> None:
    assert plural(1, "case") == "1 case" and plural(2, "country") == "2 countries" and plural(12000, "case") == "12,000 cases"
    assert points_phrase(3, "2024") == "3 points more than in 2024"
    assert points_phrase(-1, "2024") == "1 point less than in 2024"
    assert points_phrase(0, "2024") == "the same share as in 2024"


# ------------------------------------------------------------------------------------- CLI
def test_cli_report_writes_the_same_outputs_as_the_library(built) -> None:
    """Also the determinism check: the same input gives byte-identical tables, documents and figures."""
    _result, outdir, _frame = built
    again = outdir.parent / "again"
    result = runner.invoke(app, ["report", str(outdir.parent / "predictions.parquet"), "-o", str(again), "-q"])
    assert result.exit_code == 0, result.output
    assert "In 2022, 60 % of cases were enhancement-oriented" in result.output
    assert "note: 1 case is a resubmission of another case" in result.output
    produced = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert produced == sorted(p.relative_to(outdir) for p in outdir.rglob("*") if p.is_file())
    for relative in produced:
        if relative.suffix in (".csv", ".md", ".html", ".svg", ".png"):
            assert (again / relative).read_bytes() == (outdir / relative).read_bytes(), relative


@pytest.mark.parametrize("kind", ["missing", "not-predictions", "extension", "damaged"])
def test_cli_report_bad_input_is_one_error_line(tmp_path: Path, kind: str) -> None:
    path = {"missing": tmp_path / "nope.parquet", "not-predictions": tmp_path / "cases.csv",
            "extension": tmp_path / "p.txt", "damaged": tmp_path / "p.parquet"}[kind]  # fmt: skip
    if kind == "not-predictions":
        path.write_text("case_id,text\n1,hello\n")
    elif kind in ("extension", "damaged"):
        path.write_bytes(b"not a table")
    result = runner.invoke(app, ["report", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert not (tmp_path / "out").exists()


def test_report_on_the_shared_opsi_labels(tmp_path: Path) -> None:
    """The OPSI dev set's human labels read as predictions: no years, countries or probabilities."""
    path = require(OPSI_DEV)
    result = build_report(path, tmp_path)
    gold = pd.read_json(path, lines=True)
    facet_trend = table(tmp_path, "facet_trend")
    counts = facet_trend.groupby("facet")["facet_cases"].first()
    assert counts.to_dict() == {f: int((gold["facet_primary"] == f).sum()) for f in FACETS}
    assert any("no case has a year" in w for w in result["warnings"])
    assert facet_trend["n_cases"].sum() == gold["trend_labels"].map(lambda ls: len(set(ls))).sum()
