"""Features for the linear models: TF-IDF over lemma n-grams plus seed-phrase and pattern hits.

The state is a dict of stock scikit-learn vectorisers, so a saved model holds no custom classes
and loads through skops with a short, explicit list of trusted types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer

from facet_classifier.textproc import ProcessedText


@dataclass(frozen=True)
class FeatureDesign:
    """Choices compared in docs/model_comparison.md; the defaults are the shipped design."""

    word_ngrams: tuple[int, int] = (1, 2)
    min_df: int = 2
    max_features: int = 50000
    use_seeds: bool = True
    seed_weight: float = 0.5
    char_ngrams: bool = False
    metadata_columns: tuple[str, ...] = ()  # case fields or extra columns used as categorical features
    metadata_weight: float = 0.5

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["word_ngrams"] = list(self.word_ngrams)
        data["metadata_columns"] = list(self.metadata_columns)
        return data


def _lemma_strings(processed: Sequence[ProcessedText]) -> list[str]:
    return [" ".join(p.lemmas) for p in processed]


def _metadata_dicts(processed: Sequence[ProcessedText]) -> list[dict[str, float]]:
    return [{f"{k}={v}": 1.0 for k, v in p.metadata.items() if v} for p in processed]


def _seed_strings(processed: Sequence[ProcessedText]) -> list[str]:
    return [" ".join(p.feature_tokens()) for p in processed]


def seed_vocabulary(seed_keys: Sequence[str], pattern_names: Sequence[str]) -> list[str]:
    return [f"seed:{k}" for k in seed_keys] + [f"pattern:{n}" for n in pattern_names]


def fit_featurizer(
    processed: Sequence[ProcessedText], design: FeatureDesign, seed_vocab: Sequence[str]
) -> dict[str, Any]:
    """Fitted vectorisers (the featurizer state) for these training cases."""
    word = TfidfVectorizer(
        token_pattern=r"\S+", lowercase=False, ngram_range=tuple(design.word_ngrams),
        min_df=design.min_df, max_features=design.max_features, sublinear_tf=True, dtype=np.float32,
    )  # fmt: skip
    state: dict[str, Any] = {"word": _without_stop_words(word.fit(_lemma_strings(processed))), "seed_weight": design.seed_weight}
    if design.use_seeds and seed_vocab:
        # Fixed vocabulary: every label's seed feature exists even if no training case hit it.
        seeds = TfidfVectorizer(
            token_pattern=r"\S+", lowercase=False, vocabulary=list(seed_vocab), use_idf=False,
            norm=None, sublinear_tf=True, dtype=np.float32,
        )  # fmt: skip
        state["seeds"] = seeds.fit(_seed_strings(processed))
    if design.metadata_columns:
        state["metadata"] = DictVectorizer(dtype=np.float32).fit(_metadata_dicts(processed))
        state["metadata_columns"] = list(design.metadata_columns)
        state["metadata_weight"] = design.metadata_weight
    if design.char_ngrams:
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, max_features=150000,
                               sublinear_tf=True, dtype=np.float32)  # fmt: skip
        state["char"] = _without_stop_words(char.fit(_lemma_strings(processed)))
    return state


def _without_stop_words(vectorizer: TfidfVectorizer) -> TfidfVectorizer:
    """Drop `stop_words_` (every term cut by min_df/max_features): only needed for introspection,
    it made saved models ~40 MB larger (scikit-learn documents removing it before saving)."""
    if hasattr(vectorizer, "stop_words_"):
        delattr(vectorizer, "stop_words_")
    return vectorizer


def transform(state: dict[str, Any], processed: Sequence[ProcessedText]) -> sp.csr_matrix:
    lemma_strings = _lemma_strings(processed)
    blocks = [state["word"].transform(lemma_strings)]
    if "seeds" in state:
        blocks.append(state["seeds"].transform(_seed_strings(processed)) * state["seed_weight"])
    if "char" in state:
        blocks.append(state["char"].transform(lemma_strings))
    if "metadata" in state:
        blocks.append(state["metadata"].transform(_metadata_dicts(processed)) * state["metadata_weight"])
    return sp.hstack(blocks, format="csr", dtype="float32")


def feature_names(state: dict[str, Any]) -> list[str]:
    names = list(state["word"].get_feature_names_out())
    if "seeds" in state:
        names += list(state["seeds"].get_feature_names_out())
    if "char" in state:
        names += [f"chars:{n}" for n in state["char"].get_feature_names_out()]
    if "metadata" in state:
        names += [f"meta:{n}" for n in state["metadata"].get_feature_names_out()]
    return names


def unknown_share(state: dict[str, Any], processed: ProcessedText) -> float:
    """Share of the case's content words the model has never seen (a reason to review it)."""
    if not processed.lemmas:
        return 1.0
    vocabulary = state["word"].vocabulary_
    return sum(lemma not in vocabulary for lemma in processed.lemmas) / len(processed.lemmas)
