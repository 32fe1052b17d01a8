"""Country cells to ISO 3166-1 alpha-3 code, English name and world region.

pycountry resolves official names and codes; the aliases below cover the variants submitters
actually write. A cell naming several countries is kept as a list (codes joined by ';'), and
"European Union" or "Global" are kept as what they are, never guessed into one country.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pycountry

from facet_classifier.ingest.normalise import as_text

# World Bank regions, the grouping most trend reports use.
_REGION_MEMBERS: dict[str, str] = {
    "East Asia & Pacific": (
        "ASM AUS BRN CHN FJI FSM GUM HKG IDN JPN KHM KIR KOR LAO MAC MHL MMR MNG MNP MYS NCL NRU NZL "
        "PHL PLW PNG PRK PYF SGP SLB THA TLS TON TUV TWN VNM VUT WSM COK NIU TKL WLF PCN NFK CXR CCK"
    ),
    "Europe & Central Asia": (
        "ALB AND ARM AUT AZE BEL BGR BIH BLR CHE CYP CZE DEU DNK ESP EST FIN FRA FRO GBR GEO GIB GRC "
        "GRL HRV HUN IMN IRL ISL ITA KAZ KGZ LIE LTU LUX LVA MCO MDA MKD MNE NLD NOR POL PRT ROU RUS "
        "SMR SRB SVK SVN SWE TJK TKM TUR UKR UZB XKX VAT ALA GGY JEY SJM"
    ),
    "Latin America & Caribbean": (
        "ABW ARG ATG BHS BLZ BOL BRA BRB CHL COL CRI CUB CUW CYM DMA DOM ECU GRD GTM GUY HND HTI JAM "
        "KNA LCA MAF MEX NIC PAN PER PRI PRY SLV SUR SXM TCA TTO URY VCT VEN VGB VIR AIA BES BLM GLP "
        "GUF MSR MTQ FLK"
    ),
    "Middle East & North Africa": (
        "ARE BHR DJI DZA EGY IRN IRQ ISR JOR KWT LBN LBY MAR MLT OMN PSE QAT SAU SYR TUN YEM ESH"
    ),
    "North America": "BMU CAN USA SPM",
    "South Asia": "AFG BGD BTN IND LKA MDV NPL PAK",
    "Sub-Saharan Africa": (
        "AGO BDI BEN BFA BWA CAF CIV CMR COD COG COM CPV ERI ETH GAB GHA GIN GMB GNB GNQ KEN LBR LSO "
        "MDG MLI MOZ MRT MUS MWI NAM NER NGA RWA SDN SEN SLE SOM SSD STP SWZ SYC TCD TGO TZA UGA ZAF "
        "ZMB ZWE MYT REU SHN"
    ),
}  # fmt: skip
REGION_OF: dict[str, str] = {
    code: region for region, codes in _REGION_MEMBERS.items() for code in codes.split()
}
MULTIPLE_REGIONS = "Multiple regions"
GLOBAL = "Global"

# Variants that pycountry's lookup does not know (keys are normalised with _key()).
_ALIASES: dict[str, str] = {
    "uk": "GBR", "u k": "GBR", "great britain": "GBR", "britain": "GBR", "england": "GBR",
    "scotland": "GBR", "wales": "GBR", "northern ireland": "GBR", "united kingdom of great britain": "GBR",
    "usa": "USA", "us": "USA", "u s": "USA", "u s a": "USA", "united states of america": "USA",
    "america": "USA", "the united states": "USA",
    "south korea": "KOR", "republic of korea": "KOR", "korea": "KOR", "korea south": "KOR",
    "north korea": "PRK", "dprk": "PRK",
    "russia": "RUS", "russian federation": "RUS", "turkey": "TUR", "turkiye": "TUR",
    "republic of turkiye": "TUR", "vietnam": "VNM", "czech republic": "CZE", "the netherlands": "NLD",
    "holland": "NLD", "macedonia": "MKD", "fyrom": "MKD", "republic of north macedonia": "MKD",
    "ivory coast": "CIV", "cote d ivoire": "CIV", "cape verde": "CPV", "swaziland": "SWZ",
    "burma": "MMR", "kosovo": "XKX", "palestine": "PSE", "state of palestine": "PSE",
    "dr congo": "COD", "drc": "COD", "democratic republic of congo": "COD",
    "democratic republic of the congo": "COD", "republic of the congo": "COG", "congo brazzaville": "COG",
    "laos": "LAO", "syria": "SYR", "iran": "IRN", "moldova": "MDA", "republic of moldova": "MDA",
    "tanzania": "TZA", "bolivia": "BOL", "venezuela": "VEN", "brunei": "BRN", "uae": "ARE",
    "emirates": "ARE", "the gambia": "GMB", "gambia": "GMB", "east timor": "TLS", "vatican": "VAT",
    "holy see": "VAT", "micronesia": "FSM", "st lucia": "LCA", "saint lucia": "LCA",
    "st kitts and nevis": "KNA", "st vincent and the grenadines": "VCT", "taiwan": "TWN",
    "hong kong": "HKG", "macau": "MAC", "the bahamas": "BHS", "bahamas": "BHS", "slovak republic": "SVK",
    "kyrgyz republic": "KGZ", "lao pdr": "LAO", "trinidad tobago": "TTO", "bosnia": "BIH",
    "bosnia herzegovina": "BIH", "espana": "ESP", "deutschland": "DEU", "brasil": "BRA",
    "mexique": "MEX", "italia": "ITA", "sverige": "SWE", "norge": "NOR", "danmark": "DNK",
    "suomi": "FIN", "osterreich": "AUT", "schweiz": "CHE", "suisse": "CHE", "belgique": "BEL",
    "belgie": "BEL", "polska": "POL", "eesti": "EST",
}  # fmt: skip
# Values that are a region or bloc on purpose: kept as such, with no single country.
_BLOCS: dict[str, tuple[str, str]] = {
    "european union": ("EU", "Europe & Central Asia"),
    "eu": ("EU", "Europe & Central Asia"),
    "eu27": ("EU", "Europe & Central Asia"),
    "eu 27": ("EU", "Europe & Central Asia"),
}
_BLOC_NAMES = {"EU": "European Union"}
_GLOBAL_WORDS = {"global", "worldwide", "international", "world", "multiple countries", "various", "all countries"}
_SPLIT_RE = re.compile(r"\s*(?:;|\||/|,|\band\b|&|\+)\s*")


@dataclass(frozen=True)
class CountryInfo:
    """A resolved country cell: `code` is alpha-3 (or 'A;B' for several, 'EU' for the Union)."""

    code: str | None
    name: str | None
    region: str | None
    recognised: bool


UNKNOWN = CountryInfo(None, None, None, False)


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
    return re.sub(r"^the ", "", text) if text not in _ALIASES else text


def _display_name(alpha3: str) -> str:
    if alpha3 == "XKX":
        return "Kosovo"
    country = pycountry.countries.get(alpha_3=alpha3)
    if country is None:
        return alpha3
    return getattr(country, "common_name", None) or country.name


@lru_cache(maxsize=4096)
def _single_country(part: str) -> str | None:
    """Alpha-3 of one country written any common way, or None."""
    key = _key(part)
    if not key:
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        country = pycountry.countries.lookup(part.strip())
        return country.alpha_3
    except LookupError:
        pass
    for country in pycountry.countries:  # names pycountry stores with accents or commas
        names = {country.name, getattr(country, "common_name", ""), getattr(country, "official_name", "")}
        if key in {_key(n) for n in names if n}:
            return country.alpha_3
        if "," in country.name:  # "Korea, Republic of" -> "republic of korea"
            head, tail = country.name.split(",", 1)
            if key == _key(f"{tail} {head}"):
                return country.alpha_3
    return None


@lru_cache(maxsize=8192)
def _resolve(text: str) -> CountryInfo:
    key = _key(text)
    if not key:
        return UNKNOWN
    if key in _BLOCS:
        code, region = _BLOCS[key]
        return CountryInfo(code, _BLOC_NAMES[code], region, True)
    if key in _GLOBAL_WORDS:
        return CountryInfo(None, GLOBAL, GLOBAL, True)
    whole = _single_country(text)
    if whole:
        return CountryInfo(whole, _display_name(whole), REGION_OF.get(whole), True)
    parts = [p for p in _SPLIT_RE.split(text) if p.strip()]
    if len(parts) > 1:
        codes = [_single_country(p) for p in parts]
        if all(codes):
            unique = list(dict.fromkeys(codes))  # type: ignore[arg-type]
            if len(unique) == 1:
                return CountryInfo(unique[0], _display_name(unique[0]), REGION_OF.get(unique[0]), True)
            regions = {REGION_OF.get(c) for c in unique}
            region = regions.pop() if len(regions) == 1 else MULTIPLE_REGIONS
            return CountryInfo(";".join(unique), "; ".join(_display_name(c) for c in unique), region, True)
    return UNKNOWN


def normalise_country(value: Any) -> CountryInfo:
    """Resolve a country cell; unrecognised values come back with recognised=False."""
    text = as_text(value).strip()
    if not text:
        return UNKNOWN
    return _resolve(text[:200])
