"""Synthetic submission volumes built from the project's own sample, for benchmarks only.

Each synthetic case is a new combination of sentences taken from different sample cases, with
perturbed metadata, a little HTML, some resubmissions and junk rows, so volumes look like a
real call's without copying any one case thousands of times (which would turn duplicate
detection into the whole workload).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pandas as pd

from facet_classifier.config import SAMPLE_DIR
from facet_classifier.ingest import ingest

_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
YEAR_FORMATS = ["{y}", "{y}.0", "{y}-05-01", "05/{y}", "May {y}", "FY{y}/{s:02d}"]
COUNTRY_VARIANTS = ["UK", "USA", "France", "DEU", "Türkiye", "Republic of Korea", "Viet Nam", "Czechia", "Kenya",
                    "Brazil", "India", "Chile", "FR", "Canada", "European Union", "France; Germany", "Estonia"]  # fmt: skip
LEVELS = ["National", "central government", "Regional", "State / Province", "Municipal", "City", "Local authority"]


def sample_cases() -> pd.DataFrame:
    cases = ingest([SAMPLE_DIR]).cases
    return cases[cases["duplicate_of"].isna()].reset_index(drop=True)


def synthetic_submissions(n: int, seed: int = 7, words: int | None = None) -> pd.DataFrame:
    """n submission rows (about 2 % resubmissions, 1 % junk) in a survey-export layout.

    With `words`, each text is cut or extended to about that many words.
    """
    rng = random.Random(seed)
    base = sample_cases()
    sentences = [s for text in base["text"] for s in _SENTENCE_RE.split(text) if len(s.split()) >= 5]
    titles = base["title"].dropna().tolist()
    rows = []
    for i in range(n):
        roll = rng.random()
        if rows and roll < 0.01:
            text = rng.choice(["", "N/A", "see attachment", "<p><br></p>"])
        elif rows and roll < 0.03:
            text = rows[rng.randrange(len(rows))]["Innovation description"]
            if roll < 0.02:
                text = text.replace(" the ", " the the ", 1) + " Updated."
        else:
            target = words or rng.randint(60, 180)
            parts: list[str] = []
            while sum(len(p.split()) for p in parts) < target:
                parts.append(rng.choice(sentences))
            text = " ".join(parts)
            if words:
                text = " ".join(text.split()[:words])
            if rng.random() < 0.05:
                text = "<p>" + text.replace(". ", ".</p><p>", 2) + "</p>"
        year = rng.randint(2015, 2025)
        rows.append({
            "Submission ID": f"SYN-{i:07d}",
            "Innovation name": f"{rng.choice(titles)} ({i})",
            "Innovation description": text,
            "Year of launch": rng.choice(YEAR_FORMATS).format(y=year, s=(year + 1) % 100),
            "Country": rng.choice(COUNTRY_VARIANTS),
            "Level of government": rng.choice(LEVELS),
            "Contact e-mail": f"contact{i}@example.org",
        })  # fmt: skip
    return pd.DataFrame(rows)


def write_submissions(n: int, folder: Path, seed: int = 7, words: int | None = None) -> Path:
    path = folder / f"synthetic_{n}.csv"
    synthetic_submissions(n, seed, words).to_csv(path, index=False, sep=";", encoding="utf-8")
    return path
