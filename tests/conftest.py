"""Shared fixtures: small hand-written submissions and the path of the real shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
JRC_DEV = SHARED_DATA / "jrc_ips_cases_dev.csv"
OPSI_DEV = SHARED_DATA / "opsi_facets_dev.jsonl"

LONG_A = (
    "The tax agency replaced paper returns for small firms with a pre-filled online form, so that "
    "owners confirm figures the agency already holds instead of typing them again each quarter."
)
LONG_B = (
    "A regional health board set up a nurse-led phone line that sorts non-urgent calls away from "
    "emergency departments and books next-day appointments at local clinics instead."
)
LONG_C = (
    "The city opened a single counter where residents register a birth, apply for child benefit "
    "and enrol in day care in one visit, replacing three separate offices and forms."
)


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available here (real shared data lives in ../shared/data)")
    return path


@pytest.fixture
def jrc_dev() -> Path:
    return require(JRC_DEV)


@pytest.fixture
def opsi_dev() -> Path:
    return require(OPSI_DEV)


@pytest.fixture
def messy_csv(tmp_path: Path) -> Path:
    """A cp1252, semicolon, CRLF survey export with a multi-line field, junk rows and a resubmission."""
    rows = [
        ["Submission ID", "Innovation name", "Innovation description", "Year of launch", "Country", "Level of government", "Contact e-mail"],
        ["S-1", "Pre-filled returns", LONG_A, "FY2020/21", "UK", "Central government", "a@example.org"],
        ["S-2", "Nurse line", LONG_B.replace("instead.", "instead.\nIt runs\tevery day."), "May 2019", "Türkiye".replace("ü", "u"), "Regional", ""],
        ["S-3", "Empty", "", "2019", "France", "Municipal", ""],
        ["S-4", "Too short", "see attachment", "2019", "France", "Municipal", ""],
        ["S-5", "Café counter", LONG_C.replace("city", "café city"), "05/2018", "Republic of Korea", "City", ""],
        ["S-6", "Pre-filled returns (resubmitted)", LONG_A, "2020", "GBR", "National", ""],
        ["S-7", "=HYPERLINK(\"http://x\")", LONG_B.replace("next-day", "same-day"), "2021", "Narnia", "Galactic", ""],
    ]
    lines = []
    for row in rows:
        lines.append(";".join('"' + cell.replace('"', '""') + '"' for cell in row))
    path = tmp_path / "export.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


# ---------------------------------------------------------------- a tiny labelled corpus
_TOPICS = [
    ("tax returns", "economy-ecosystems"), ("hospital referrals", "care-wellbeing"), ("school enrolment", "futures-youth"),
    ("river pollution", "green-transition"), ("flood warnings", "crisis-resilience"), ("procurement records", "accountability-trust"),
    ("resident budgets", "participation"), ("staff training", "public-sector-capability"),
]  # fmt: skip
_FACET_TEMPLATES = {
    "enhancement": "The agency streamlined how it handles {topic}: an online form replaced paper, processing time fell from weeks to days and staff save hours of manual work on {topic} every month.",
    "mission": "The government set an ambitious national goal for {topic} by 2035 and brought ministries, cities, business and universities together in a portfolio of projects to reach that target across society.",
    "adaptive": "When the pandemic suddenly changed demand for {topic}, frontline teams improvised within days, tested new routines, learned from daily feedback and kept iterating as the situation kept shifting.",
    "anticipatory": "A foresight unit explored possible futures of {topic}, scanning the horizon for emerging technologies and weak signals and building long-term scenarios to prepare options before they are needed.",
}


def tiny_labelled_rows() -> list[dict]:
    """64 short labelled cases (16 per facet, 8 trends), enough for 3-fold training in a test."""
    rows = []
    for facet, template in _FACET_TEMPLATES.items():
        for i, (topic, trend) in enumerate(_TOPICS * 2):
            text = template.format(topic=topic) + (" It started as a small local effort." if i >= len(_TOPICS) else "")
            rows.append({
                "id": f"{facet[:3]}-{i}", "title": f"{topic.title()} {facet} case {i}", "text": text,
                "country": ["France", "Kenya", "Chile", "Japan"][i % 4], "year": 2018 + i % 6,
                "facet_primary": facet, "facet_labels": [facet], "trend_labels": [trend],
            })  # fmt: skip
    return rows


@pytest.fixture
def tiny_labelled(tmp_path: Path) -> Path:
    import json

    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in tiny_labelled_rows()) + "\n", encoding="utf-8")
    return path
