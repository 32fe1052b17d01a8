"""spaCy processing shared by training, classification and explanation.

The pipeline is `spacy.blank("en")` with the English lookup lemmatizer table from
spacy-lookups-data (no downloads, no statistical models), a PhraseMatcher over the taxonomy's seed
phrases matched on lemmas, and a few regular-expression patterns (a target year such as
"by 2030", a percentage target). The processor is rebuilt from the taxonomy at load time, so
model files never hold spaCy objects.

The lemmas come from the same lookup table spaCy's own `lemmatizer` (mode "lookup") uses, applied
by a small component that maps token ids to lemma ids: identical lemmas (a test checks) except
for LEMMA_OVERRIDES, but
measured 11k docs/s against 2.2k docs/s for the stock component on 120-word cases, which made the
lemmatizer the slowest step of classification.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import re

import numpy
import spacy
from spacy.attrs import LEMMA, ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.lookups import load_lookups
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from facet_classifier.taxonomy import Taxonomy

SEED_PREFIX = "seed"
PATTERN_PREFIX = "pattern"
# Stop words are dropped from the lemma stream, but these carry meaning for the facets.
_KEPT_STOP_WORDS = {"new", "future", "first", "together", "across", "whole", "before", "not", "no"}
_STOP = frozenset(STOP_WORDS) - _KEPT_STOP_WORDS
MAX_CHARS = 20000  # longer texts are cut: a case description never needs more to be classified


def model_text(title: Any, text: Any) -> str:
    """The text a model reads: title and description, because titles often name the purpose."""
    parts = [str(p).strip() for p in (title, text) if p is not None and str(p).strip() and str(p) != "nan"]
    if len(parts) == 2 and parts[1].lower().startswith(parts[0].lower()):
        return parts[1]
    return ". ".join(parts)


@dataclass
class ProcessedText:
    """What the models read from one case: lemmas, seed-phrase hits and pattern hits."""

    lemmas: list[str]
    seeds: Counter = field(default_factory=Counter)  # "axis:label" -> number of phrase matches
    seed_phrases: dict[str, list[str]] = field(default_factory=dict)  # "axis:label" -> phrases seen
    patterns: Counter = field(default_factory=Counter)
    n_tokens: int = 0
    metadata: dict[str, str] = field(default_factory=dict)  # case metadata used as features, if any

    def feature_tokens(self) -> list[str]:
        """Seed and pattern hits as pseudo-tokens (one per match) for a count vectoriser."""
        tokens = [f"{SEED_PREFIX}:{key}" for key, n in self.seeds.items() for _ in range(n)]
        tokens += [f"{PATTERN_PREFIX}:{key}" for key, n in self.patterns.items() for _ in range(n)]
        return tokens


# Patterns over the lower-cased text; each match becomes a "pattern:<name>" feature.
TEXT_PATTERNS: dict[str, re.Pattern[str]] = {
    # An outcome target with a date ("net zero by 2040", "target for 2030"): the mark of a mission.
    "target_year": re.compile(r"\b(?:by|until|before|horizon|target(?:s|ed)? (?:for|of)|goal(?:s)? (?:for|of))\s+(?:the (?:year|end of) )?20[2-9]\d\b"),
    # A quantified change ("cut emissions by 55%", "halve", "reduce ... by 30 percent").
    "percent_target": re.compile(r"\b(?:reduc\w*|cut\w*|increas\w*|rais\w*|lower\w*|reach\w*)\b[^.%]{0,40}?\b\d{1,3}(?:[.,]\d+)?\s?(?:%|per ?cent)"),
    # A year well in the future, typical of foresight horizons and long-term goals.
    "distant_year": re.compile(r"\b20[3-9]\d\b|\b2100\b"),
}


# The lookup table has no part-of-speech, and a few entries come from contractions or rare senses
# ("ai" from "ain't" -> "have", "as" -> "a", "matter" -> "matt"); left alone they erase "AI"
# from every case. These words keep their own form.
LEMMA_OVERRIDES = {"ai": "ai", "as": "as", "matter": "matter", "well": "well", "putting": "put", "wales": "wales"}


@Language.factory("fast_lookup_lemmatizer")
def _make_fast_lookup_lemmatizer(nlp: Language, name: str) -> FastLookupLemmatizer:
    return FastLookupLemmatizer(nlp)


class FastLookupLemmatizer:
    """spacy-lookups-data's English lemma table applied as a token-id -> lemma-id mapping."""

    def __init__(self, nlp: Language) -> None:
        table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        strings = nlp.vocab.strings
        self.lemma_of = {key: strings.add(value) for key, value in table.items()}
        for word, lemma in LEMMA_OVERRIDES.items():
            self.lemma_of[strings.add(word)] = strings.add(lemma)

    def __call__(self, doc: Doc) -> Doc:
        # Whole-array access: creating a Python Token object per token costs more than the lookup.
        lemma_of = self.lemma_of
        orths = doc.to_array(ORTH).tolist()
        lemmas = numpy.fromiter((lemma_of.get(o, o) for o in orths), dtype=numpy.uint64, count=len(orths))
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc


class TextProcessor:
    """Turns case texts into ProcessedText; one instance per taxonomy, reused across batches."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("fast_lookup_lemmatizer")
        self._lemma_cache: dict[int, str | None] = {}
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self._keys: dict[int, str] = {}
        for axis in taxonomy.axes.values():
            for label in axis.labels:
                if not label.seed_phrases:
                    continue
                key = f"{axis.name}:{label.id}"
                patterns = list(self.nlp.pipe(phrase.lower() for phrase in label.seed_phrases))
                self.phrase_matcher.add(key, patterns)
                self._keys[self.nlp.vocab.strings[key]] = key

    def _content_lemma(self, lemma_id: int) -> str | None:
        """The lemma string if it is a content word (alphabetic, 2+ letters, not a stop word)."""
        if lemma_id not in self._lemma_cache:
            lemma = self.nlp.vocab.strings[lemma_id]
            keep = lemma.isalpha() and len(lemma) > 1 and lemma not in _STOP
            self._lemma_cache[lemma_id] = lemma if keep else None
        return self._lemma_cache[lemma_id]

    def _processed(self, doc: Doc, text: str) -> ProcessedText:
        lemmas = [lemma for lemma in map(self._content_lemma, doc.to_array(LEMMA).tolist()) if lemma]
        seeds: Counter = Counter()
        phrases: dict[str, list[str]] = {}
        for match_id, start, end in self.phrase_matcher(doc):
            key = self._keys[match_id]
            seeds[key] += 1
            phrases.setdefault(key, []).append(doc[start:end].text)
        patterns: Counter = Counter()
        for name, pattern in TEXT_PATTERNS.items():
            hits = len(pattern.findall(text))
            if hits:
                patterns[name] = hits
        return ProcessedText(lemmas, seeds, phrases, patterns, len(doc))

    def process(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[ProcessedText]:
        cleaned = [(t or "")[:MAX_CHARS].lower() for t in texts]
        for doc, text in zip(self.nlp.pipe(cleaned, batch_size=batch_size), cleaned):
            yield self._processed(doc, text)

    def process_one(self, text: str) -> ProcessedText:
        return next(self.process([text]))
