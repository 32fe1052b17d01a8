"""Small helpers for numbers in sentences: plurals, lists, percentages and percentage points."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

_IRREGULAR = {"case": "cases", "country": "countries", "year": "years", "is": "are", "was": "were", "has": "have"}


def plural(n: int | float, singular: str, plural_form: str | None = None) -> str:
    """'1 case', '2 cases', '0 countries' (thousands separated)."""
    word = singular if n == 1 else (plural_form or _IRREGULAR.get(singular) or singular + "s")
    return f"{n:,} {word}" if isinstance(n, int) else f"{n} {word}"


def verb(n: int, singular: str) -> str:
    """The verb that agrees with n: verb(1, 'is') -> 'is', verb(3, 'is') -> 'are'."""
    return singular if n == 1 else _IRREGULAR.get(singular, singular)


def join_words(items: Iterable[object], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def year_list(years: Sequence[int], limit: int = 12) -> str:
    """Years as 'a, b and c', or the first few and how many more."""
    years = list(years)
    if len(years) <= limit:
        return join_words(years)
    return f"{', '.join(str(y) for y in years[:limit])} and {len(years) - limit} more"


def whole_percent(share: float | None) -> int | None:
    """A share (0-1) as a whole percentage, or None when undefined."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return None
    return int(math.floor(share * 100 + 0.5))


def percent(share: float | None, decimals: int = 0) -> str:
    """A share (0-1) as '41 %' (or '41.2 %'); '–' when undefined."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    if decimals == 0:
        return f"{whole_percent(share)} %"
    return f"{share * 100:.{decimals}f} %"


def points_phrase(points: int, earlier: str) -> str:
    """'3 points more than in 2024', '1 point less than in 2024', 'the same share as in 2024'."""
    if points == 0:
        return f"the same share as in {earlier}"
    word = "more" if points > 0 else "less"
    return f"{plural(abs(points), 'point')} {word} than in {earlier}"


def signed_points(value: float | None, decimals: int = 1) -> str:
    """A change in percentage points as '+3.1' / '-0.4'; '–' when undefined."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:+.{decimals}f}"
    return "±0.0" if text in ("+0.0", "-0.0") else text


def capitalise(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
