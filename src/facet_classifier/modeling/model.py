"""A trained model in memory: taxonomy, text processor, featurizer and one state per axis."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from facet_classifier.modeling import axis as axis_ops
from facet_classifier.modeling import features
from facet_classifier.taxonomy import Taxonomy
from facet_classifier.textproc import ProcessedText, TextProcessor


@dataclass
class AxisPrediction:
    labels: list[str]
    membership: np.ndarray  # (n, labels) P(label applies)
    primary: np.ndarray  # (n, labels) P(label is the primary one)
    primary_idx: np.ndarray
    assigned: list[list[str]]

    @property
    def primary_labels(self) -> list[str]:
        return [self.labels[i] for i in self.primary_idx]

    @property
    def confidence(self) -> np.ndarray:
        return self.primary[np.arange(len(self.primary_idx)), self.primary_idx]

    def margin(self) -> np.ndarray:
        """Gap between the two most probable primary labels (small = near-tie)."""
        if self.primary.shape[1] < 2:
            return np.ones(len(self.primary_idx))
        top = np.sort(self.primary, axis=1)
        return top[:, -1] - top[:, -2]


@dataclass
class FacetModel:
    taxonomy: Taxonomy
    featurizer: dict[str, Any]
    axes: dict[str, dict[str, Any]]
    card: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def processor(self) -> TextProcessor:
        return TextProcessor(self.taxonomy)

    @cached_property
    def feature_names(self) -> list[str]:
        return features.feature_names(self.featurizer)

    @property
    def model_id(self) -> str:
        return str(self.card.get("model_id", "unsaved"))

    def vectorise(self, processed: list[ProcessedText]) -> sp.csr_matrix:
        return features.transform(self.featurizer, processed)

    def predict_axis(self, name: str, X: sp.csr_matrix, processed: list[ProcessedText]) -> AxisPrediction:
        state = self.axes[name]
        membership = axis_ops.membership_probabilities(state, X)
        _fill_seed_only(state, membership, processed, name)
        primary = axis_ops.primary_probabilities(state, X, membership)
        primary_idx = np.argmax(primary, axis=1)
        assigned = axis_ops.assign_labels(state, membership, primary_idx)
        return AxisPrediction(state["labels"], membership, primary, primary_idx, assigned)

    def predict_processed(self, processed: list[ProcessedText]) -> tuple[sp.csr_matrix, dict[str, AxisPrediction]]:
        X = self.vectorise(processed)
        return X, {name: self.predict_axis(name, X, processed) for name in self.axes}


def seed_only_probability(hits: int) -> float:
    """Probability for a label known only from its seed phrases: grows with distinct matches.

    Not calibrated on data (there is none); such labels are always flagged for review.
    """
    return float(1.0 - np.exp(-0.45 * hits)) if hits else 0.02


def _fill_seed_only(state: dict[str, Any], membership: np.ndarray, processed: list[ProcessedText], axis: str) -> None:
    for label in state.get("seed_only", []):
        j = state["labels"].index(label)
        key = f"{axis}:{label}"
        membership[:, j] = [seed_only_probability(len(set(p.seed_phrases.get(key, [])))) for p in processed]
