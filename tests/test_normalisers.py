"""Normalisers of submitted cells: examples plus property tests (never crash, idempotent)."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facet_classifier.ingest.countries import normalise_country
from facet_classifier.ingest.language import detect_language
from facet_classifier.ingest.normalise import (
    clean_cell_text,
    count_words,
    normalise_text,
    parse_level,
    parse_year,
)

_pieces = st.sampled_from(
    ["<p>", "</p>", "<br>", "&amp;", "&lt;", "&nbsp;", "Ã©", "â€™", "\x07", "\u200b", "\ufeff", "\r\n", "\t", " "]
)
messy_text = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | _pieces,
    max_size=20,
).map("".join)


@given(messy_text)
@settings(max_examples=300, deadline=None)
def test_normalise_text_is_idempotent_and_clean(value: str) -> None:
    once = normalise_text(value)
    assert normalise_text(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert not any(unicodedata.category(ch) == "Cc" for ch in once)
    assert "\u200b" not in once and "\ufeff" not in once


@given(messy_text)
@settings(max_examples=300, deadline=None)
def test_clean_cell_text_never_crashes_and_leaves_no_controls(value: str) -> None:
    out = clean_cell_text(value)
    assert isinstance(out, str)
    assert "\x07" not in out and "\u200b" not in out and "  " not in out


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Faster&nbsp;permits &amp; licences</p><ul><li>one</li><li>two</li></ul>", "Faster permits & licences one two"),
        ("Caf\u00c3\u00a9 owners\u00e2\u20ac\u2122 forms", "Café owners’ forms"),
        ("text with &lt;script&gt;alert(1)&lt;/script&gt; inside", "text with <script>alert(1)</script> inside"),
        ("<p>visible</p><script>alert('x')</script>", "visible"),
        ("  tabs\tand\u00a0nbsp\u200b and\x07 bell  ", "tabs and nbsp and bell"),
        ("<p><br></p>", ""),
        (None, ""),
        (float("nan"), ""),
        (2019.0, "2019"),
    ],
)
def test_clean_cell_text_examples(raw: object, expected: str) -> None:
    assert clean_cell_text(raw) == expected


def test_count_words_ignores_punctuation_only_tokens() -> None:
    assert count_words("A - quick , test .") == 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019", 2019), ("2019.0", 2019), (2019, 2019), (2019.0, 2019), ("2019-05-01", 2019),
        ("05/2018", 2018), ("01/05/2018", 2018), ("May 2019", 2019), ("1 March 2021", 2021),
        ("Sept. 2016", 2016), ("FY2020/21", 2020), ("FY 2020-2021", 2020), ("fy21", 2021),
        ("2017-2019", 2017), ("2017 – present", 2017), ("since 2015", 2015), ("Q3 2022", 2022),
        (dt.date(2020, 3, 1), 2020), (" 2020 ", 2020), ("unknown", None), ("", None), (None, None),
        ("12345", None), ("1850", None), (2019.5, None), (True, None), ("n/a", None),
    ],
)
def test_parse_year_examples(raw: object, expected: int | None) -> None:
    assert parse_year(raw) == expected


@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=True), st.none(), st.dates()))
@settings(max_examples=300, deadline=None)
def test_parse_year_never_crashes_and_is_idempotent(value: object) -> None:
    year = parse_year(value)
    assert year is None or 1900 <= year <= 2100
    if year is not None:
        assert parse_year(str(year)) == year
        assert parse_year(year) == year


@pytest.mark.parametrize(
    ("raw", "code", "name"),
    [
        ("UK", "GBR", "United Kingdom"), ("USA", "USA", "United States"), ("U.S.", "USA", "United States"),
        ("Türkiye", "TUR", "Türkiye"), ("Turkey", "TUR", "Türkiye"), ("Republic of Korea", "KOR", "South Korea"),
        ("Viet Nam", "VNM", "Vietnam"), ("Czechia", "CZE", "Czechia"), ("Czech Republic", "CZE", "Czechia"),
        ("fr", "FRA", "France"), ("DEU", "DEU", "Germany"), ("  netherlands ", "NLD", "Netherlands"),
        ("Trinidad and Tobago", "TTO", "Trinidad and Tobago"), ("Korea, Republic of", "KOR", "South Korea"),
        ("France; Germany", "FRA;DEU", "France; Germany"), ("Kenya, Uganda and Tanzania", "KEN;UGA;TZA", "Kenya; Uganda; Tanzania"),
        ("European Union", "EU", "European Union"), ("Global", None, "Global"),
    ],
)
def test_country_examples(raw: str, code: str | None, name: str) -> None:
    info = normalise_country(raw)
    assert (info.code, info.name, info.recognised) == (code, name, True)


def test_country_regions_and_unknowns() -> None:
    assert normalise_country("Kenya").region == "Sub-Saharan Africa"
    assert normalise_country("France; Kenya").region == "Multiple regions"
    assert normalise_country("Narnia").recognised is False
    assert normalise_country(None).code is None


@given(st.one_of(st.text(max_size=60), st.none(), st.integers()))
@settings(max_examples=300, deadline=None)
def test_country_never_crashes_and_is_idempotent(value: object) -> None:
    info = normalise_country(value)
    if info.recognised and info.name:
        assert normalise_country(info.name) == info
    if info.code and info.code != "EU":
        assert normalise_country(info.code.replace(";", "; ")) == info


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        ("National", "national"), ("central government", "national"), ("Federal", "national"),
        ("State / Province", "regional"), ("Regional", "regional"), ("Municipal", "local"), ("City", "local"),
        ("Local authority", "local"), ("Across Countries", "supranational"), ("European Union", "supranational"),
        ("", None), ("Galactic", None),
    ],
)
def test_level_examples(raw: str, level: str | None) -> None:
    assert parse_level(raw) == level


@given(st.text(max_size=60))
def test_level_is_idempotent(value: str) -> None:
    level = parse_level(value)
    assert level is None or parse_level(level) == level


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The ministry launched an online service that lets citizens renew their passports from home.", "en"),
        ("Le ministère a lancé un service en ligne qui permet aux citoyens de renouveler leur passeport.", "fr"),
        ("El ministerio lanzó un servicio en línea que permite a los ciudadanos renovar su pasaporte.", "es"),
        ("Das Ministerium hat einen Online-Dienst gestartet, mit dem Bürger ihren Pass verlängern können.", "de"),
        ("ok", "und"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language
