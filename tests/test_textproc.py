"""spaCy text processing: lookup lemmas, seed-phrase matches and target patterns."""

from __future__ import annotations

import spacy

from facet_classifier.taxonomy import load_taxonomy
from facet_classifier.textproc import TextProcessor, model_text
from facet_classifier.textproc.processor import LEMMA_OVERRIDES


def test_fast_lemmatizer_gives_the_stock_lookup_lemmas() -> None:
    text = ("Cities launched services and were building better policies; the agencies digitised forms, "
            "halving waiting times for children and older people in 2030.").lower()  # fmt: skip
    stock = spacy.blank("en")
    stock.add_pipe("lemmatizer", config={"mode": "lookup"})
    stock.initialize()
    ours = TextProcessor(load_taxonomy()).nlp
    expected = [t.lemma_ for t in stock(text)]
    got = [t.lemma_ for t in ours(text)]
    assert got == [LEMMA_OVERRIDES.get(t.text, e) for t, e in zip(stock(text), expected)]


def test_ai_is_not_lemmatised_away() -> None:
    processed = TextProcessor(load_taxonomy()).process_one("An AI assistant answers questions as a matter of routine.")
    assert "ai" in processed.lemmas and "matter" in processed.lemmas
    assert "trend:ai-and-data" in processed.seeds


def test_seed_phrases_match_inflected_forms_and_patterns() -> None:
    processed = TextProcessor(load_taxonomy()).process_one(
        "The region will reach net-zero emissions by 2040 and cut waiting times by 30% with one-stop shops."
    )
    assert processed.seeds["facet:mission"] >= 1
    assert "waiting times" in processed.seed_phrases["facet:enhancement"]
    assert processed.patterns["target_year"] == 1 and processed.patterns["percent_target"] == 1


def test_model_text_joins_title_and_text_once() -> None:
    assert model_text("Pay online", "Residents pay fees online.") == "Pay online. Residents pay fees online."
    assert model_text("Pay online", "Pay online lets residents pay fees.") == "Pay online lets residents pay fees."
    assert model_text(None, "Only text.") == "Only text."
