"""Recognising which submitted column holds which case field.

Headers are compared after lower-casing and dropping accents and punctuation, so
"Innovation description", "innovation_description" and "INNOVATION-DESCRIPTION" are the same.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from facet_classifier.errors import UserError

FIELDS = ("id", "title", "text", "year", "country", "organisation", "level_of_government", "sector")

# Ordered by preference: when a file has several candidates, the earlier alias wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": (
        "id", "case id", "submission id", "submission number", "ref", "reference", "reference number",
        "record id", "case number", "case no", "identifier", "uid", "sub id", "entry id", "response id",
        "innovation id", "project id",
    ),
    "title": (
        "title", "innovation name", "name of the innovation", "project title", "case title",
        "innovation title", "name", "project name", "initiative name", "initiative", "case name",
        "project", "programme name", "program name", "headline",
    ),
    "text": (
        "innovation description", "description", "text", "case description", "project description",
        "description of the innovation", "summary", "innovation summary", "abstract", "case summary",
        "short description", "long description", "what is the innovation", "details", "overview",
        "body", "content", "narrative", "case text",
    ),
    "year": (
        "year", "year of launch", "launch year", "year launched", "start year", "start date", "startdate",
        "start", "date of launch", "launch date", "implementation year", "year of implementation",
        "date started", "year started", "date", "submission year",
    ),
    "country": (
        "country", "countries", "country name", "geocoverage", "geo coverage", "nation", "country region",
        "location country", "geography", "country of implementation", "jurisdiction",
    ),
    "organisation": (
        "organisation", "organization", "lead organisation", "lead organization", "lead organisation name",
        "lead organization name", "organisation name", "organization name", "agency", "lead agency",
        "institution", "ministry", "department", "submitting organisation", "submitting organization",
        "public body", "owner",
    ),
    "level_of_government": (
        "level of government", "government level", "level", "administrative level", "tier of government",
        "geoextent", "geo extent", "jurisdiction level", "scale", "level of administration",
    ),
    "sector": (
        "sector", "policy area", "primary sector", "policy field", "policy domain", "sector policy area",
        "domain", "theme", "thematic area", "area", "field",
    ),
}  # fmt: skip
# Words that make a header a candidate when no alias matches exactly.
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "text": ("description", "summary", "abstract"),
    "title": ("title",),
    "year": ("year",),
    "country": ("country", "countries"),
    "organisation": ("organisation", "organization"),
    "level_of_government": ("level of government", "government level"),
    "sector": ("sector",),
}


def header_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


_ALIAS_RANK = {(field, header_key(alias)): rank for field, names in ALIASES.items() for rank, alias in enumerate(names)}


def _candidates(field: str, columns: Iterable[str], taken: set[str]) -> list[tuple[int, str]]:
    found = []
    for column in columns:
        if column in taken:
            continue
        key = header_key(column)
        rank = _ALIAS_RANK.get((field, key))
        if rank is not None:
            found.append((rank, column))
        elif any(re.search(rf"\b{re.escape(word)}\b", key) for word in _KEYWORDS.get(field, ())):
            found.append((1000 + len(key), column))
    return sorted(found)


def map_columns(columns: list[str], overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """field -> column for one file; user overrides first, then aliases, each column used once."""
    mapping: dict[str, str] = {}
    for field, column in (overrides or {}).items():
        if column in columns:
            mapping[field] = column
    taken = set(mapping.values())
    # Text first: it is the field that must not lose its column to a looser alias elsewhere.
    for field in ("text", "id", "title", "year", "country", "organisation", "level_of_government", "sector"):
        if field in mapping:
            continue
        candidates = _candidates(field, columns, taken)
        if candidates:
            mapping[field] = candidates[0][1]
            taken.add(candidates[0][1])
    return {field: mapping[field] for field in FIELDS if field in mapping}


def parse_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """--map FIELD=COLUMN options to a dict, refusing unknown fields."""
    overrides: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        field = field.strip().lower().replace("-", "_")
        if field in {"level", "government_level"}:
            field = "level_of_government"
        if field in {"organization", "org"}:
            field = "organisation"
        if field in {"case_id", "submission_id"}:
            field = "id"
        if not sep or not column.strip():
            raise UserError(f"--map expects FIELD=COLUMN, got {pair!r}")
        if field not in FIELDS:
            raise UserError(f"--map: unknown field {field!r}; fields are: {', '.join(FIELDS)}")
        overrides[field] = column.strip()
    return overrides
