"""Normalisers for submitted cell values: text, years, levels of government and language.

Each takes one raw cell (any type, possibly missing) and never raises; the ones on metadata are
cached because a year's submissions repeat the same few hundred distinct values.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

import ftfy

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # markup and entities are handled once, by markup_to_text
    uncurl_quotes=False,  # curly quotes are legitimate text, not damage
    fix_character_width=False,
    fix_latin_ligatures=True,
    normalization="NFC",
    explain=False,
)

_TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9:-]*(\s[^<>]*)?/?\s*>|<!--.*?-->", re.S)
_ENTITY_RE = re.compile(r"&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_WHITESPACE_RE = re.compile(r"\s+")
_BLOCK_TAGS = {
    "p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "blockquote", "table", "hr", "title",
}  # fmt: skip
_SKIPPED_TAGS = {"script", "style", "noscript", "template", "head"}
# Format characters that are invisible damage (zero-width spaces, BOM, soft hyphen); ZWJ/ZWNJ
# are kept because several scripts need them.
_KEEP_FORMAT_CHARS = {"\u200c", "\u200d"}


def is_missing(value: Any) -> bool:
    """True for None, NaN/NA and blank strings."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(value, str) and not value.strip()


def as_text(value: Any) -> str:
    """A cell as a string; missing becomes ''; integral floats lose their '.0'."""
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "; ".join(part for part in (as_text(v) for v in value) if part)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment, one space per block boundary."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def looks_like_markup(text: str) -> bool:
    return bool(_TAG_RE.search(text))


def markup_to_text(text: str) -> str:
    """Plain text of a cell that may hold HTML and/or character entities (decoded exactly once).

    Script and style contents are dropped as markup; text that only *becomes* `<script>` after
    entity decoding stays as literal text, which is why every output escapes it again.
    """
    if "<" in text and looks_like_markup(text):
        parser = _TextExtractor()
        parser.feed(text)
        parser.close()
        return "".join(parser.parts)
    if "&" in text and _ENTITY_RE.search(text):
        return html.unescape(text)
    return text


@lru_cache(maxsize=1)
def _invisible_re() -> re.Pattern[str]:
    """One character class of every control, format, private-use and surrogate code point."""
    ranges: list[str] = []
    start = None
    for code in range(0x110000 + 1):
        ch = chr(code) if code < 0x110000 else ""
        hit = bool(ch) and unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") and ch not in _KEEP_FORMAT_CHARS
        if hit and start is None:
            start = code
        elif not hit and start is not None:
            ranges.append(f"\\U{start:08x}-\\U{code - 1:08x}")
            start = None
    return re.compile("[" + "".join(ranges) + "]")


_SPACE_LIKE_CONTROLS = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")


def _drop_invisible(text: str) -> str:
    """Control characters that separate text become spaces; other invisible characters go."""
    return _invisible_re().sub(lambda m: " " if m.group() in _SPACE_LIKE_CONTROLS else "", text)


# UTF-8 read as cp1252/latin-1 always leaves a lead character (Â..ô) followed by a continuation
# character (U+0080-U+00BF, or what cp1252 puts at 0x80-0x9F); ligatures are ftfy's other fix.
# Text without either is left to the cheap steps: ftfy costs ~0.3 ms per case.
_MOJIBAKE_HINT_RE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160"
    "\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153"
    "\u017e\u0178]|[\ufb00-\ufb06]|\ufffd"
)


def _repair(text: str) -> str:
    return ftfy.fix_text(text, _FTFY_CONFIG) if _MOJIBAKE_HINT_RE.search(text) else text


def _normalise_once(text: str) -> str:
    if not text.isascii():
        text = _repair(text)
        text = _drop_invisible(text)
        text = unicodedata.normalize("NFC", text)
    elif not text.isprintable():
        text = _drop_invisible(text)
    return _WHITESPACE_RE.sub(" ", text).strip()


def normalise_text(value: Any) -> str:
    """Repair mojibake, NFC-normalise, drop control/invisible characters, collapse whitespace.

    Idempotent: repairs can expose new damage (a control character hiding "Â" + space, the
    mojibake of a no-break space), so the steps repeat until nothing changes (at most 3 rounds).
    ASCII text skips ftfy, which is by far the costliest step.
    """
    text = as_text(value)
    for _ in range(3):
        fixed = _normalise_once(text)
        if fixed == text:
            break
        text = fixed
    return text


def clean_cell_text(value: Any) -> str:
    """Full clean-up of a submitted free-text cell: markup and entities, then normalise_text."""
    text = as_text(value)
    if not text:
        return ""
    if not text.isascii():
        # Mojibake must be repaired before markup parsing so that damaged entities survive.
        text = _repair(text)
    return normalise_text(markup_to_text(text))


_WORD_TOKEN_RE = re.compile(r"\S*[^\W_]\S*")


def count_words(text: str) -> int:
    """Whitespace-separated tokens that contain at least one letter or digit."""
    return len(_WORD_TOKEN_RE.findall(text))


# ---------------------------------------------------------------- years
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|"
    "august|september|october|november|december"
)
_YEAR_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?P<y>\d{4})(?:\.0+)?$"),  # 2019, 2019.0
    re.compile(r"^(?P<y>\d{4})[-/.]\d{1,2}(?:[-/.]\d{1,2})?(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^\d{1,2}[-/.](?:\d{1,2}[-/.])?(?P<y>\d{4})$"),  # 05/2018, 01/05/2018
    re.compile(rf"^(?:\d{{1,2}}\s+)?(?:{_MONTHS})\.?,?\s+(?:\d{{1,2}},?\s+)?(?P<y>\d{{4}})$", re.I),
    re.compile(r"^(?:fy|fiscal year|financial year)\s*(?P<y>\d{4})(?:\s*[-/]\s*\d{2,4})?$", re.I),
    re.compile(r"^(?:fy|fiscal year|financial year)\s*(?P<yy>\d{2})(?:\s*[-/]\s*\d{2})?$", re.I),
    re.compile(r"^(?:since|from|in|started|launched|c\.|ca\.|circa|approx\.?)\s+(?P<y>\d{4})$", re.I),
    re.compile(r"^(?P<y>\d{4})\s*(?:-|–|—|/|to)\s*(?:\d{2}|\d{4}|present|ongoing|now)$", re.I),
    re.compile(r"^(?:q[1-4]|h[12])\s*(?P<y>\d{4})$", re.I),
    re.compile(r"^(?P<y>\d{4})\s*(?:q[1-4]|h[12])$", re.I),
)
MIN_YEAR, MAX_YEAR = 1900, 2100


@lru_cache(maxsize=8192)
def _parse_year_text(text: str) -> int | None:
    text = text.strip().strip("\"'").strip()
    for pattern in _YEAR_PATTERNS:
        match = pattern.match(text)
        if match:
            groups = match.groupdict()
            year = int(groups["y"]) if groups.get("y") else 2000 + int(groups["yy"])
            return year if MIN_YEAR <= year <= MAX_YEAR else None
    return None


def parse_year(value: Any) -> int | None:
    """The year a case started, from the many ways submitters write it; None when not a year.

    Ranges and fiscal years give their first year ("FY2020/21" -> 2020, "2017-2019" -> 2017).
    """
    if is_missing(value) or isinstance(value, bool):
        return None
    if hasattr(value, "year") and not isinstance(value, str):  # date, datetime, Timestamp
        year = int(value.year)
        return year if MIN_YEAR <= year <= MAX_YEAR else None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return None
        year = int(value)
        return year if MIN_YEAR <= year <= MAX_YEAR else None
    return _parse_year_text(str(value)[:64])


# ---------------------------------------------------------------- level of government
LEVELS = ("national", "regional", "local", "supranational")
_LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "supranational": (
        "supranational", "supra national", "international", "european union", "eu", "european",
        "multilateral", "across countries", "cross border", "transnational", "global", "multinational",
    ),
    "national": ("national", "central", "federal", "country", "state government national", "nationwide", "ministry"),
    "regional": ("regional", "region", "state", "province", "provincial", "canton", "cantonal", "devolved", "county", "subnational", "sub national", "prefecture", "district"),
    "local": ("local", "municipal", "municipality", "city", "town", "council", "local authority", "village", "commune", "borough", "metropolitan", "urban"),
}  # fmt: skip


@lru_cache(maxsize=4096)
def _parse_level_text(text: str) -> str | None:
    key = re.sub(r"[^a-z]+", " ", text.lower()).strip()
    if not key:
        return None
    words = set(key.split())
    for level in ("supranational", "local", "regional", "national"):
        for phrase in _LEVEL_WORDS[level]:
            if (" " in phrase and phrase in key) or phrase in words:
                return level
    return None


def parse_level(value: Any) -> str | None:
    """One of LEVELS, or None when the value names no level we recognise (kept raw elsewhere)."""
    text = as_text(value)
    return _parse_level_text(text[:100]) if text else None
