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
