"""The classify command: cases in, predictions out, in chunks so memory does not grow with input.

A `cases.parquet` written by ingest is streamed batch by batch; any other input goes through
ingestion first (which needs the whole file for duplicate detection). Chunks are classified by
worker processes, one whole chunk per worker (spaCy's own n_process is slower for such light
pipelines), and written in input order as they come back.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from facet_classifier.errors import UserError
from facet_classifier.fileio import atomic_path, neutralise_frame
from facet_classifier.ingest import CASE_COLUMNS, ingest
from facet_classifier.modeling.model import FacetModel
from facet_classifier.modeling.predict import predict_frame
from facet_classifier.modeling.store import load_model
from facet_classifier.progress import QUIET, Reporter, counter_bar

OUTPUT_SUFFIXES = (".parquet", ".csv", ".jsonl")
PARALLEL_FROM = 4000  # below this many cases, starting worker processes costs more than it saves

_WORKER_MODELS: dict[tuple[str, str | None], FacetModel] = {}


def _worker_model(model_dir: str, taxonomy: str | None) -> FacetModel:
    key = (model_dir, taxonomy)
    if key not in _WORKER_MODELS:
        _WORKER_MODELS[key] = load_model(model_dir, taxonomy)
    return _WORKER_MODELS[key]


def _classify_chunk(model_dir: str, taxonomy: str | None, chunk: pd.DataFrame) -> pd.DataFrame:
    return predict_frame(_worker_model(model_dir, taxonomy), chunk)


def is_case_table(path: Path) -> bool:
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return False
    try:
        names = set(pq.ParquetFile(path).schema_arrow.names)
    except Exception:
        return False
    return set(CASE_COLUMNS) <= names


def case_chunks(source: Path, chunk_size: int, reporter: Reporter) -> tuple[int, Iterator[pd.DataFrame], dict[str, Any]]:
    """(number of cases, chunks of the case table, ingest summary if ingestion ran)."""
    if is_case_table(source):
        parquet = pq.ParquetFile(source)

        def batches() -> Iterator[pd.DataFrame]:
            for batch in parquet.iter_batches(batch_size=chunk_size):
                yield batch.to_pandas()

        return parquet.metadata.num_rows, batches(), {}
    result = ingest([source], reporter=reporter)
    cases = result.cases
    chunks = (cases.iloc[i : i + chunk_size] for i in range(0, len(cases), chunk_size))
    return len(cases), chunks, result.summary


class PredictionWriter:
    """Appends prediction chunks to .parquet, .csv or .jsonl; the file appears only when complete."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.suffix = target.suffix.lower()
        self._context = atomic_path(target)
        self.tmp = self._context.__enter__()
        self._parquet: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._first = True

    def _arrow_schema(self, frame: pd.DataFrame) -> pa.Schema:
        schema = pa.Schema.from_pandas(frame, preserve_index=False)
        fields = []
        for field in schema:
            if pa.types.is_null(field.type):
                field = field.with_type(pa.list_(pa.string()) if field.name.endswith("_labels") else pa.string())
            if field.name == "year":
                field = field.with_type(pa.int64())
            fields.append(field)
        return pa.schema(fields)

    def write(self, frame: pd.DataFrame) -> None:
        if self.suffix == ".parquet":
            if self._schema is None:
                self._schema = self._arrow_schema(frame)
                self._parquet = pq.ParquetWriter(self.tmp, self._schema)
            table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)
            self._parquet.write_table(table)  # type: ignore[union-attr]
        elif self.suffix == ".csv":
            flat = frame.copy()
            for column in flat.columns:
                if column.endswith("_labels"):
                    flat[column] = flat[column].map(lambda ls: ";".join(ls) if isinstance(ls, list) else ls)
            neutralise_frame(flat).to_csv(self.tmp, mode="w" if self._first else "a", header=self._first,
                                          index=False, encoding="utf-8-sig" if self._first else "utf-8")  # fmt: skip
        else:
            with open(self.tmp, "w" if self._first else "a", encoding="utf-8") as handle:
                frame.to_json(handle, orient="records", lines=True, force_ascii=False)
        self._first = False

    def close(self, ok: bool) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if ok and self._first and self.suffix == ".parquet":
            raise UserError("no cases to classify")
        if ok:
            self._context.__exit__(None, None, None)
        else:
            self._context.__exit__(RuntimeError, RuntimeError("failed"), None)


def default_jobs(n_cases: int) -> int:
    return 1 if n_cases < PARALLEL_FROM else max(1, min(2, os.cpu_count() or 1))


def classify(
    source: str | Path,
    output: str | Path,
    model_dir: str | Path | None = None,
    taxonomy_path: str | Path | None = None,
    chunk_size: int = 2000,
    n_jobs: int | None = None,
    reporter: Reporter = QUIET,
) -> dict[str, Any]:
    """Classify every case of `source` into `output`; returns a summary of what was written."""
    source, output = Path(source), Path(output)
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise UserError(f"cannot write {output}: use a .parquet, .csv or .jsonl file name")
    if not source.exists():
        raise UserError(f"input not found: {source}")
    model = load_model(model_dir, taxonomy_path)
    started = time.perf_counter()
    total, chunks, ingest_summary = case_chunks(source, chunk_size, reporter)
    if total == 0:
        raise UserError(f"{source}: no cases to classify")
    jobs = n_jobs or default_jobs(total)
    writer = PredictionWriter(output)
    counts: Counter[str] = Counter()
    reviews = 0
    written = 0
    ok = False
    try:
        with counter_bar(reporter, total, "Classifying cases") as bar:
            for predictions in _run_chunks(model, model_dir, taxonomy_path, chunks, jobs):
                writer.write(predictions)
                primary_column = f"{next(iter(model.axes))}_primary"
                counts.update(predictions[primary_column])
                reviews += int(predictions["needs_review"].sum())
                written += len(predictions)
                bar.advance(len(predictions))
        ok = True
    finally:
        writer.close(ok)
    elapsed = time.perf_counter() - started
    return {
        "cases": written,
        "model_id": model.model_id,
        "output": str(output),
        "needs_review": reviews,
        "primary_counts": dict(counts.most_common()),
        "first_axis": next(iter(model.axes)),
        "seconds": round(elapsed, 2),
        "cases_per_second": round(written / elapsed, 1) if elapsed else None,
        "workers": jobs,
        "ingest": ingest_summary,
    }


def _run_chunks(model: FacetModel, model_dir: str | Path | None, taxonomy: str | Path | None,
                chunks: Iterator[pd.DataFrame], jobs: int) -> Iterator[pd.DataFrame]:  # fmt: skip
    if jobs <= 1:
        for chunk in chunks:
            yield predict_frame(model, chunk)
        return
    from joblib import Parallel, delayed

    from facet_classifier.config import DEFAULT_MODEL_DIR

    directory = str(Path(model_dir) if model_dir else DEFAULT_MODEL_DIR)
    parallel = Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="2*n_jobs")
    yield from parallel(delayed(_classify_chunk)(directory, str(taxonomy) if taxonomy else None, c) for c in chunks)
