"""The report command's library function: predictions in, tables, figures and documents out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from facet_classifier.errors import UserError
from facet_classifier.fileio import write_json_atomic
from facet_classifier.progress import QUIET, Reporter
from facet_classifier.reporting import figures as fig
from facet_classifier.reporting import findings as say
from facet_classifier.reporting import tables as tab
from facet_classifier.reporting.display import attach_views
from facet_classifier.reporting.load import load_report_data
from facet_classifier.reporting.model import ReportData, Table
from facet_classifier.reporting.render import FigureOut, Section, sheet_names, write_csv_tables, write_documents, write_workbook
from facet_classifier.reporting.terms import STATISTIC, distinctive_terms
from facet_classifier.reporting.wording import capitalise, plural

QUEUE_ROWS_SHOWN = 50
FIGURE_NAMES = ("facet_share_by_year", "trend_share_by_year", "facet_trend_heatmap", "portfolio_diamond", "change_by_year")
TABLE_NAMES = ("overview", "facet_by_year", "trend_by_year", "compare_years", "facet_trend", "change_overall", "change_by_year",
               "facet_by_region", "trend_by_region", "facet_by_country", "trend_by_country", "facet_by_level", "trend_by_level",
               "exemplars", "distinctive_terms", "review_reasons", "review_queue")  # fmt: skip


# ------------------------------------------------------------------------------------- tables
def resolve_compare(data: ReportData, compare: tuple[int, int] | None, warnings: list[str]) -> tuple[int, int] | None:
    """The two years to compare: as asked, else the last two years with cases (None if there are not two)."""
    if not data.years:
        if compare:
            warnings.append("--compare is ignored: no case has a year")
        return None
    if compare is None:
        pair = tab.default_compare(data)
        if pair is None:
            only = sorted(set(data.dated["year"].astype(int)))
            warnings.append(f"only one year has cases ({only[0]}), so there is no year comparison" if only else
                            "no year has cases, so there is no year comparison")  # fmt: skip
        return pair
    counted = set(data.dated["year"].astype(int))
    for year in compare:
        if year not in counted:
            warnings.append(f"--compare: no cases in {year}, so its shares are undefined")
    return compare


def compute_tables(data: ReportData, top: int, pair: tuple[int, int] | None, reporter: Reporter) -> dict[str, Table]:
    """Every table the data allow, in report order."""
    steps: list[tuple[str, Any]] = [("overview", lambda: [tab.overview(data)])]
    if data.years:
        steps.append(("facets and trends by year", lambda: [tab.facet_by_year(data), tab.trend_by_year(data)]))
    if pair:
        steps.append(("year comparison", lambda: [tab.compare_years(data, pair)]))
    steps.append(("facet x trend", lambda: [tab.facet_trend(data)]))
    per_case = tab.kind_of_change(data)
    if per_case is not None:
        steps.append(("kinds of change", lambda: tab.change_tables(data, per_case)))
    if data.has("region"):
        steps.append(("regions", lambda: tab.region_tables(data)))
    if data.has("country"):
        steps.append(("countries", lambda: tab.country_tables(data, top)))
    if data.has("level_of_government"):
        steps.append(("levels of government", lambda: tab.level_tables(data)))
    steps.append(("exemplars", lambda: [tab.exemplars(data, top)]))
    steps.append(("distinctive terms", lambda: [t for t in [distinctive_terms(data, top)] if t is not None]))
    steps.append(("review queue", lambda: tab.review_tables(data)))
    tables: dict[str, Table] = {}
    for _description, step in reporter.track(steps, "Computing tables", total=len(steps)):
        for table in step():
            tables[table.name] = table
    return tables


def missing_metadata_notes(data: ReportData) -> list[str]:
    notes = []
    for column, what in (("region", "region"), ("country", "country"), ("level_of_government", "level of government")):
        if not data.has(column):
            notes.append(f"no case has a {what}, so the report has no {what} tables")
    if not (data.has("text") or data.has("title")):
        notes.append("the cases carry no text, so the report has no distinctive terms")
    if tab.kind_of_change(data) is None:
        notes.append("the facet probabilities (p_facet_*) or the taxonomy's kinds of change are missing, "
                     "so the report has no kinds of change and no portfolio diamond")  # fmt: skip
    return notes


# ------------------------------------------------------------------------------------ figures
def draw_figures(data: ReportData, tables: dict[str, Table], folder: Path, warnings: list[str],
                 reporter: Reporter) -> dict[str, FigureOut]:  # fmt: skip
    out: dict[str, FigureOut] = {}

    def keep(name: str, figure: Any, title: str, caption: str) -> None:
        paths = fig.save_figure(figure, folder, name)
        out[name] = FigureOut(name=name, title=title, caption=caption, png=paths["png"], svg=paths["svg"])

    reporter.info("Drawing figures")
    if "facet_by_year" in tables:
        keep("facet_share_by_year",
             fig.stacked_shares(tables["facet_by_year"].frame, "facet", data.facets, data.facet_names, data.years,
                                "Primary facet: share of each year's cases", "primary facet"),
             "Primary facet by year", "Share of each year's cases by primary facet (stacked to 100 %); n under each "
             "year is the number of cases with that year.")  # fmt: skip
    if "trend_by_year" in tables and data.trends:
        keep("trend_share_by_year", fig.trend_multiples(tables["trend_by_year"].frame, data.trends, data.trend_names, data.years),
             "Trend categories over time", "Share of each year's cases carrying each trend category, one panel per "
             "category on a common scale; gaps are years without cases.")  # fmt: skip
    if "change_by_year" in tables:
        order = list(dict.fromkeys(tables["change_by_year"].frame["change"]))
        keep("change_by_year",
             fig.stacked_shares(tables["change_by_year"].frame, "change", order, {}, data.years,
                                "Kind of change: share of each year's cases", "kind of change"),
             "Kind of change by year", "Share of each year's cases by the kind of change named by their two strongest facets.")  # fmt: skip
    if "facet_trend" in tables and data.trends:
        keep("facet_trend_heatmap", fig.facet_trend_heatmap(tables["facet_trend"].frame, data), "Facets x trends",
             "For each primary facet (column), the share of its cases that carry each trend category; the number "
             "in brackets is the number of cases.")  # fmt: skip
    vertices = fig.diamond_vertices(data)
    if vertices is None:
        warnings.append("the taxonomy gives no diamond position for every facet, so there is no portfolio diamond")
    else:
        points, left_out = fig.diamond_positions(data, vertices)
        if left_out and len(points):
            warnings.append(f"{plural(left_out, 'case')} without facet probabilities {'is' if left_out == 1 else 'are'} "
                            "left out of the portfolio diamond")  # fmt: skip
        if len(points):
            keep("portfolio_diamond", fig.portfolio_diamond(data, vertices, points), "Portfolio diamond",
                 "Each case sits at the probability-weighted average of the four facet vertices (weights = its facet "
                 "probabilities, normalised to sum to 1); colour shows how many cases fall in each hexagon, the cross "
                 "marks the portfolio's mean position, and the kinds of change are named on the edges between "
                 "neighbouring facets.")  # fmt: skip
    return out


# ----------------------------------------------------------------------------------- findings
def key_findings(data: ReportData, tables: dict[str, Table]) -> list[str]:
    sentences = [say.coverage_sentence(len(data.cases), int(tab.country_groups(data).nunique()),
                                       list(data.dated["year"].astype(int)), len(data.dated))]  # fmt: skip
    if "compare_years" in tables:
        sentences += say.facet_year_sentences(tables["compare_years"], data.facet_names)
        sentences += say.trend_year_sentences(tables["compare_years"], data.trend_names)
    optional = [
        say.overall_facet_sentence(data.cases["facet_primary"].dropna(), data.facet_names),
        say.change_sentence(tables["change_overall"]) if "change_overall" in tables else None,
        say.country_sentence(tables.get("facet_by_country")),
        say.review_sentence(tables["review_reasons"], len(data.cases), int(data.cases["needs_review"].sum())),
    ]
    return [capitalise(s) for s in [*sentences, *optional] if s]


# ----------------------------------------------------------------------------------- sections
def method_paragraphs(data: ReportData) -> list[str]:
    return [
        "Counting: every case counts once, by its primary facet, in the facet tables; in the trend tables a case "
        "counts once for each of its trend labels, so trend shares can add up to more than 100 %. Resubmissions "
        "(duplicate_of set) are left out of all counts.",
        "Share: the number of cases with the label divided by the number of cases in the year (or region, country, "
        "level). A year with no cases has undefined shares (shown as –), never 0 %.",
        "Change in points: the share in a year minus the share in the previous calendar year, times 100; undefined "
        "for the first year and next to a year without cases.",
        "95 % interval: the Wilson score interval for a binomial proportion (scipy.stats.binomtest(...)."
        "proportion_ci(method='wilson')), which stays inside 0-100 % and behaves for small counts.",
        "Kind of change: from the two facets with the highest facet probabilities (ties keep the taxonomy order); "
        "neighbouring facets on the diamond name sustaining, transformative, disruptive or optimising change; the "
        "two non-neighbouring pairs are counted as 'mixed (a + b)'.",
        f"Distinctive terms: {STATISTIC}.",
        "Percentages in the key findings are rounded to whole numbers and point changes there are differences of the "
        "rounded percentages; the tables keep exact values.",
        f"Labels come from the model {', '.join(data.model_ids) or '(not stated)'}; they are predictions, not human "
        "judgements, and the review queue lists the cases a person should check first.",
    ]


def assemble_sections(data: ReportData, tables: dict[str, Table], figures: dict[str, FigureOut], top: int) -> list[Section]:
    def pick(*names: str) -> list[Table]:
        return [tables[n] for n in names if n in tables]

    def figs(*names: str) -> list[FigureOut]:
        return [figures[n] for n in names if n in figures]

    plan = [
        Section("overview", "Overview", tables=pick("overview")),
        Section("facets-by-year", "Primary facets by year", figures=figs("facet_share_by_year"), tables=pick("facet_by_year")),
        Section("trends-by-year", "Trend categories by year",
                ["▲ marks the trend that rose the most from the previous year, ▼ the one that fell the most."],
                figs("trend_share_by_year"), pick("trend_by_year")),
        Section("comparison", "Year comparison", tables=pick("compare_years")),
        Section("facets-and-trends", "Facets and trends", figures=figs("facet_trend_heatmap"), tables=pick("facet_trend")),
        Section("diamond", "Portfolio diamond and kinds of change", [tab.CHANGE_NOTE],
                figs("portfolio_diamond", "change_by_year"), pick("change_overall", "change_by_year")),
        Section("regions", "By region", tables=pick("facet_by_region", "trend_by_region")),
        Section("countries", "By country", tables=pick("facet_by_country", "trend_by_country")),
        Section("levels", "By level of government", tables=pick("facet_by_level", "trend_by_level")),
        Section("exemplars", "Exemplar cases", tables=pick("exemplars")),
        Section("terms", "Distinctive terms", tables=pick("distinctive_terms")),
        Section("review", "Review queue", tables=pick("review_reasons", "review_queue")),
        Section("method", "Method and definitions", method_paragraphs(data)),
    ]  # fmt: skip
    return [s for s in plan if s.tables or s.figures or s.id == "method"]


def title_and_subtitle(data: ReportData) -> tuple[str, str]:
    span = f", {data.years[0]}–{data.years[-1]}" if data.years else ""
    title = f"Trends in government innovation: {plural(len(data.cases), 'classified case')}{span}"
    subtitle = f"From {Path(data.source).name}; model {', '.join(data.model_ids) or '(not stated)'}."
    return title, subtitle


# -------------------------------------------------------------------------------------- files
def remove_stale(outdir: Path, written: dict[str, Path]) -> None:
    """Delete report files of an earlier run that this run did not produce (only names this module writes)."""
    kept = {p.resolve() for p in written.values()}
    candidates = [outdir / "tables" / f"{n}.csv" for n in TABLE_NAMES]
    candidates += [outdir / "figures" / f"{n}.{ext}" for n in FIGURE_NAMES for ext in ("png", "svg")]
    for path in candidates:
        if path.exists() and path.resolve() not in kept:
            path.unlink()


def build_report(
    predictions: Path,
    outdir: Path,
    *,
    cases: Path | None = None,
    years: tuple[int, int] | None = None,
    compare: tuple[int, int] | None = None,
    top: int = 10,
    taxonomy_path: Path | None = None,
    reporter: Reporter = QUIET,
) -> dict:
    """Write the trend report for `predictions` into `outdir`.

    Returns {"outdir": str, "files": {name: path}, "key_findings": [sentences], "warnings": [strings]}.
    """
    if top < 1:
        raise UserError("--top must be at least 1")
    if years is not None and years[0] > years[1]:
        raise UserError(f"--years: {years[0]} comes after {years[1]}")
    if compare is not None and compare[0] == compare[1]:
        raise UserError(f"--compare needs two different years, got {compare[0]} twice")
    outdir = Path(outdir)
    data = load_report_data(Path(predictions), cases=cases, years=years, taxonomy_path=taxonomy_path, reporter=reporter)
    warnings = [*data.notes, *missing_metadata_notes(data)]
    pair = resolve_compare(data, compare, warnings)
    tables = compute_tables(data, top, pair, reporter)
    figures = draw_figures(data, tables, outdir / "figures", warnings, reporter)
    findings = key_findings(data, tables)
    attach_views(list(tables.values()), data, max(QUEUE_ROWS_SHOWN, top))
    for table, sheet in zip(tables.values(), sheet_names(list(tables))):
        table.sheet = sheet

    reporter.info("Writing tables, trends.xlsx, trends.md and trends.html")
    files: dict[str, Path] = {f"{name}.csv": path for name, path in write_csv_tables(list(tables.values()), outdir / "tables").items()}
    for figure in figures.values():
        files[figure.png.name], files[figure.svg.name] = figure.png, figure.svg
    write_workbook(list(tables.values()), outdir / "trends.xlsx")
    files["trends.xlsx"] = outdir / "trends.xlsx"
    title, subtitle = title_and_subtitle(data)
    context = {"title": title, "subtitle": subtitle, "findings": findings, "notes": [capitalise(w) for w in warnings],
               "sections": assemble_sections(data, tables, figures, top)}  # fmt: skip
    files.update(write_documents(context, outdir))
    files["summary.json"] = outdir / "summary.json"
    result = {
        "outdir": str(outdir),
        "files": {name: str(path) for name, path in files.items()},
        "key_findings": findings,
        "warnings": warnings,
    }
    write_json_atomic(files["summary.json"], {**result, "counts": data.counts, "compare": list(pair) if pair else None})
    remove_stale(outdir, files)
    return result
