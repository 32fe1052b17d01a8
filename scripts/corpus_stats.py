"""Print the statistics quoted in data/raw/labelled/DATASHEET.md (run after editing the corpus).

    .venv/bin/python scripts/corpus_stats.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

LABELLED = Path(__file__).resolve().parents[1] / "data" / "raw" / "labelled"


def main() -> None:
    rows = [json.loads(line) for path in sorted(LABELLED.glob("part-*.jsonl")) for line in path.open(encoding="utf-8")]
    words = sorted(len(r["text"].split()) for r in rows)
    count = lambda key: Counter(r[key] for r in rows)  # noqa: E731
    print(f"cases: {len(rows)} in {len(list(LABELLED.glob('part-*.jsonl')))} files")
    print(f"words: min {words[0]}, median {words[len(words) // 2]}, max {words[-1]}")
    print(f"years: {min(r['year'] for r in rows)}-{max(r['year'] for r in rows)}; countries: {len(count('country'))}")
    for key in ("facet_primary", "level_of_government", "register", "sector"):
        print(f"{key}: " + ", ".join(f"{k} {v}" for k, v in count(key).most_common()))
    facets = Counter(len(r["facet_labels"]) for r in rows)
    print("facets per case: " + ", ".join(f"{k}: {v}" for k, v in sorted(facets.items())))
    trends = Counter(t for r in rows for t in r["trend_labels"])
    print("trend_labels: " + ", ".join(f"{k} {v}" for k, v in trends.most_common()))
    print("trends per case: " + ", ".join(f"{k}: {v}" for k, v in sorted(Counter(len(r["trend_labels"]) for r in rows).items())))
    print(f"hard cases: {sum(bool(r['hard_case']) for r in rows)}")


if __name__ == "__main__":
    main()
