"""Taxonomy stage: axes and labels with definitions and seed phrases (YAML, user-overridable)."""

from facet_classifier.taxonomy.model import Axis, Label, Taxonomy, load_taxonomy, taxonomy_from_dict

__all__ = ["Axis", "Label", "Taxonomy", "load_taxonomy", "taxonomy_from_dict"]
