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


def main() -> None:  # pragma: no cover - console-script convenience
    app(prog_name="facet-classifier")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
