"""Classification throughput and peak memory at realistic volumes, next to bare tokenisation.

    .venv/bin/python benchmarks/classify_bench.py               # 10k and 100k cases
    .venv/bin/python benchmarks/classify_bench.py 20000 -m models/default

For each size: synthetic ~100-word cases (from the shipped sample, see _synth.py) are ingested
into a cases.parquet (not timed); then, in the same run, (1) a bare `spacy.blank("en")`
tokenisation pass over the same texts in this process, and (2) `facet-classifier classify` in a
fresh process, timed end to end (model loading included) with its peak RSS.
Targets on a 2-core machine: >= 2,000 cases/s, within 8x the bare tokenisation time, and peak
memory flat in the number of cases.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import spacy

sys.path.insert(0, str(Path(__file__).parent))
from _synth import write_submissions  # noqa: E402

from facet_classifier.config import DEFAULT_MODEL_DIR  # noqa: E402
from facet_classifier.textproc import model_text  # noqa: E402


def bare_tokenisation_seconds(cases: Path) -> float:
    frame = pd.read_parquet(cases, columns=["title", "text"])
    texts = [model_text(t, x) for t, x in zip(frame["title"], frame["text"])]
    nlp = spacy.blank("en")
    started = time.perf_counter()
    for _doc in nlp.tokenizer.pipe(texts, batch_size=1000):
        pass
    return time.perf_counter() - started


def timed_classify(cases: Path, out: Path, model: Path) -> tuple[float, float]:
    """Wall time and peak RSS (MB, largest single process: the command or one of its workers)."""
    command = [sys.executable, "-m", "facet_classifier", "classify", str(cases), "-o", str(out), "-m", str(model), "-q"]
    # A fresh wrapper process, so RUSAGE_CHILDREN covers only classify and its worker processes.
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"subprocess.run({command!r}, check=True, stdout=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    seconds, peak_kb = result.stdout.split()
    return float(seconds), float(peak_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("-m", "--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--words", type=int, default=100, help="words per synthetic case")
    args = parser.parse_args()
    print(f"{'cases':>9} {'bare tok s':>10} {'classify s':>10} {'cases/s':>8} {'x bare':>7} {'peak RSS MB':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            raw = write_submissions(n, Path(tmp), words=args.words)
            subprocess.run([sys.executable, "-m", "facet_classifier", "ingest", str(raw), "-o", f"{tmp}/in_{n}", "-q"],
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip
            cases = Path(tmp) / f"in_{n}" / "cases.parquet"
            bare = bare_tokenisation_seconds(cases)
            seconds, peak = timed_classify(cases, Path(tmp) / f"pred_{n}.parquet", args.model)
            rows = len(pd.read_parquet(cases, columns=["case_id"]))
            print(f"{rows:>9,} {bare:>10.1f} {seconds:>10.1f} {rows / seconds:>8,.0f} {seconds / bare:>7.1f} {peak:>12,.0f}", flush=True)


if __name__ == "__main__":
    main()
