"""The taxonomy file: the shipped default and the errors a researcher gets for a broken one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from facet_classifier.errors import UserError
from facet_classifier.taxonomy import load_taxonomy

GUIDE_TRENDS = [
    "digital-foundations", "ai-and-data", "seamless-services", "participation", "accountability-trust",
    "care-wellbeing", "equity-inclusion", "green-transition", "crisis-resilience", "public-sector-capability",
    "experimentation-evidence", "futures-youth", "economy-ecosystems",
]  # fmt: skip


def test_default_taxonomy_matches_the_annotation_guide() -> None:
    taxonomy = load_taxonomy()
    facet = taxonomy.axis("facet")
    assert facet.label_ids == ["enhancement", "mission", "adaptive", "anticipatory"]
    assert taxonomy.axis("trend").label_ids == GUIDE_TRENDS
    assert facet.multi_label and taxonomy.axis("trend").multi_label
    assert taxonomy.axis("trend").min_labels == 1 and facet.min_labels == 0
    for label in facet.labels:
        assert label.question and label.definition and label.signs and len(label.seed_phrases) >= 20
        assert label.diamond["position"] in {"left", "right", "top", "bottom"}
    assert {c["name"] for c in facet.changes} == {"sustaining", "transformative", "disruptive", "optimising"}
    for label in taxonomy.axis("trend").labels:
        assert label.definition and len(label.seed_phrases) >= 15


def test_taxonomy_hash_ignores_formatting(tmp_path: Path) -> None:
    taxonomy = load_taxonomy()
    copy = tmp_path / "copy.yaml"
    copy.write_text(taxonomy.to_yaml(), encoding="utf-8")
    assert load_taxonomy(copy).sha256 == taxonomy.sha256


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "must hold a mapping"),
        ({"axes": {}}, "must map at least one axis"),
        ({"axes": {"facet": {"labels": [{"id": "a", "definition": "x"}]}}}, "at least two labels"),
        ({"axes": {"facet": {"labels": [{"id": "a;b", "definition": "x"}, {"id": "c", "definition": "y"}]}}}, "axes.facet.labels[0].id"),
        ({"axes": {"facet": {"labels": [{"id": " a", "definition": "x"}, {"id": "c", "definition": "y"}]}}}, "axes.facet.labels[0].id"),
        ({"axes": {"facet": {"labels": [{"id": "a"}, {"id": "b", "definition": "y"}]}}}, "axes.facet.labels[0].definition: is required"),
        ({"axes": {"facet": {"labels": [{"id": "a", "definition": "x"}, {"id": "a", "definition": "y"}]}}}, "duplicate label ids: a"),
        ({"axes": {"facet": {"labels": [{"id": "a", "definition": "x", "seed_phrases": [3]}, {"id": "b", "definition": "y"}]}}}, "seed_phrases[0]"),
        ({"axes": {"facet": {"labels": [{"id": "a", "definition": "x", "colour": "red"}, {"id": "b", "definition": "y"}]}}}, "unknown keys: colour"),
        ({"axes": {"facet": {"min_labels": 3, "labels": [{"id": "a", "definition": "x"}, {"id": "b", "definition": "y"}]}}}, "axes.facet.min_labels"),
    ],
)
def test_invalid_taxonomies_are_refused_with_the_place(tmp_path: Path, data: object, message: str) -> None:
    with pytest.raises(UserError, match="invalid taxonomy") as caught:
        load_taxonomy(_write(tmp_path, data))
    assert message in str(caught.value)


def test_unparseable_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("axes:\n  facet: [unclosed\n", encoding="utf-8")
    with pytest.raises(UserError, match="not valid YAML at line"):
        load_taxonomy(path)


def test_missing_taxonomy_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="taxonomy file not found"):
        load_taxonomy(tmp_path / "nope.yaml")
