#!/usr/bin/env python3
"""Turn the clean sample source cases into deliberately messy submission files.

The clean, hand-written cases live in ``scripts/sample_source/cases.jsonl`` (one JSON
object per line, 340 invented public-sector innovation cases from three call years).
This script re-creates the *shipped sample data* in ``data/raw/sample/`` the way a
secretariat would really receive it: from three different intake channels, in three
different formats, with the usual data-quality problems mixed in.

Files written (all overwritten on every run):

* ``call_2023_form_export.csv``  - survey-tool export of the 2023 call: cp1252,
  semicolon-delimited, CRLF line endings, every field quoted, some multi-line fields.
* ``call_2024_submissions.xlsx`` - 2024 call workbook with two sheets,
  "Submissions" and "Late submissions"; some summaries pasted as HTML, some
  damaged by a UTF-8 -> cp1252 mis-decoding (mojibake).
* ``call_2025_portal.jsonl``     - 2025 web-portal export, one JSON object a line.
* ``case_notes/``                - six more 2025 cases as loose .txt / .md / .html files.

Mess injected (every injection is printed in the log at the end of the run):

* launch years in many forms (``2019.0``, ``05/2018``, ``May 2019``, ``FY2020/21``,
  ranges, ISO dates, Excel date cells, blanks, ``unknown``);
* country names as ISO alpha-2/alpha-3 codes, common aliases (UK, USA, U.S.,
  Viet Nam, Czech Republic, Republic of Korea ...), case and spacing variants,
  multi-country cells, "European Union", "Global" and blanks;
* level-of-government labels in many forms (central government, Federal, Municipal ...);
* resubmissions: 4 exact duplicates and 5 near-duplicates (>= 90 % identical words);
* 12 junk rows (empty, "N/A", "test", "see attachment", markup only, 3 words,
  all-empty row, whitespace only);
* untrusted text: formula-like titles, an escaped and a raw <script>, control
  characters and zero-width spaces;
* whitespace noise (leading/trailing spaces, double spaces, tabs, NBSP);
* one CSV description containing both a semicolon and a double quote.

The script only uses the standard library, pandas and openpyxl, and is fully
deterministic: every random choice comes from ``random.Random(2025)`` and the
XLSX container is normalised (fixed timestamps) so that re-runs give identical bytes.

Run from the repository root::

    python scripts/make_sample_submissions.py
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import difflib
import html
import io
import json
import random
import re
import shutil
import sys
import unicodedata
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Font

# ---------------------------------------------------------------------------
# Paths and constants
# ---------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE = REPO_ROOT / "scripts" / "sample_source" / "cases.jsonl"
OUT_DIR = REPO_ROOT / "data" / "raw" / "sample"
CSV_PATH = OUT_DIR / "call_2023_form_export.csv"
XLSX_PATH = OUT_DIR / "call_2024_submissions.xlsx"
JSONL_PATH = OUT_DIR / "call_2025_portal.jsonl"
NOTES_DIR = OUT_DIR / "case_notes"

SEED = 2025
rng = random.Random(SEED)

# Short file labels used in the injection log.
F_CSV, F_XLSX, F_JSONL, F_NOTES = "csv-2023", "xlsx-2024", "jsonl-2025", "case_notes"

CSV_HEADER = ["Submission ID", "Innovation name", "Innovation description", "Year of launch",
              "Country", "Lead organisation", "Level of government", "Sector",
              "Contact e-mail", "Consent to publish"]
XLSX_HEADER = ["Ref", "Project title", "Summary", "start_date", "geocoverage",
               "Organisation name", "Government level", "Policy area", "Website"]
JSONL_KEYS = ["id", "name", "abstract", "year", "country", "organisation",
              "government_level", "sector", "tags"]

N_XLSX_MAIN_SHEET = 100           # 2024 cases on the "Submissions" sheet; the rest are late
N_CASE_NOTES = 6                  # 2025 cases delivered as loose files instead of JSONL

# Cases whose text describes a cross-border programme: their country cell lists all
# partner countries, as submitters really do.
MULTI_COUNTRY = {
    "SUB-23-0021": "France; Germany",               # Upper Rhine emergency cooperation
    "SUB-23-0022": "Denmark; Sweden",               # Øresund tax guidance
    "SUB-24-0001": "Kenya, Uganda and Tanzania",    # EAC one-stop border posts
    "SUB-25-0001": "Netherlands, Belgium",          # Scheldt cross-border job mediation
}
# The one CSV description that gets a semicolon and straight double quotes
# (the survey tool must quote it properly for the file to parse).
SEMICOLON_QUOTE_CASE = ("SUB-23-0002",
                        "(declaración responsable) with inspection afterwards instead of before. Forms",
                        '("declaración responsable") with inspection afterwards instead of before; forms')

# ISO 3166 alpha-2 / alpha-3 codes for every country used in the source cases.
ISO = {
    "Argentina": ("AR", "ARG"), "Australia": ("AU", "AUS"), "Austria": ("AT", "AUT"),
    "Bangladesh": ("BD", "BGD"), "Belgium": ("BE", "BEL"), "Botswana": ("BW", "BWA"),
    "Brazil": ("BR", "BRA"), "Canada": ("CA", "CAN"), "Chile": ("CL", "CHL"),
    "Colombia": ("CO", "COL"), "Costa Rica": ("CR", "CRI"), "Croatia": ("HR", "HRV"),
    "Czechia": ("CZ", "CZE"), "Côte d'Ivoire": ("CI", "CIV"), "Denmark": ("DK", "DNK"),
    "Ecuador": ("EC", "ECU"), "Egypt": ("EG", "EGY"), "Estonia": ("EE", "EST"),
    "Ethiopia": ("ET", "ETH"), "Fiji": ("FJ", "FJI"), "Finland": ("FI", "FIN"),
    "France": ("FR", "FRA"), "Germany": ("DE", "DEU"), "Ghana": ("GH", "GHA"),
    "Greece": ("GR", "GRC"), "Hungary": ("HU", "HUN"), "Iceland": ("IS", "ISL"),
    "India": ("IN", "IND"), "Indonesia": ("ID", "IDN"), "Ireland": ("IE", "IRL"),
    "Israel": ("IL", "ISR"), "Italy": ("IT", "ITA"), "Jamaica": ("JM", "JAM"),
    "Japan": ("JP", "JPN"), "Jordan": ("JO", "JOR"), "Kazakhstan": ("KZ", "KAZ"),
    "Kenya": ("KE", "KEN"), "Korea": ("KR", "KOR"), "Latvia": ("LV", "LVA"),
    "Lithuania": ("LT", "LTU"), "Malaysia": ("MY", "MYS"), "Mexico": ("MX", "MEX"),
    "Mongolia": ("MN", "MNG"), "Morocco": ("MA", "MAR"), "Nepal": ("NP", "NPL"),
    "Netherlands": ("NL", "NLD"), "New Zealand": ("NZ", "NZL"), "Nigeria": ("NG", "NGA"),
    "Norway": ("NO", "NOR"), "Oman": ("OM", "OMN"), "Paraguay": ("PY", "PRY"),
    "Peru": ("PE", "PER"), "Philippines": ("PH", "PHL"), "Poland": ("PL", "POL"),
    "Portugal": ("PT", "PRT"), "Romania": ("RO", "ROU"), "Rwanda": ("RW", "RWA"),
    "Saudi Arabia": ("SA", "SAU"), "Senegal": ("SN", "SEN"), "Serbia": ("RS", "SRB"),
    "Singapore": ("SG", "SGP"), "Slovenia": ("SI", "SVN"), "South Africa": ("ZA", "ZAF"),
    "Spain": ("ES", "ESP"), "Sweden": ("SE", "SWE"), "Switzerland": ("CH", "CHE"),
    "Tanzania": ("TZ", "TZA"), "Thailand": ("TH", "THA"), "Tunisia": ("TN", "TUN"),
    "Türkiye": ("TR", "TUR"), "Uganda": ("UG", "UGA"), "Ukraine": ("UA", "UKR"),
    "United Arab Emirates": ("AE", "ARE"), "United Kingdom": ("GB", "GBR"),
    "United States": ("US", "USA"), "Uruguay": ("UY", "URY"), "Vietnam": ("VN", "VNM"),
}
# Common aliases that submitters type instead of the canonical name.
ALIASES = {
    "United Kingdom": ["UK", "U.K.", "Great Britain", "UK"],
    "United States": ["USA", "U.S.", "United States of America", "US"],
    "Türkiye": ["Turkey", "Republic of Türkiye", "Turkey"],
    "Korea": ["Republic of Korea", "South Korea", "Korea, Rep."],
    "Vietnam": ["Viet Nam"],
    "Czechia": ["Czech Republic"],
}
# Federal countries may call their national level "Federal".
FEDERAL = {"Argentina", "Australia", "Austria", "Belgium", "Brazil", "Canada", "Ethiopia",
           "Germany", "India", "Malaysia", "Mexico", "Nepal", "Nigeria", "Switzerland",
           "United Arab Emirates", "United States"}

# Weighted label variants for the level of government.
LEVEL_FORMS = {
    "national": [("National", 6), ("central government", 3), ("Central Government", 1),
                 ("NATIONAL", 1), ("national", 1), ("National government", 1), ("Federal", 0)],
    "regional": [("Regional", 5), ("State / Province", 3), ("regional", 1), ("Provincial", 1),
                 ("Regional government", 1)],
    "local": [("Local", 3), ("Municipal", 3), ("City", 2), ("Local authority", 2),
              ("local government", 1)],
    "supranational": [("Supranational", 2), ("International", 1), ("EU level", 1)],
}

# Sentences a resubmitting organisation might add to an otherwise unchanged case.
ADDED_SENTENCES = [
    "In 2024 the approach was extended to two additional districts.",
    "An external evaluation of the results is planned for next year.",
    "User feedback is now collected after every transaction and reviewed monthly.",
]

# ---------------------------------------------------------------------------
# Injection log
# ---------------------------------------------------------------------------

LOG: list[tuple[str, str, str, str]] = []
# (resubmission id, original id, "exact" | "near") - re-checked on the written files
DUP_PAIRS: list[tuple[str, str, str]] = []


def log(file: str, rid: str, kind: str, detail: str = "") -> None:
    """Record one injected piece of mess (file, row id, kind, detail)."""
    LOG.append((file, rid or "(no id)", kind, detail))


def short(s: str, n: int = 60) -> str:
    """Readable, single-line preview of a value for the log."""
    s = repr(s)
    return s if len(s) <= n else s[: n - 3] + "..."


# ---------------------------------------------------------------------------
# Small text helpers
# ---------------------------------------------------------------------------

_SENT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÝĀ-Ž0-9“(])")


def sentences(text: str) -> list[str]:
    """Split a clean case text into sentences (good enough for invented prose)."""
    return [s for s in _SENT_RE.split(text) if s]


def word_overlap(a: str, b: str) -> float:
    """Share of words the two texts have in common, in order (0..1)."""
    wa, wb = a.split(), b.split()
    sm = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    same = sum(block.size for block in sm.get_matching_blocks())
    return same / max(len(wa), len(wb))


def has_non_ascii(s: str) -> bool:
    return any(ord(ch) > 127 for ch in s)


_CP1252_FALLBACK = {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h", "Ħ": "H",
                    "ŋ": "ng", "ə": "e", "\u200b": "", "\ufeff": ""}


def to_cp1252(s: str) -> str:
    """Replace characters that cp1252 cannot encode (ł -> l, ő -> o, ş -> s, ...)."""
    out = []
    for ch in s:
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        if ch in _CP1252_FALLBACK:
            out.append(_CP1252_FALLBACK[ch])
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        try:
            base.encode("cp1252")
            out.append(base if base else "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


def mojibake(s: str) -> str:
    """Damage a text the way a UTF-8 file read as cp1252 is damaged (é -> Ã©, ’ -> â€™)."""
    return s.encode("utf-8").decode("cp1252", errors="replace")


def slugify(s: str, n: int = 40) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:n].rstrip("-")


# ---------------------------------------------------------------------------
# Row model
# ---------------------------------------------------------------------------

def new_row(case: dict, file: str, kind: str = "source", rid: str | None = None) -> dict:
    """A mutable output row built from a clean source case.

    ``text``/``title`` are changed in place by text-level injections; year, country and
    level are rendered later from the clean values into file-specific display forms.
    """
    return {
        "id": rid or case["sub_id"], "src": case["sub_id"], "file": file, "kind": kind,
        "title": case["title"], "text": case["text"], "year": case["year_launched"],
        "call_year": case["call_year"], "country": case["country"],
        "org": case["organisation"], "level": case["level"], "sector": case["sector"],
        "email": case["contact_email"], "website": case["website"],
        "locked": False,   # True once a text-level injection (or duplicate role) owns the row
    }


def pick(rows: list[dict], k: int, cond=lambda r: True, lock: bool = True) -> list[dict]:
    """Randomly pick ``k`` unlocked rows satisfying ``cond`` (and lock them)."""
    pool = [r for r in rows if not r["locked"] and r["kind"] == "source" and cond(r)]
    if len(pool) < k:
        raise RuntimeError(f"only {len(pool)} eligible rows, need {k}")
    chosen = rng.sample(pool, k)
    if lock:
        for r in chosen:
            r["locked"] = True
    return chosen


def insert_randomly(rows: list[dict], extra: dict, lo: int = 0) -> None:
    """Insert an extra row (duplicate, junk ...) at a random position at or after ``lo``."""
    rows.insert(rng.randint(lo, len(rows)), extra)


# ---------------------------------------------------------------------------
# Text-level injections
# ---------------------------------------------------------------------------

def add_whitespace_noise(row: dict) -> None:
    """Leading/trailing spaces, doubled spaces, tabs and non-breaking spaces."""
    text = row["text"]
    kinds = rng.sample(["lead/trail spaces", "double spaces", "tab", "nbsp"], rng.choice([1, 2]))
    positions = [m.start() for m in re.finditer(" ", text)]
    chars = list(text)
    if "double spaces" in kinds:
        for p in rng.sample(positions, 3):
            chars[p] = "  "
    if "nbsp" in kinds:
        for p in rng.sample(positions, 3):
            chars[p] = "\u00a0"
    if "tab" in kinds:
        chars[rng.choice(positions)] = "\t"
    text = "".join(chars)
    if "tab" in kinds and rng.random() < 0.5:
        text = "\t" + text
    if "lead/trail spaces" in kinds:
        text = " " * rng.randint(1, 3) + text + " " * rng.randint(1, 4)
    row["text"] = text
    log(row["file"], row["id"], "whitespace noise", ", ".join(kinds))


def add_line_breaks(row: dict) -> None:
    """Split the description into 2-3 paragraphs separated by real line breaks."""
    sents = sentences(row["text"])
    if len(sents) < 3:
        raise RuntimeError("too few sentences for line breaks")
    cuts = sorted(rng.sample(range(1, len(sents)), min(2, len(sents) - 1)))
    parts, prev = [], 0
    for c in cuts + [len(sents)]:
        parts.append(" ".join(sents[prev:c]))
        prev = c
    sep = rng.choice(["\n", "\n\n", "\r\n"])
    row["text"] = sep.join(parts)
    log(row["file"], row["id"], "multi-line description", f"{len(parts)} paragraphs joined by {sep!r}")


_NAMED_ENTITIES = {"é": "&eacute;", "è": "&egrave;", "á": "&aacute;", "í": "&iacute;",
                   "ó": "&oacute;", "ú": "&uacute;", "ü": "&uuml;", "ö": "&ouml;",
                   "ä": "&auml;", "ñ": "&ntilde;", "ç": "&ccedil;", "ã": "&atilde;",
                   "à": "&agrave;", "’": "&rsquo;", "–": "&ndash;", "É": "&Eacute;"}


def to_html(row: dict) -> None:
    """Replace a summary by the HTML a rich-text form field would have stored."""
    sents = sentences(row["text"])
    # escape &, < and > first, then spell some accented letters as named entities
    esc = [html.escape(s, quote=False) for s in sents]
    use_entities = rng.random() < 0.8
    if use_entities:
        esc = ["".join(_NAMED_ENTITIES.get(ch, ch) for ch in s) for s in esc]
    # non-breaking spaces inside numbers ("1 100") or before a unit/percent sign
    nbsp_done = False
    for i, s in enumerate(esc):
        new = re.sub(r"(\d) (\d{3})\b", r"\1&nbsp;\2", s)
        new = re.sub(r"(\d) (%|km|days|weeks|minutes|hours)\b", r"\1&nbsp;\2", new)
        nbsp_done |= new != s
        esc[i] = new
    if not nbsp_done:  # make sure every HTML summary carries at least one &nbsp;
        esc[0] = esc[0].replace(" ", "&nbsp;", 1)
    style = rng.choice(["paragraphs", "list", "br", "div"])
    if style == "paragraphs":
        mid = max(1, len(esc) // 2)
        body = f"<p>{' '.join(esc[:mid])}</p><p>{' '.join(esc[mid:])}</p>"
    elif style == "list" and len(esc) >= 4:
        body = (f"<p>{' '.join(esc[:-3])}</p><ul>"
                + "".join(f"<li>{s}</li>" for s in esc[-3:]) + "</ul>")
    elif style == "br":
        body = "<p>" + "<br>".join(esc) + "</p>"
    else:
        style = "div"
        body = f"<div><p><strong>Summary:</strong> {' '.join(esc[:-1])}</p><p>{esc[-1]}<br></p></div>"
    row["text"] = body
    flags = [style]
    flags += ["&amp;"] if "&amp;" in body else []
    other_entities = re.sub(r"&(amp|nbsp);", "", body)
    flags += ["named entities"] if re.search(r"&[a-z]+;", other_entities) else []
    log(row["file"], row["id"], "HTML summary", ", ".join(flags + ["&nbsp;"]))


def inject_typo(text: str) -> tuple[str, str]:
    """Swap two inner letters of one longer word (used for the 'typo fixed' resubmission)."""
    words = text.split(" ")
    cands = [i for i, w in enumerate(words) if w.isalpha() and w.islower() and len(w) >= 7]
    i = rng.choice(cands)
    w = words[i]
    j = rng.randint(1, len(w) - 3)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return " ".join(words), f"{w!r} -> {words[i]!r}"


def change_number(text: str) -> tuple[str, str]:
    """Change one percentage figure a little (the resubmission updates a result)."""
    matches = list(re.finditer(r"\b(\d{1,2})%", text))
    m = rng.choice(matches)
    old = int(m.group(1))
    new = old + rng.choice([-3, -2, 2, 3, 4]) if old > 5 else old + 2
    new = max(1, min(99, new))
    return text[: m.start(1)] + str(new) + text[m.end(1):], f"{old}% -> {new}%"


# ---------------------------------------------------------------------------
# Field-level variants (year, country, level)
# ---------------------------------------------------------------------------

def year_forms(y: int, call_year: int) -> dict:
    """All the ways a launch year shows up in submissions."""
    m, d = rng.randint(1, 12), rng.randint(1, 28)
    return {
        "float": float(y), "float_str": f"{y}.0", "iso_date": f"{y}-{m:02d}-{d:02d}",
        "excel_date": dt.datetime(y, m, d), "month_slash": f"{m:02d}/{y}",
        "month_name": f"{calendar.month_name[m]} {y}", "fiscal": f"FY{y}/{(y + 1) % 100:02d}",
        "range": f"{y}-{min(y + rng.randint(1, 3), call_year)}",
        "blank": None, "unknown": rng.choice(["unknown", "Unknown", "unknown"]),
    }


def assign_years(rows: list[dict], file: str, plan: dict[str, int], default) -> None:
    """Give ``plan[form]`` rows a non-standard year form; the rest get ``default(year)``."""
    pool = [r for r in rows if r["kind"] != "junk"]
    for r in pool:
        r["year_out"] = default(r["year"])
    order = rng.sample(pool, len(pool))
    for form, k in plan.items():
        take = [r for r in order if "year_form" not in r and
                (form != "range" or r["year"] < r["call_year"])][:k]
        for r in take:
            r["year_form"] = form
            r["year_out"] = year_forms(r["year"], r["call_year"])[form]
            shown = r["year_out"]
            if form == "excel_date":
                shown = shown.strftime("%Y-%m-%d") + " (date cell)"
            log(file, r["id"], f"year: {form}", f"{r['year']} shown as {shown!r}")


def assign_countries(rows: list[dict], file: str, plan: dict[str, int],
                     alias_extra: dict[str, list[str]] | None = None) -> None:
    """Render the country cell: aliases, codes, case/space variants, multi, EU, Global, blank."""
    pool = [r for r in rows if r["kind"] != "junk"]
    for r in pool:
        r["country_out"] = r["country"]
    # cross-border cases list all partner countries
    for r in pool:
        if r["src"] in MULTI_COUNTRY and r["kind"] == "source":
            r["country_out"] = MULTI_COUNTRY[r["src"]]
            r["country_form"] = "multi"
            log(file, r["id"], "country: several countries", r["country_out"])
        elif r["country"] == "European Union":
            r["country_form"] = "eu"
            r["country_out"] = "EU" if file == F_JSONL else "European Union"
            log(file, r["id"], "country: European Union", repr(r["country_out"]))
    # aliases for the countries that have well-known alternative names
    aliases = {k: list(v) for k, v in ALIASES.items()}
    for k, extra in (alias_extra or {}).items():
        aliases[k] = extra + aliases[k]
    cycle = {k: 0 for k in aliases}
    for r in pool:
        if "country_form" in r or r["country"] not in aliases:
            continue
        if rng.random() < 0.65:
            opts = aliases[r["country"]]
            r["country_out"] = opts[cycle[r["country"]] % len(opts)]
            cycle[r["country"]] += 1
            r["country_form"] = "alias"
            log(file, r["id"], "country: alias", f"{r['country']} -> {r['country_out']!r}")
    # codes, case and spacing variants, Global and blanks on random other rows
    free = [r for r in rng.sample(pool, len(pool)) if "country_form" not in r]
    for form, k in plan.items():
        for r in free[:k]:
            c = r["country"]
            out = {"iso2": ISO[c][0], "iso3": ISO[c][1], "lower": c.lower(), "upper": c.upper(),
                   "spaces": rng.choice([f"  {c}", f"{c}  ", f" {c} ",
                                         c.replace(" ", "  ") if " " in c else f"{c} "]),
                   "global": "Global", "blank": ""}[form]
            r["country_out"], r["country_form"] = out, form
            log(file, r["id"], f"country: {form}", f"{c} -> {out!r}")
        free = free[k:]


def assign_levels(rows: list[dict], file: str, n_blank: int = 0) -> None:
    """Render the level of government with the labels different submitters use."""
    pool = [r for r in rows if r["kind"] != "junk"]
    for r in pool:
        forms = list(LEVEL_FORMS[r["level"]])
        if r["level"] == "national" and r["country"] in FEDERAL:
            forms = [(f, 3 if f == "Federal" else w) for f, w in forms]
        labels, weights = zip(*[(f, w) for f, w in forms if w > 0])
        r["level_out"] = rng.choices(labels, weights)[0]
    for r in rng.sample(pool, n_blank):
        r["level_out"] = ""
        log(file, r["id"], "level: blank", f"{r['level']} -> ''")
    variants = Counter(r["level_out"] for r in pool)
    log(file, "-", "level labels used", ", ".join(f"{k!r}x{v}" for k, v in sorted(variants.items())))


# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------

def load_cases() -> list[dict]:
    with SOURCE.open(encoding="utf-8") as fh:
        cases = [json.loads(line) for line in fh if line.strip()]
    assert len(cases) == 340, len(cases)
    return cases


def build() -> dict:
    cases = load_cases()
    by_year = defaultdict(list)
    for c in cases:
        by_year[c["call_year"]].append(c)
    src = {c["sub_id"]: c for c in cases}

    # -- route the 2025 cases: six become loose case notes, the rest go to the portal file
    eligible_notes = [c for c in by_year[2025] if c["sub_id"] not in MULTI_COUNTRY
                      and c["country"] != "European Union" and len(c["text"].split()) >= 80]
    notes = sorted(rng.sample(eligible_notes, N_CASE_NOTES), key=lambda c: c["sub_id"])
    note_ids = {c["sub_id"] for c in notes}

    csv_rows = [new_row(c, F_CSV) for c in by_year[2023]]
    xlsx_main = [new_row(c, F_XLSX) for c in by_year[2024][:N_XLSX_MAIN_SHEET]]
    xlsx_late = [new_row(c, F_XLSX) for c in by_year[2024][N_XLSX_MAIN_SHEET:]]
    for r in xlsx_main:
        r["sheet"] = "Submissions"
    for r in xlsx_late:
        r["sheet"] = "Late submissions"

    def xlsx_rows() -> list[dict]:
        """Both sheets of the workbook, in output order (rows are shared dicts)."""
        return xlsx_main + xlsx_late
    json_rows = [new_row(c, F_JSONL) for c in by_year[2025] if c["sub_id"] not in note_ids]

    next_id = {F_CSV: 131, F_XLSX: 121, F_JSONL: 91}
    prefix = {F_CSV: "SUB-23-", F_XLSX: "SUB-24-", F_JSONL: "SUB-25-"}

    def fresh_id(file: str) -> str:
        rid = f"{prefix[file]}{next_id[file]:04d}"
        next_id[file] += 1
        return rid

    def encodable(r: dict) -> bool:
        return to_cp1252(r["title"] + r["text"]) == r["title"] + r["text"]

    # -- the semicolon + quote description in the CSV (fixed case, fixed snippet)
    sid, old, new = SEMICOLON_QUOTE_CASE
    row = next(r for r in csv_rows if r["id"] == sid)
    assert old in row["text"], "semicolon/quote snippet not found in source text"
    row["text"] = row["text"].replace(old, new)
    row["locked"] = True
    log(F_CSV, sid, "semicolon + double quote in description", short(new, 70))

    # -- exact duplicates: same title and text, new submission id ------------------
    # D1: resubmitted within the 2023 form
    (d1,) = pick(csv_rows, 1, lambda r: len(r["text"].split()) >= 70)
    dup = new_row(src[d1["src"]], F_CSV, "dup", fresh_id(F_CSV))
    dup["locked"] = True
    insert_randomly(csv_rows, dup, csv_rows.index(d1) + 1)
    log(F_CSV, dup["id"], "exact duplicate", f"of {d1['id']} (same file)")
    DUP_PAIRS.append((dup["id"], d1["id"], "exact"))
    # D2: a 2023 case sent again to the 2024 call (lands on the late sheet)
    (d2,) = pick(csv_rows, 1, encodable)
    dup = new_row(src[d2["src"]], F_XLSX, "dup", fresh_id(F_XLSX))
    dup.update(locked=True, sheet="Late submissions", call_year=2024)
    insert_randomly(xlsx_late, dup)
    log(F_XLSX, dup["id"], "exact duplicate", f"of {d2['id']} in {F_CSV} (cross-file)")
    DUP_PAIRS.append((dup["id"], d2["id"], "exact"))
    # D3: on-time 2024 submission repeated on the late sheet
    (d3,) = pick(xlsx_main, 1)
    dup = new_row(src[d3["src"]], F_XLSX, "dup", fresh_id(F_XLSX))
    dup.update(locked=True, sheet="Late submissions")
    insert_randomly(xlsx_late, dup)
    log(F_XLSX, dup["id"], "exact duplicate", f"of {d3['id']} (Submissions -> Late submissions)")
    DUP_PAIRS.append((dup["id"], d3["id"], "exact"))
    # D4: a 2024 case resubmitted through the 2025 portal
    (d4,) = pick(xlsx_rows(), 1)
    dup = new_row(src[d4["src"]], F_JSONL, "dup", fresh_id(F_JSONL))
    dup.update(locked=True, call_year=2025)
    insert_randomly(json_rows, dup)
    log(F_JSONL, dup["id"], "exact duplicate", f"of {d4['id']} in {F_XLSX} (cross-file)")
    DUP_PAIRS.append((dup["id"], d4["id"], "exact"))

    # -- near-duplicates: the same case resubmitted with a small edit ---------------
    def near(orig: dict, file: str, edit: str, target: list[dict], **extra) -> dict:
        nd = new_row(src[orig["src"]], file, "near", fresh_id(file))
        nd.update(locked=True, **extra)
        if edit == "number changed":
            nd["text"], detail = change_number(nd["text"])
        elif edit == "typo fixed":
            # the *first* submission had the typo, the resubmission corrects it
            orig["text"], detail = inject_typo(orig["text"])
            log(orig["file"], orig["id"], "typo injected (fixed in resubmission)",
                f"{detail}; see {nd['id']}")
        elif edit == "sentence added":
            added = rng.choice(ADDED_SENTENCES)
            nd["text"] = nd["text"] + " " + added
            detail = f"added {added!r}"
        elif edit == "sentence removed":
            sents = sentences(nd["text"])
            i = min(range(1, len(sents)), key=lambda k: len(sents[k]))
            detail = f"removed {short(sents[i], 50)}"
            nd["text"] = " ".join(sents[:i] + sents[i + 1:])
        else:
            raise ValueError(edit)
        overlap = word_overlap(orig["text"], nd["text"])
        assert overlap >= 0.90, (orig["id"], edit, overlap)
        insert_randomly(target, nd)
        DUP_PAIRS.append((nd["id"], orig["id"], "near"))
        log(file, nd["id"], f"near duplicate ({edit})", f"of {orig['id']} in {orig['file']}; "
            f"{detail}; word overlap {overlap:.1%}")
        return nd

    long_pct = lambda r: len(r["text"].split()) >= 100 and re.search(r"\b\d{1,2}%", r["text"])

    def removable(r: dict) -> bool:
        """Long text whose shortest non-first sentence is under 9 % of its words."""
        sents = sentences(r["text"])
        n = len(r["text"].split())
        return len(sents) >= 6 and min(len(x.split()) for x in sents[1:]) <= 0.09 * n
    (n1,) = pick(csv_rows, 1, long_pct)
    near(n1, F_CSV, "number changed", csv_rows)
    (n2,) = pick(csv_rows, 1, lambda r: len(r["text"].split()) >= 90)
    near(n2, F_CSV, "typo fixed", csv_rows)
    (n3,) = pick(xlsx_main, 1, lambda r: len(r["text"].split()) >= 100)
    near(n3, F_XLSX, "sentence added", xlsx_late, sheet="Late submissions")
    (n4,) = pick(csv_rows, 1, lambda r: removable(r) and encodable(r))
    near(n4, F_XLSX, "sentence removed", xlsx_late, sheet="Late submissions", call_year=2024)
    (n5,) = pick(xlsx_rows(), 1, long_pct)
    near(n5, F_JSONL, "number changed", json_rows, call_year=2025)

    # -- untrusted text -------------------------------------------------------------
    (u,) = pick(csv_rows, 1)
    u["title"] = '=HYPERLINK("http://example.com","click") ' + u["title"]
    log(F_CSV, u["id"], "untrusted: formula title", short(u["title"], 70))
    (u,) = pick(xlsx_rows(), 1)
    u["title"] = "+SUM(1,2) " + u["title"]
    log(F_XLSX, u["id"], "untrusted: formula title", short(u["title"], 70))
    (u,) = pick(xlsx_rows(), 1, lambda r: len(sentences(r["text"])) >= 3)
    s = sentences(u["text"])
    u["text"] = " ".join(s[:1] + ["&lt;script&gt;alert('x')&lt;/script&gt;"] + s[1:])
    log(F_XLSX, u["id"], "untrusted: escaped <script> in description", "after sentence 1")
    (u,) = pick(json_rows, 1, lambda r: len(sentences(r["text"])) >= 3)
    s = sentences(u["text"])
    u["text"] = " ".join(s[:2] + ["<script>alert('x')</script>"] + s[2:])
    log(F_JSONL, u["id"], "untrusted: raw <script> tag in description", "after sentence 2")
    (u,) = pick(csv_rows, 1, lambda r: len(sentences(r["text"])) >= 3)
    s = sentences(u["text"])
    u["text"] = " ".join(s[:1]) + "\x07 " + " ".join(s[1:2]) + "\x0b" + " ".join(s[2:])
    log(F_CSV, u["id"], "untrusted: control characters", "\\x07 (bell) and \\x0b (vertical tab)")
    (u,) = pick(json_rows, 1)
    words = u["text"].split(" ")
    for i in rng.sample(range(1, len(words)), 3):
        w = words[i]
        words[i] = w[: len(w) // 2] + "\u200b" + w[len(w) // 2:]
    u["text"] = "\u200b" + " ".join(words)
    log(F_JSONL, u["id"], "untrusted: zero-width spaces", "4 x U+200B (one leading, three inside words)")

    # -- HTML summaries and mojibake on the 2024 workbook ---------------------------
    with_amp = [r for r in xlsx_rows() if "&" in r["text"] and not r["locked"]]
    html_rows = with_amp + pick(xlsx_rows(), 4, lambda r: "é" in r["text"] and r not in with_amp, lock=False)
    for r in html_rows:
        r["locked"] = True
    html_rows += pick(xlsx_rows(), 10 - len(html_rows), lambda r: len(sentences(r["text"])) >= 4)
    for r in html_rows:
        to_html(r)
    def moji_ok(r: dict) -> bool:
        """Only texts with non-ASCII characters that turn into visible Ã© / â€™ style damage."""
        damaged = mojibake(r["text"])
        return has_non_ascii(r["text"]) and ("Ã" in damaged or "â€" in damaged)

    for r in pick(xlsx_rows(), 8, moji_ok):
        before = r["text"]
        r["text"] = mojibake(before)
        sample = next(m.group(0) for m in re.finditer(r"\S*(?:Ã|â€)\S*", r["text"]))
        log(F_XLSX, r["id"], "mojibake (utf-8 read as cp1252)", f"e.g. {sample!r}")

    # -- whitespace noise and real line breaks ---------------------------------------
    for rows, k in ((csv_rows, 8), (xlsx_rows(), 7), (json_rows, 5)):
        for r in pick(rows, k):
            add_whitespace_noise(r)
    for r in pick(csv_rows, 10, lambda r: len(sentences(r["text"])) >= 4):
        add_line_breaks(r)
    for r in pick(xlsx_rows(), 3, lambda r: len(sentences(r["text"])) >= 4):
        add_line_breaks(r)
    # a few titles with stray spaces, too
    for rows in (csv_rows, xlsx_rows(), json_rows):
        (r,) = pick(rows, 1, lock=False)
        r["title"] = rng.choice(["  ", " ", "\u00a0"]) + r["title"] + rng.choice(["  ", " "])
        log(r["file"], r["id"], "whitespace noise (title)", short(r["title"], 50))

    # -- junk rows ----------------------------------------------------------------------
    def junk(file: str, kind: str, text, **fields) -> dict:
        rid = fields.pop("rid") if "rid" in fields else fresh_id(file)
        row = {"id": rid, "src": None, "file": file, "kind": "junk",
               "text": text, "locked": True, "title": "", "year_out": None, "country_out": "",
               "org": "", "level_out": "", "sector": "", "email": "", "website": "",
               "consent": "", "tags": []}
        row.update(fields)
        log(file, row["id"] or "(no id)", f"junk: {kind}", short(text, 40))
        return row

    csv_junk = [
        junk(F_CSV, "empty description", "", title="Smart water meters for households",
             year_out="2021", country_out="Chile", org="Municipalidad de Temuco",
             level_out="Municipal", sector="Water", email="contacto.mt@example.org", consent="Yes"),
        junk(F_CSV, "N/A", "N/A", title="Innovation award application", year_out="",
             country_out="Ghana", org="Ministry of Local Government", level_out="National",
             sector="Public administration", consent="Yes"),
        junk(F_CSV, "test", "test", title="test", year_out="2023", country_out="",
             email="test@example.org", consent="No"),
        junk(F_CSV, "all fields empty", "", rid=""),
        junk(F_CSV, "whitespace only", "   \t  \n  ", title="Digital archive for council minutes",
             year_out="2020", country_out="Hungary", org="Szegedi Polgármesteri Hivatal",
             level_out="Local", sector="Public administration", email="archiv.szph@example.org",
             consent="Yes"),
    ]
    for r in csv_junk:
        insert_randomly(csv_rows, r)
    x_junk_main = [
        junk(F_XLSX, "see attachment", "see attachment", title="Green schoolyards programme",
             year_out=2022, country_out="Belgium", org="Ville de Liège", level_out="City",
             sector="Education", website="https://example.org/liege/green-schoolyards"),
        junk(F_XLSX, "markup only", "<p><br></p>", title="Open budget portal",
             year_out="2023", country_out="Peru", org="Gobierno Regional de Piura",
             level_out="Regional", sector="Public finance"),
    ]
    x_junk_late = [
        junk(F_XLSX, "3-word description", "Digital transformation initiative",
             title="Digital transformation", year_out=2024, country_out="Oman",
             org="Ministry of Transport, Communications and IT", level_out="National",
             sector="Public administration"),
        junk(F_XLSX, "N/A", "N/A", title="Late entry – details to follow", year_out=None,
             country_out="", org="", level_out="", sector=""),
    ]
    for r in x_junk_main:
        r["sheet"] = "Submissions"
        insert_randomly(xlsx_main, r)
    for r in x_junk_late:
        r["sheet"] = "Late submissions"
        insert_randomly(xlsx_late, r)
    json_junk = [
        junk(F_JSONL, "test", "test", title="Test submission", year_out=2025,
             country_out="", org="test", level_out="", sector="", tags=["test"]),
        junk(F_JSONL, "empty description", "", title="Citizen feedback kiosks",
             year_out="2024", country_out="Kenya", org="Kisumu County Government",
             level_out="Local", sector="Public administration", tags=["feedback"]),
        junk(F_JSONL, "all fields empty", "", rid="", title="", year_out=None, tags=[]),
    ]
    for r in json_junk:
        insert_randomly(json_rows, r)

    # -- field-level variants ---------------------------------------------------------
    assign_years(csv_rows, F_CSV, {"float_str": 5, "month_slash": 4, "month_name": 4,
                                   "fiscal": 2, "range": 2, "iso_date": 2, "blank": 2,
                                   "unknown": 2}, default=str)
    assign_years(xlsx_rows(), F_XLSX, {"excel_date": 6, "iso_date": 3, "float": 4,
                                     "month_name": 3, "month_slash": 2, "fiscal": 2,
                                     "range": 2, "blank": 2, "unknown": 2}, default=int)
    assign_years(json_rows, F_JSONL, {"float": 3, "iso_date": 2, "month_slash": 2,
                                      "month_name": 2, "fiscal": 1, "range": 1, "blank": 2,
                                      "unknown": 1}, default=int)
    # the portal stores some years as strings, too
    for r in rng.sample([r for r in json_rows if r["kind"] != "junk" and "year_form" not in r], 6):
        r["year_out"] = str(r["year_out"])
        log(F_JSONL, r["id"], "year: as string", repr(r["year_out"]))

    assign_countries(csv_rows, F_CSV, {"iso2": 5, "iso3": 4, "lower": 3, "upper": 3,
                                       "spaces": 4, "global": 1, "blank": 1},
                     alias_extra={"Türkiye": ["Turkiye"]})
    assign_countries(xlsx_rows(), F_XLSX, {"iso2": 5, "iso3": 4, "lower": 3, "upper": 2,
                                         "spaces": 4, "blank": 1})
    assign_countries(json_rows, F_JSONL, {"iso2": 4, "iso3": 3, "lower": 2, "upper": 2,
                                          "spaces": 3, "global": 1, "blank": 1})
    assign_levels(csv_rows, F_CSV)
    assign_levels(xlsx_rows(), F_XLSX, n_blank=1)
    assign_levels(json_rows, F_JSONL, n_blank=1)

    # consent answers in the survey export
    for r in csv_rows:
        if r["kind"] != "junk":
            r["consent"] = rng.choices(["Yes", "No", "yes", "Y", ""], [80, 8, 5, 4, 3])[0]
    # free keyword tags in the portal export
    for r in json_rows:
        if r["kind"] != "junk":
            r["tags"] = make_tags(r)

    return {"csv": csv_rows, "xlsx": xlsx_rows(), "jsonl": json_rows, "notes": notes}


_TAG_RULES = [
    ("AI", r"\bAI\b|artificial intelligence|machine learning|algorithm|chatbot|virtual assistant"),
    ("digital identity", r"digital identity|digital ID|\beID\b|identity card|ID card"),
    ("one-stop shop", r"one-stop|single window|one place|single entry"),
    ("open data", r"open data|open APIs?"), ("foresight", r"foresight|scenario"),
    ("climate", r"climate|emission|carbon|net zero"), ("disaster", r"flood|earthquake|wildfire|storm"),
    ("mobile app", r"\bapp\b"), ("automation", r"automatic|automated"),
    ("participation", r"participat|co-design|consultation"), ("COVID-19", r"COVID|pandemic"),
    ("e-payments", r"mobile money|pay online|paid online|online payment"),
]


_GENERIC_TAGS = ["digital transformation", "e-government", "service design", "innovation",
                 "public service", "GovTech", "user experience"]


def make_tags(r: dict) -> list[str]:
    """1-3 free keywords, the way portal users tag their own submission."""
    found = [tag for tag, pat in _TAG_RULES if re.search(pat, r["text"], re.I)]
    tags = [r["sector"].lower() if rng.random() < 0.7 else r["sector"]]
    tags += rng.sample(found, min(len(found), rng.randint(0, 2)))
    if len(tags) < 3 and rng.random() < 0.35:
        tags.append(rng.choice(_GENERIC_TAGS))
    return tags[:3]


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------

def write_csv(rows: list[dict]) -> int:
    """Survey-tool export: cp1252, ';', CRLF, every field quoted."""
    n_translit = 0
    with CSV_PATH.open("w", encoding="cp1252", newline="") as fh:
        w = csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        w.writerow(CSV_HEADER)
        for r in rows:
            cells = [r["id"], r["title"], r["text"], r["year_out"] if r["year_out"] is not None else "",
                     r["country_out"], r["org"], r["level_out"], r["sector"], r["email"], r["consent"]]
            cells = [str(c) for c in cells]
            safe = [to_cp1252(c) for c in cells]
            changed = [CSV_HEADER[i] for i, (a, b) in enumerate(zip(cells, safe)) if a != b]
            if changed:
                n_translit += 1
                log(F_CSV, r["id"], "cp1252 transliteration", ", ".join(changed))
            w.writerow(safe)
    return len(rows)


def write_xlsx(rows: list[dict]) -> dict[str, int]:
    """2024 workbook with an on-time and a late sheet; cells keep their natural types."""
    wb = openpyxl.Workbook()
    sheets = {"Submissions": wb.active, "Late submissions": wb.create_sheet("Late submissions")}
    sheets["Submissions"].title = "Submissions"
    for ws in sheets.values():
        ws.append(XLSX_HEADER)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for col, width in zip("ABCDEFGHI", (13, 45, 90, 12, 22, 40, 18, 22, 50)):
            ws.column_dimensions[col].width = width
    counts = Counter()
    for r in rows:
        ws = sheets[r["sheet"]]
        values = [r["id"] or None, r["title"] or None, r["text"] if r["text"] != "" else None,
                  r["year_out"], r["country_out"] or None, r["org"] or None,
                  r["level_out"] or None, r["sector"] or None, r["website"] or None]
        ws.append(values)
        row_idx = ws.max_row
        date_cell = ws.cell(row=row_idx, column=4)
        if isinstance(r["year_out"], dt.datetime):
            date_cell.number_format = "yyyy-mm-dd"
        for c in ws[row_idx]:          # never let a text cell turn into a live formula
            if isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"
        counts[r["sheet"]] += 1
    fixed = dt.datetime(2025, 1, 1)
    wb.properties.creator = "facet-classifier sample generator"
    wb.properties.created = fixed
    wb.save(XLSX_PATH)
    normalise_xlsx(XLSX_PATH, fixed)
    return dict(counts)


def normalise_xlsx(path: Path, when: dt.datetime) -> None:
    """Pin the zip entry timestamps and the docProps 'modified' date for reproducible bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)",
                              rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(zi, data)
    path.write_bytes(buf.getvalue())


def write_jsonl(rows: list[dict]) -> int:
    with JSONL_PATH.open("w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            obj = {"id": r["id"], "name": r["title"], "abstract": r["text"], "year": r["year_out"],
                   "country": r["country_out"], "organisation": r["org"],
                   "government_level": r["level_out"], "sector": r["sector"], "tags": r["tags"]}
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return len(rows)


def write_case_notes(notes: list[dict]) -> list[Path]:
    """Six loose case notes: two plain text, two Markdown, two small HTML pages."""
    if NOTES_DIR.exists():
        shutil.rmtree(NOTES_DIR)
    NOTES_DIR.mkdir(parents=True)
    written = []
    kinds = ["txt", "txt", "md", "md", "html", "html"]
    for i, (c, ext) in enumerate(zip(notes, kinds)):
        sents = sentences(c["text"])
        mid = max(1, len(sents) // 2)
        p1, p2 = " ".join(sents[:mid]), " ".join(sents[mid:])
        y = year_forms(c["year_launched"], c["call_year"])
        year_shown = [str(c["year_launched"]), y["month_name"], "since " + str(c["year_launched"]),
                      y["iso_date"], y["fiscal"], str(c["year_launched"])][i]
        country = c["country"] if i % 2 == 0 else (ALIASES.get(c["country"], [None])[0]
                                                    or ISO[c["country"]][1])
        level = {"national": "National", "regional": "Regional",
                 "local": "Municipal"}.get(c["level"], c["level"])
        name = f"{c['sub_id']}_{slugify(c['title'])}.{ext}"
        if ext == "txt" and i == 0:
            body = (f"Title: {c['title']}\nReference: {c['sub_id']}\nCountry: {country}\n"
                    f"Organisation: {c['organisation']}\nLevel of government: {level}\n"
                    f"Sector: {c['sector']}\nYear launched: {year_shown}\n"
                    f"Contact: {c['contact_email']}\n\n{p1}\n\n{p2}\n")
        elif ext == "txt":
            body = (f"{c['title'].upper()}\n{'=' * min(len(c['title']), 70)}\n\n{p1}\n\n{p2}\n\n"
                    f"-- \nSubmitted by {c['organisation']} ({country}), {level.lower()} level.\n"
                    f"Launched {year_shown}. Sector: {c['sector']}. Ref. {c['sub_id']}\n")
        elif ext == "md":
            results = sents[-2:] if len(sents) >= 5 else []
            summary = " ".join(sents[: len(sents) - len(results)])
            s_mid = sentences(summary)
            half = max(1, len(s_mid) // 2)
            body = (f"# {c['title']}\n\n"
                    f"**Reference:** {c['sub_id']}  \n**Country:** {country}  \n"
                    f"**Organisation:** {c['organisation']}  \n**Level:** {level}  \n"
                    f"**Sector:** *{c['sector']}*  \n**Launched:** {year_shown}\n\n"
                    f"## Summary\n\n{' '.join(s_mid[:half])}\n\n{' '.join(s_mid[half:])}\n")
            if results:
                body += "\n## Results\n\n" + "".join(f"- {s}\n" for s in results)
        else:
            esc = lambda s: html.escape(s, quote=False)
            body = (
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                f"<title>{esc(c['title'])} – case note</title>\n</head>\n<body>\n"
                f"<h1>{esc(c['title'])}</h1>\n"
                f"<p class=\"meta\">Reference {c['sub_id']} &middot; {esc(country)} &middot; "
                f"{esc(c['organisation'])} &middot; {level} &middot; {esc(c['sector'])} &middot; "
                f"launched {year_shown}</p>\n"
                f"<p>{esc(p1)}</p>\n<p>{esc(p2)}</p>\n"
                "<footer><p>Case notes &amp; supporting material – Global Trends call 2025</p></footer>\n"
                "</body>\n</html>\n")
        path = NOTES_DIR / name
        path.write_text(body, encoding="utf-8", newline="\n")
        written.append(path)
        log(F_NOTES, c["sub_id"], f"case note (.{ext})",
            f"{name}; year shown as {year_shown!r}; country as {country!r}")
    return written


# ---------------------------------------------------------------------------
# Checks and report
# ---------------------------------------------------------------------------

def verify(expected: dict[str, int]) -> dict[str, int]:
    """Read every output back with the tools users will use and check the counts."""
    counts = {}
    df = pd.read_csv(CSV_PATH, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    assert list(df.columns) == CSV_HEADER, df.columns
    assert len(df) == expected["csv"], (len(df), expected["csv"])
    both = df["Innovation description"].map(lambda s: ";" in s and '"' in s)
    assert both.sum() == 1, both.sum()
    raw = CSV_PATH.read_bytes()
    assert raw.startswith(b'"Submission ID";') and raw.endswith(b"\r\n")
    counts[CSV_PATH.name] = len(df)

    sheets = pd.read_excel(XLSX_PATH, sheet_name=None)
    assert set(sheets) == {"Submissions", "Late submissions"}, set(sheets)
    for name, sdf in sheets.items():
        assert list(sdf.columns) == XLSX_HEADER, sdf.columns
        assert len(sdf) == expected[name], (name, len(sdf), expected[name])
        counts[f"{XLSX_PATH.name} [{name}]"] = len(sdf)
    summaries = pd.concat(sheets.values())["Summary"].dropna()
    assert summaries.str.contains("Ã|â€").sum() >= 8
    assert summaries.str.contains("<p>").sum() >= 10

    with JSONL_PATH.open(encoding="utf-8") as fh:
        objs = [json.loads(line) for line in fh]
    assert all(list(o) == JSONL_KEYS for o in objs)
    assert len(objs) == expected["jsonl"]
    counts[JSONL_PATH.name] = len(objs)

    # resubmissions: exact duplicates identical, near duplicates >= 90 % identical words
    written = {}
    for _, r in df.iterrows():
        written[r["Submission ID"]] = (r["Innovation name"], r["Innovation description"])
    for sdf in sheets.values():
        for _, r in sdf.iterrows():
            written[r["Ref"]] = (r["Project title"], r["Summary"])
    for o in objs:
        written[o["id"]] = (o["name"], o["abstract"])
    for new_id, old_id, kind in DUP_PAIRS:
        (t_new, x_new), (t_old, x_old) = written[new_id], written[old_id]
        if kind == "exact":
            assert (t_new, x_new) == (t_old, x_old), (new_id, old_id)
        else:
            assert t_new == t_old and 0.90 <= word_overlap(x_old, x_new) < 1, (new_id, old_id)

    notes = sorted(NOTES_DIR.iterdir())
    assert len(notes) == N_CASE_NOTES and all(p.stat().st_size > 300 for p in notes)
    assert Counter(p.suffix for p in notes) == Counter({".txt": 2, ".md": 2, ".html": 2})
    counts["case_notes/*"] = len(notes)
    return counts


def report(counts: dict[str, int], data: dict) -> None:
    print("=" * 78)
    print("INJECTION LOG (file | row id | kind | detail)")
    print("=" * 78)
    for file, rid, kind, detail in LOG:
        print(f"{file:<11} | {rid:<12} | {kind:<42} | {detail}")
    print()
    print("SUMMARY OF INJECTED MESS (count per file)")
    files = [F_CSV, F_XLSX, F_JSONL, F_NOTES]
    table = defaultdict(Counter)
    for file, _rid, kind, _detail in LOG:
        if kind != "level labels used":
            table[kind][file] += 1
    print(f"{'kind':<44}" + "".join(f"{f:>12}" for f in files) + f"{'total':>8}")
    for kind in sorted(table):
        row = table[kind]
        print(f"{kind:<44}" + "".join(f"{row[f]:>12}" for f in files) + f"{sum(row.values()):>8}")
    print()
    print("ROWS PER FILE")
    for name, n in counts.items():
        print(f"  {name:<48} {n:>4}")
    total = counts[CSV_PATH.name] + sum(v for k, v in counts.items() if k.startswith(XLSX_PATH.name)) \
        + counts[JSONL_PATH.name] + counts["case_notes/*"]
    kinds = Counter(r["kind"] for key in ("csv", "xlsx", "jsonl") for r in data[key])
    print(f"  {'total':<48} {total:>4}  (source {kinds['source'] + len(data['notes'])}, "
          f"exact duplicates {kinds['dup']}, near duplicates {kinds['near']}, junk {kinds['junk']})")
    countries = {c["country"] for key in ("csv", "xlsx", "jsonl") for c in data[key] if c["kind"] == "source"}
    countries |= {c["country"] for c in data["notes"]}
    print(f"  distinct source countries: {len(countries - {'European Union'})} (+ European Union)")


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    data = build()
    n_csv = write_csv(data["csv"])
    sheet_counts = write_xlsx(data["xlsx"])
    n_jsonl = write_jsonl(data["jsonl"])
    write_case_notes(data["notes"])
    expected = {"csv": n_csv, "jsonl": n_jsonl, **sheet_counts}
    counts = verify(expected)
    total = sum(counts.values())
    assert total == 340 + 4 + 5 + 12, total
    report(counts, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
