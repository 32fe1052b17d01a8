"""The command-line interface: parses options, calls the library, prints results. No logic here."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from facet_classifier.errors import UserError
from facet_classifier.progress import Reporter

app = typer.Typer(
    help="Ingest, classify and report public-sector innovation cases by OPSI facet and trend category.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or status lines.")]


def _show_version(value: bool) -> None:
    if value:
        from facet_classifier import __version__

        typer.echo(f"facet-classifier {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Ingest, classify and report public-sector innovation cases by OPSI facet and trend category."""


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def user_errors(func: F) -> F:
    """Turn UserError (and unreadable-file OSErrors) into one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            _fail(str(exc))
        except (OSError, MemoryError) as exc:
            _fail(f"{type(exc).__name__}: {exc}")
        except KeyboardInterrupt:
            typer.echo("interrupted; no partial output files were left behind", err=True)
            raise typer.Exit(code=130) from None

    return wrapper  # type: ignore[return-value]


@app.command()
@user_errors
def ingest(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders or globs of submissions.", show_default=False)],
    outdir: Annotated[Path, typer.Option("--output", "-o", help="Folder for cases.parquet, rejected.csv and ingest_summary.json.")],
    map_: Annotated[list[str] | None, typer.Option("--map", help="Override a column mapping: FIELD=COLUMN (repeatable).")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Read only this sheet of XLSX files.")] = None,
    min_words: Annotated[int, typer.Option("--min-words", help="Reject texts with fewer words.")] = 5,
    near_duplicate_threshold: Annotated[float, typer.Option("--near-duplicate-threshold", help="Word-bigram Jaccard similarity at which two cases count as the same case.")] = 0.9,
    quiet: Quiet = False,
) -> None:
    """Turn submission files into one clean case table where every row is accounted for."""
    from facet_classifier.ingest import ingest as run_ingest
    from facet_classifier.ingest import write_ingest_outputs
    from facet_classifier.ingest.columns import parse_overrides

    reporter = Reporter(quiet=quiet)
    result = run_ingest(
        inputs,
        overrides=parse_overrides(map_ or []),
        sheet=sheet,
        min_words=min_words,
        near_duplicate_threshold=near_duplicate_threshold,
        reporter=reporter,
    )
    paths = write_ingest_outputs(result, outdir)
    s = result.summary
    if not quiet:
        for entry in s["files"]:
            pairs = ", ".join(f"{f} <- {c!r}" for f, c in entry["column_mapping"].items())
            typer.echo(f"{entry['file']} ({entry['format']}, {entry['rows_read']} rows): {pairs}")
    typer.echo(
        f"{s['rows_read']} rows read: {s['accepted']} accepted, {s['duplicates']} duplicates "
        f"({s['exact_duplicates']} exact, {s['near_duplicates']} near), {s['rejected']} rejected"
    )
    for reason, count in s["rejected_by_reason"].items():
        typer.echo(f"  rejected, {reason}: {count}")
    typer.echo(f"wrote {paths['cases']}, {paths['rejected']}, {paths['summary']}")


ModelDir = Annotated[Path | None, typer.Option("--model", "-m", help="Model directory (default: the shipped models/default).")]
TaxonomyFile = Annotated[Path | None, typer.Option("--taxonomy", help="Taxonomy YAML (default: the built-in OPSI facets and trends).")]


def _print_axis_metrics(metrics: dict) -> None:
    for axis, entry in metrics.items():
        labels = entry["labels"]
        line = f"{axis}: label macro-F1 {labels['macro_f1']:.3f}, micro-F1 {labels['micro_f1']:.3f}"
        if entry.get("primary"):
            line += f"; primary accuracy {entry['primary']['accuracy']:.3f}, macro-F1 {entry['primary']['macro_f1']:.3f}"
        typer.echo(line)
        typer.echo(f"  {'label':<28} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
        for label, m in labels["per_label"].items():
            typer.echo(f"  {label:<28} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['support']:>8}")
        if entry.get("primary"):
            matrix = entry["primary"]["confusion_matrix"]
            width = max(len(l) for l in matrix["labels"]) + 1
            typer.echo(f"  primary confusion (rows gold, columns predicted):")
            typer.echo("  " + " " * width + "".join(f"{l[:10]:>11}" for l in matrix["labels"]))
            for gold, row in zip(matrix["labels"], matrix["matrix"]):
                typer.echo(f"  {gold:<{width}}" + "".join(f"{v:>11}" for v in row))


@app.command()
@user_errors
def train(
    labelled: Annotated[list[Path], typer.Argument(help="Labelled case files or folders (any format ingest reads).", show_default=False)],
    outdir: Annotated[Path, typer.Option("--output", "-o", help="Model directory to write.")],
    taxonomy: TaxonomyFile = None,
    axis: Annotated[list[str] | None, typer.Option("--axis", help="Train an axis from a label column: NAME=COLUMN (repeatable).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same data and seed give the same model).")] = 13,
    folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds.")] = 5,
    rare_labels: Annotated[str, typer.Option("--rare-labels", help="Labels with too few examples in data-derived axes: merge (into 'other') or refuse.")] = "merge",
    feature_column: Annotated[list[str] | None, typer.Option("--feature-column", help="Also use this metadata column (case field or submitted column) as a categorical feature (repeatable).")] = None,
    learning_curve: Annotated[bool, typer.Option("--learning-curve", help="Also write how metrics grow with the number of labelled cases (table and PNG).")] = False,
    quiet: Quiet = False,
) -> None:
    """Train a model on labelled cases: cross-validated metrics, model files and model card."""
    from facet_classifier.modeling.card import card_markdown
    from facet_classifier.modeling.store import save_model
    from facet_classifier.modeling.train import train as run_train

    if rare_labels not in ("merge", "refuse"):
        raise UserError("--rare-labels must be 'merge' or 'refuse'")
    reporter = Reporter(quiet=quiet)
    result = run_train(labelled, taxonomy_path=taxonomy, axis_options=axis or [], seed=seed, folds=folds,
                       rare_labels=rare_labels, feature_columns=feature_column or [], name=outdir.name,
                       reporter=reporter)  # fmt: skip
    save_model(result.model, outdir, card_markdown(result.card))
    for note in result.notes:
        typer.echo(f"note: {note}")
    typer.echo(f"cross-validated on {result.card['training_data']['cases']} cases ({result.card['cv_folds']} folds):")
    _print_axis_metrics(result.cv_metrics)
    if learning_curve:
        from facet_classifier.evaluation.learning_curve import learning_curve as run_curve

        curve = run_curve(labelled, outdir, taxonomy_path=taxonomy, axis_options=axis or [], seed=seed, reporter=reporter)
        typer.echo(curve["table"])
        typer.echo(f"wrote {curve['csv']} and {curve['png']}")
    typer.echo(f"wrote model {result.model.card['model_id']} to {outdir}")


@app.command()
@user_errors
def evaluate(
    labelled: Annotated[list[Path], typer.Argument(help="Labelled case files (gold columns <axis>_primary / <axis>_labels).", show_default=False)],
    model_dir: ModelDir = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the metrics as JSON.")] = None,
    quiet: Quiet = False,
) -> None:
    """Score a model against labelled cases: per-label P/R/F1, macro/micro F1, primary confusion."""
    from facet_classifier.evaluation.evaluate import evaluate as run_evaluate
    from facet_classifier.fileio import write_json_atomic
    from facet_classifier.modeling.store import load_model

    model = load_model(model_dir)
    metrics = run_evaluate(labelled, model, Reporter(quiet=quiet))
    typer.echo(f"model {metrics['model_id']} on {metrics['cases']} labelled cases:")
    _print_axis_metrics(metrics["axes"])
    if json_out:
        write_json_atomic(json_out, metrics)
        typer.echo(f"wrote {json_out}")


@app.command()
@user_errors
def classify(
    cases: Annotated[Path, typer.Argument(help="cases.parquet from ingest, or any file ingest reads.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Predictions file: .parquet, .csv or .jsonl.")],
    model_dir: ModelDir = None,
    taxonomy: TaxonomyFile = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Cases per chunk (memory stays flat).")] = 2000,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes (default: 2 for large inputs, else 1).")] = None,
    quiet: Quiet = False,
) -> None:
    """Classify every case by facet and trend, with probabilities, evidence and review flags."""
    from facet_classifier.modeling.classify import classify as run_classify

    if chunk_size < 1:
        raise UserError("--chunk-size must be at least 1")
    summary = run_classify(cases, output, model_dir, taxonomy, chunk_size, jobs, Reporter(quiet=quiet))
    counts = ", ".join(f"{label} {n}" for label, n in summary["primary_counts"].items())
    typer.echo(f"classified {summary['cases']} cases with {summary['model_id']} in {summary['seconds']} s "
               f"({summary['cases_per_second']} cases/s, {summary['workers']} worker(s))")  # fmt: skip
    typer.echo(f"primary {summary['first_axis']}: {counts}")
    typer.echo(f"{summary['needs_review']} cases need review (see needs_review / review_reason)")
    typer.echo(f"wrote {summary['output']}")


@app.command()
@user_errors
def explain(
    text_or_file: Annotated[str, typer.Argument(help="A case description, or a file holding one.", show_default=False)],
    model_dir: ModelDir = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Show the labels of one case and the words and phrases behind them."""
    import json

    from facet_classifier.modeling.explain import explain as run_explain
    from facet_classifier.modeling.explain import read_text_or_file
    from facet_classifier.modeling.store import load_model

    text = read_text_or_file(text_or_file)
    if not text.strip():
        raise UserError("nothing to explain: the text is empty")
    result = run_explain(load_model(model_dir), text)
    if json_out:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    typer.echo(f"model {result['model_id']}; {result['words']} words; language {result['language']}")
    for axis, info in result["axes"].items():
        typer.echo(f"{axis}: primary {info['primary']} (confidence {info['confidence']:.2f}); labels: {', '.join(info['labels']) or '(none)'}")
        for score in info["scores"]:
            if not score["assigned"] and (score["probability"] or 0) < 0.2:
                continue
            mark = "*" if score["assigned"] else " "
            terms = ", ".join(f"{e['term']} (+{e['weight']:.2f})" for e in score["evidence"][:5])
            probability = "n/a" if score["probability"] is None else f"{score['probability']:.2f}"
            typer.echo(f"  {mark} {score['label']:<26} p={probability} (threshold {score['threshold']:.2f})  {terms}")
    if result["seed_phrases"]:
        typer.echo("seed phrases found: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in result["seed_phrases"].items()))
    typer.echo("needs review: " + ("; ".join(result["review_reasons"]) if result["review_reasons"] else "no"))


def _parse_years(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    text = value.strip()
    first, sep, last = text.partition("-")
    try:
        start, end = int(first), int(last) if sep else int(first)
    except ValueError:
        raise UserError(f"--years expects YEAR or FIRST-LAST (e.g. 2019-2025), got {value!r}") from None
    if start > end:
        raise UserError(f"--years: {start} comes after {end}")
    return start, end


@app.command()
@user_errors
def report(
    predictions: Annotated[Path, typer.Argument(help="Predictions from classify (.parquet, .csv or .jsonl).", show_default=False)],
    outdir: Annotated[Path, typer.Option("--output", "-o", help="Report folder (tables/, figures/, trends.md/.html/.xlsx).")],
    cases: Annotated[Path | None, typer.Option("--cases", help="cases.parquet to join on case_id for metadata the predictions lack.")] = None,
    years: Annotated[str | None, typer.Option("--years", help="Years to cover, e.g. 2019-2025.")] = None,
    compare: Annotated[tuple[int, int] | None, typer.Option("--compare", help="Two years to compare, e.g. --compare 2024 2025.")] = None,
    top: Annotated[int, typer.Option("--top", help="Top-N countries, exemplars and terms per table.")] = 10,
    taxonomy: TaxonomyFile = None,
    quiet: Quiet = False,
) -> None:
    """Trend tables, figures and a written summary (Markdown, HTML, XLSX) from classified cases."""
    from facet_classifier.reporting import build_report

    if top < 1:
        raise UserError("--top must be at least 1")
    result = build_report(predictions, outdir, cases=cases, years=_parse_years(years), compare=compare, top=top,
                          taxonomy_path=taxonomy, reporter=Reporter(quiet=quiet))  # fmt: skip
    for warning in result.get("warnings", []):
        typer.echo(f"note: {warning}")
    for sentence in result.get("key_findings", [])[:5]:
        typer.echo(sentence)
    typer.echo(f"wrote the report to {outdir} (open {Path(outdir) / 'trends.html'})")


@app.command()
@user_errors
def run(
    inputs: Annotated[list[str] | None, typer.Argument(help="Submission files or folders (default: the shipped sample).", show_default=False)] = None,
    workdir: Annotated[Path | None, typer.Option("--workdir", "-w", help="Where to write processed/ and report/ (default: data/processed and reports/sample).")] = None,
    model_dir: ModelDir = None,
    years: Annotated[str | None, typer.Option("--years", help="Years to cover in the report, e.g. 2019-2025.")] = None,
    quiet: Quiet = False,
) -> None:
    """Ingest -> classify -> report in one go (on the shipped sample and default model by default)."""
    from facet_classifier.config import PROCESSED_DATA_DIR, REPORTS_DIR, SAMPLE_DIR
    from facet_classifier.ingest import ingest as run_ingest
    from facet_classifier.ingest import write_ingest_outputs
    from facet_classifier.modeling.classify import classify as run_classify
    from facet_classifier.reporting import build_report

    reporter = Reporter(quiet=quiet)
    sources = inputs or [str(SAMPLE_DIR)]
    processed_dir = workdir / "processed" if workdir else PROCESSED_DATA_DIR
    report_dir = workdir / "report" if workdir else REPORTS_DIR / "sample"
    result = run_ingest(sources, reporter=reporter)
    paths = write_ingest_outputs(result, processed_dir)
    s = result.summary
    typer.echo(f"1/3 ingest: {s['rows_read']} rows read: {s['accepted']} accepted, {s['duplicates']} duplicates, "
               f"{s['rejected']} rejected -> {paths['cases']}")  # fmt: skip
    predictions = processed_dir / "predictions.parquet"
    summary = run_classify(paths["cases"], predictions, model_dir, None, reporter=reporter)
    typer.echo(f"2/3 classify: {summary['cases']} cases, {summary['needs_review']} need review -> {predictions}")
    built = build_report(predictions, report_dir, years=_parse_years(years), reporter=reporter)
    for sentence in built.get("key_findings", [])[:3]:
        typer.echo(f"    {sentence}")
    typer.echo(f"3/3 report -> {report_dir} (open {report_dir / 'trends.html'})")


@app.command()
@user_errors
def compare(
    labelled: Annotated[list[Path], typer.Argument(help="Labelled case files to score both models on.", show_default=False)],
    models: Annotated[list[Path], typer.Option("--model", "-m", help="Exactly two model directories: -m A -m B.")],
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Bootstrap resamples for the confidence intervals.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 13,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the comparison as JSON.")] = None,
    quiet: Quiet = False,
) -> None:
    """Compare model B with model A on labelled cases: metric deltas with bootstrap intervals and a verdict."""
    from facet_classifier.evaluation.compare import compare_models, format_comparison
    from facet_classifier.fileio import write_json_atomic

    if len(models) != 2:
        raise UserError("compare needs exactly two models: -m MODEL_A -m MODEL_B")
    result = compare_models(labelled, models[0], models[1], n_bootstrap=bootstrap, seed=seed, reporter=Reporter(quiet=quiet))
    typer.echo(format_comparison(result))
    if json_out:
        write_json_atomic(json_out, result)
        typer.echo(f"wrote {json_out}")


review_app = typer.Typer(help="Labelling round trip: suggest cases to label, import filled sheets, audit labels.", no_args_is_help=True)
app.add_typer(review_app, name="review")


@review_app.command("suggest")
@user_errors
def review_suggest(
    cases: Annotated[Path, typer.Argument(help="Unlabelled cases (cases.parquet or any file ingest reads).", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Labelling sheet to write: .xlsx (with dropdowns) or .csv.")],
    model_dir: ModelDir = None,
    n: Annotated[int, typer.Option("-n", help="How many cases to suggest.")] = 50,
    seed: Annotated[int, typer.Option("--seed", help="Seed for tie-breaking in the selection.")] = 13,
    quiet: Quiet = False,
) -> None:
    """Pick the N unlabelled cases that would teach the model most and write a labelling sheet."""
    from facet_classifier.review.suggest import suggest_cases

    if n < 1:
        raise UserError("-n must be at least 1")
    result = suggest_cases(cases, output, model_dir=model_dir, n=n, seed=seed, reporter=Reporter(quiet=quiet))
    typer.echo(result["message"])


@review_app.command("import")
@user_errors
def review_import(
    sheet: Annotated[Path, typer.Argument(help="A filled labelling sheet (.xlsx or .csv) from review suggest.", show_default=False)],
    into: Annotated[Path, typer.Option("--into", help="Labelled set to merge into (.jsonl, .csv or .parquet; created if missing).")],
    annotator: Annotated[str | None, typer.Option("--annotator", help="Annotator name for rows whose annotator column is empty.")] = None,
    quiet: Quiet = False,
) -> None:
    """Merge a filled labelling sheet into a labelled set, with provenance; conflicts are reported, never overwritten."""
    from facet_classifier.review.sheet_import import import_sheet

    result = import_sheet(sheet, into, annotator=annotator, reporter=Reporter(quiet=quiet))
    typer.echo(result["message"])
    for conflict in result.get("conflicts", []):
        typer.echo(f"  conflict: {conflict}")


@review_app.command("audit")
@user_errors
def review_audit(
    labelled: Annotated[list[Path], typer.Argument(help="Labelled case files.", show_default=False)],
    taxonomy: TaxonomyFile = None,
    axis: Annotated[list[str] | None, typer.Option("--axis", help="Audit an axis from a label column: NAME=COLUMN (repeatable).")] = None,
    top: Annotated[int, typer.Option("--top", help="Show at most this many suspicious labels.")] = 30,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also write the full list (.csv/.xlsx/.jsonl/.parquet).")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 13,
    quiet: Quiet = False,
) -> None:
    """List labelled cases whose label is probably wrong (confident learning on cross-validated probabilities)."""
    from facet_classifier.review.audit import audit_labels, format_audit

    result = audit_labels(labelled, taxonomy_path=taxonomy, axis_options=axis or [], seed=seed, output=output,
                          reporter=Reporter(quiet=quiet))  # fmt: skip
    typer.echo(format_audit(result, top))


def main() -> None:  # pragma: no cover - console-script convenience
    app(prog_name="facet-classifier")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
