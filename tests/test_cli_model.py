"""train / evaluate / classify / explain through the CLI, on a tiny labelled corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import LONG_A, tiny_labelled_rows
from typer.testing import CliRunner

from facet_classifier.cli import app
from facet_classifier.errors import UserError
from facet_classifier.modeling.store import load_model

runner = CliRunner()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tiny")
    labelled = folder / "labelled.jsonl"
    labelled.write_text("\n".join(json.dumps(r) for r in tiny_labelled_rows()) + "\n", encoding="utf-8")
    model_dir = folder / "model"
    result = runner.invoke(app, ["train", str(labelled), "-o", str(model_dir), "--folds", "3", "-q"])
    assert result.exit_code == 0, result.output
    return labelled, model_dir


def test_train_writes_model_and_card(trained: tuple[Path, Path]) -> None:
    _labelled, model_dir = trained
    assert sorted(p.name for p in model_dir.iterdir()) == ["model.skops", "model_card.json", "model_card.md", "taxonomy.yaml"]
    card = json.loads((model_dir / "model_card.json").read_text())
    assert card["training_data"]["cases"] == 64
    assert set(card["axes"]) == {"facet", "trend"}
    facet = card["axes"]["facet"]
    assert facet["cross_validation"]["primary"]["accuracy"] > 0.9  # the tiny corpus is easy on purpose
    assert set(facet["thresholds"]) == {"enhancement", "mission", "adaptive", "anticipatory"}
    # trends without training cases in the tiny corpus fall back to their seed phrases
    assert "digital-foundations" in card["axes"]["trend"]["seed_only_labels"]
    assert "model_sha256" in card and card["taxonomy"]["sha256"]
    assert "Confusion matrix" in (model_dir / "model_card.md").read_text()


def test_same_data_and_seed_give_the_same_model(trained: tuple[Path, Path], tmp_path: Path) -> None:
    labelled, model_dir = trained
    again = tmp_path / "again"
    assert runner.invoke(app, ["train", str(labelled), "-o", str(again), "--folds", "3", "-q"]).exit_code == 0
    first, second = (json.loads((d / "model_card.json").read_text()) for d in (model_dir, again))
    assert first["axes"] == second["axes"]
    assert first["training_data"]["sha256"] == second["training_data"]["sha256"]
    cases = pd.DataFrame({"case_id": ["a"], "text": [LONG_A]})
    from facet_classifier.modeling.predict import predict_frame

    one, two = (predict_frame(load_model(d), cases) for d in (model_dir, again))
    pd.testing.assert_frame_equal(one.drop(columns="model_id"), two.drop(columns="model_id"))


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_classify_writes_the_prediction_contract(trained: tuple[Path, Path], messy_csv: Path, tmp_path: Path, suffix: str) -> None:
    _labelled, model_dir = trained
    out = tmp_path / f"predictions{suffix}"
    result = runner.invoke(app, ["classify", str(messy_csv), "-m", str(model_dir), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "classified 5 cases" in result.output
    if suffix == ".parquet":
        frame = pd.read_parquet(out)
        assert list(frame["facet_labels"].iloc[0])[0] == frame["facet_primary"].iloc[0]
    elif suffix == ".csv":
        frame = pd.read_csv(out, encoding="utf-8-sig")
        assert frame["title"].str.startswith("'=").any()  # formula neutralised
    else:
        frame = pd.read_json(out, lines=True)
    expected = {"case_id", "model_id", "facet_primary", "facet_labels", "facet_confidence", "trend_primary",
                "trend_labels", "trend_confidence", "needs_review", "review_reason", "evidence",
                "p_facet_enhancement", "p_facet_mission", "p_facet_adaptive", "p_facet_anticipatory",
                "p_trend_green-transition", "year", "country", "text"}  # fmt: skip
    assert expected <= set(frame.columns)
    assert frame["case_id"].tolist() == ["S-1", "S-2", "S-5", "S-6", "S-7"]
    assert frame["p_facet_mission"].between(0, 1).all()
    assert frame["facet_confidence"].between(0, 1).all()


def test_classify_cases_parquet_in_small_chunks_equals_one_chunk(trained: tuple[Path, Path], messy_csv: Path, tmp_path: Path) -> None:
    _labelled, model_dir = trained
    assert runner.invoke(app, ["ingest", str(messy_csv), "-o", str(tmp_path / "p"), "-q"]).exit_code == 0
    cases = tmp_path / "p" / "cases.parquet"
    for name, chunk in [("one", "1000"), ("many", "2")]:
        result = runner.invoke(app, ["classify", str(cases), "-m", str(model_dir), "-o", str(tmp_path / f"{name}.parquet"), "--chunk-size", chunk, "-q"])
        assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one.parquet"), pd.read_parquet(tmp_path / "many.parquet"))


def test_review_flags_short_and_foreign_cases(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _labelled, model_dir = trained
    path = tmp_path / "cases.jsonl"
    rows = [
        {"id": "fr", "text": "Le ministère a lancé une plateforme numérique pour simplifier les démarches des citoyens et des entreprises locales."},
        {"id": "short", "text": "Online tax form for firms."},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    out = tmp_path / "p.jsonl"
    assert runner.invoke(app, ["classify", str(path), "-m", str(model_dir), "-o", str(out), "-q"]).exit_code == 0
    frame = pd.read_json(out, lines=True).set_index("case_id")
    assert frame.loc["fr", "needs_review"] and "not English (fr)" in frame.loc["fr", "review_reason"]
    assert "very short" in frame.loc["short", "review_reason"]


def test_evaluate_prints_metrics_and_writes_json(trained: tuple[Path, Path], tmp_path: Path) -> None:
    labelled, model_dir = trained
    out = tmp_path / "metrics.json"
    result = runner.invoke(app, ["evaluate", str(labelled), "-m", str(model_dir), "--json", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "facet: label macro-F1" in result.output and "primary confusion" in result.output
    metrics = json.loads(out.read_text())
    facet = metrics["axes"]["facet"]
    assert facet["primary"]["confusion_matrix"]["labels"] == ["enhancement", "mission", "adaptive", "anticipatory"]
    assert sum(map(sum, facet["primary"]["confusion_matrix"]["matrix"])) == 64
    assert set(facet["labels"]["per_label"]["mission"]) == {"precision", "recall", "f1", "support"}
    assert "micro_f1" in metrics["axes"]["trend"]["labels"]


def test_evaluate_reads_semicolon_separated_gold(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _labelled, model_dir = trained
    rows = tiny_labelled_rows()[:8]
    frame = pd.DataFrame([{**r, "facet_labels": ";".join(r["facet_labels"]), "trend_labels": ";".join(r["trend_labels"])} for r in rows])
    path = tmp_path / "gold.csv"
    frame.to_csv(path, index=False)
    result = runner.invoke(app, ["evaluate", str(path), "-m", str(model_dir), "-q"])
    assert result.exit_code == 0, result.output
    assert "on 8 labelled cases" in result.output


def test_explain_shows_labels_and_evidence(trained: tuple[Path, Path], tmp_path: Path) -> None:
    _labelled, model_dir = trained
    text = "The government set an ambitious national goal by 2035 and a portfolio of projects across society."
    result = runner.invoke(app, ["explain", text, "-m", str(model_dir)])
    assert result.exit_code == 0, result.output
    assert "facet: primary mission" in result.output and "by 2035" in result.output
    file = tmp_path / "case.html"
    file.write_text(f"<p>{text}</p>")
    as_json = runner.invoke(app, ["explain", str(file), "-m", str(model_dir), "--json"])
    data = json.loads(as_json.output)
    assert data["axes"]["facet"]["primary"] == "mission"
    assert data["axes"]["facet"]["scores"][0]["evidence"]


def test_tampered_or_foreign_model_directories_are_refused(trained: tuple[Path, Path], tmp_path: Path) -> None:
    import shutil

    _labelled, model_dir = trained
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    with open(broken / "model.skops", "ab") as handle:
        handle.write(b"tampered")
    result = runner.invoke(app, ["explain", "some text about tax forms", "-m", str(broken)])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: refusing model {broken}: model.skops does not match the SHA-256 recorded in model_card.json"
    other = tmp_path / "other"
    shutil.copytree(model_dir, other)
    (other / "taxonomy.yaml").write_text((other / "taxonomy.yaml").read_text().replace("Enhancement-oriented", "Better"))
    with pytest.raises(UserError, match="taxonomy.yaml differs"):
        load_model(other)
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["classify", "x.csv", "-m", str(tmp_path / "empty"), "-o", str(tmp_path / "p.csv")])
    assert result.exit_code == 1 and result.output.startswith("error:")


def test_classify_refuses_bad_output_names(trained: tuple[Path, Path], messy_csv: Path, tmp_path: Path) -> None:
    _labelled, model_dir = trained
    result = runner.invoke(app, ["classify", str(messy_csv), "-m", str(model_dir), "-o", str(tmp_path / "p.txt")])
    assert result.exit_code == 1 and "use a .parquet, .csv or .jsonl" in result.output


def test_train_refuses_data_without_gold_columns(tmp_path: Path, messy_csv: Path) -> None:
    result = runner.invoke(app, ["train", str(messy_csv), "-o", str(tmp_path / "m"), "-q"])
    assert result.exit_code == 1
    assert "no gold label columns found" in result.output


def test_axis_from_a_column_with_spaced_labels_round_trips(tmp_path: Path) -> None:
    """Regression: data-derived label ids such as 'General public services' must load again."""
    rows = [{**r, "kind": f"{r['facet_primary'].title()} work"} for r in tiny_labelled_rows()]
    path = tmp_path / "kinds.csv"
    pd.DataFrame(rows).drop(columns=["facet_labels", "trend_labels", "facet_primary"]).to_csv(path, index=False)
    model_dir = tmp_path / "kind"
    result = runner.invoke(app, ["train", str(path), "-o", str(model_dir), "--axis", "kind=kind", "--folds", "3",
                                 "--feature-column", "country", "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    model = load_model(model_dir)
    assert model.taxonomy.axis("kind").label_ids == sorted(model.taxonomy.axis("kind").label_ids, key=lambda l: l)  # equal counts: by name
    assert "Mission work" in model.taxonomy.axis("kind").label_ids
    assert model.featurizer["metadata_columns"] == ["country"]
    evaluated = runner.invoke(app, ["evaluate", str(path), "-m", str(model_dir), "-q"])
    assert evaluated.exit_code == 0, evaluated.output
    assert "kind: label macro-F1" in evaluated.output
    out = tmp_path / "p.csv"
    assert runner.invoke(app, ["classify", str(path), "-m", str(model_dir), "-o", str(out), "-q"]).exit_code == 0
    assert "p_kind_Mission work" in pd.read_csv(out, encoding="utf-8-sig").columns


def test_label_known_only_from_seed_phrases_is_predicted_and_flagged(trained: tuple[Path, Path]) -> None:
    """A taxonomy label with no training cases is predicted from its phrases and sent to review."""
    _labelled, model_dir = trained
    model = load_model(model_dir)
    assert "digital-foundations" in model.axes["trend"]["seed_only"]
    from facet_classifier.modeling.predict import predict_frame

    text = "The agency built a digital identity wallet on shared platform interoperability with open source code for every service."
    frame = predict_frame(model, pd.DataFrame({"case_id": ["x"], "text": [text]}))
    assert "digital-foundations" in list(frame.loc[0, "trend_labels"])
    assert frame.loc[0, "p_trend_digital-foundations"] > 0.5
    assert "trend label digital-foundations has no training examples" in frame.loc[0, "review_reason"]
    card = (model_dir / "model_card.md").read_text()
    assert "| digital-foundations | 0 | seed phrases only |" in card


def test_every_case_gets_at_least_the_taxonomys_minimum_of_trends(trained: tuple[Path, Path]) -> None:
    _labelled, model_dir = trained
    from facet_classifier.modeling.predict import predict_frame

    frame = predict_frame(load_model(model_dir), pd.DataFrame({"case_id": ["a", "b"], "text": [LONG_A, "Lorem ipsum dolor sit amet consectetur."]}))
    assert frame["trend_labels"].map(len).min() >= 1


def test_models_from_an_older_format_are_refused(trained: tuple[Path, Path], tmp_path: Path) -> None:
    import shutil

    _labelled, model_dir = trained
    old = tmp_path / "old"
    shutil.copytree(model_dir, old)
    card = json.loads((old / "model_card.json").read_text())
    card["model_format"] = 1
    (old / "model_card.json").write_text(json.dumps(card))
    with pytest.raises(UserError, match="saved in model format 1"):
        load_model(old)
