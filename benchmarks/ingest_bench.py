"""Ingest throughput and peak memory at realistic volumes.

    .venv/bin/python benchmarks/ingest_bench.py            # 10k and 100k cases
    .venv/bin/python benchmarks/ingest_bench.py 1000000    # any sizes

Each size is generated from the shipped sample (see _synth.py), then `facet-classifier ingest`
runs in a fresh process, so the peak RSS is that of the command alone.
Target on a 2-core machine: 100k cases in under 60 s, peak RSS under 2 GB.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _synth import write_submissions  # noqa: E402


def run_ingest(path: Path, outdir: Path) -> tuple[float, float, dict]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "facet_classifier", "ingest", str(path), "-o", str(outdir), "-q"],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    summary = json.loads((outdir / "ingest_summary.json").read_text())
    return elapsed, max(peak, before) / 1024, summary


def main(sizes: list[int]) -> None:
    print(f"{'cases':>9} {'seconds':>8} {'cases/s':>9} {'peak RSS MB':>12}  accounting")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = write_submissions(n, Path(tmp))
            elapsed, peak_mb, s = run_ingest(path, Path(tmp) / f"out_{n}")
            adds_up = s["rows_read"] == s["accepted"] + s["duplicates"] + s["rejected"]
            print(f"{n:>9,} {elapsed:>8.1f} {n / elapsed:>9,.0f} {peak_mb:>12,.0f}  "
                  f"{s['accepted']:,} accepted, {s['duplicates']:,} duplicates, {s['rejected']:,} rejected "
                  f"({'adds up' if adds_up else 'DOES NOT ADD UP'})")  # fmt: skip


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
