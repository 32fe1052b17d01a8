"""compare (paired-bootstrap deltas and verdicts) and train --learning-curve, on the tiny corpus."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_labelled_rows
from typer.testing import CliRunner

from facet_classifier.cli import app
from facet_classifier.evaluation.compare import compare_models, format_comparison, resample_weights
from facet_classifier.evaluation import learning_curve as curve_module
from facet_classifier.evaluation.evaluate import evaluate_model, read_gold
from facet_classifier.evaluation.learning_curve import nested_order
from facet_classifier.modeling.labelled import AxisSpec, LabelledCases
from facet_classifier.modeling.store import load_model

runner = CliRunner()
FACETS = ["enhancement", "mission", "adaptive", "anticipatory"]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _train(labelled: Path, outdir: Path, *extra: str, folds: int = 2) -> str:
    result = runner.invoke(app, ["train", str(labelled), "-o", str(outdir), "--folds", str(folds), "-q", *extra])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """good: the tiny corpus (with a learning curve of 2 folds x 2 points, to stay fast);
    crippled: the same texts with shuffled labels; kind/kind3: a data-derived axis `kind`, with all
    four facets or without 'anticipatory'."""
    folder = tmp_path_factory.mktemp("compare")
    rows = tiny_labelled_rows()
    good = _write(folder / "labelled.jsonl", rows)
    rng = random.Random(3)
    facets = [r["facet_primary"] for r in rows]
    trends = [r["trend_labels"] for r in rows]
    rng.shuffle(facets)
    rng.shuffle(trends)
    shuffled = [{**r, "facet_primary": f, "facet_labels": [f], "trend_labels": t} for r, f, t in zip(rows, facets, trends)]
    crippled = _write(folder / "shuffled.jsonl", shuffled)
    three = _write(folder / "three.jsonl", [r for r in rows if r["facet_primary"] != "anticipatory"])
    paths = {"labelled": good, "folder": folder}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(curve_module, "DEFAULT_FOLDS", 2)
        patch.setattr(curve_module, "DEFAULT_FRACTIONS", (0.5, 1.0))
        paths["curve_output"] = _train(good, folder / "good", "--learning-curve", folds=3)  # type: ignore[assignment]
    _train(crippled, folder / "crippled")
    _train(good, folder / "kind", "--axis", "kind=facet_primary")
    _train(three, folder / "kind3", "--axis", "kind=facet_primary")
    for name in ("good", "crippled", "kind", "kind3"):
        paths[name] = folder / name
    return paths


def _compare(models: dict[str, Path], a: str, b: str, tmp_path: Path, labelled: Path | None = None, *extra: str) -> tuple[str, dict]:
    out = tmp_path / f"{a}-{b}.json"
    args = ["compare", str(labelled or models["labelled"]), "-m", str(models[a]), "-m", str(models[b]), "--json", str(out), "-q", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output, json.loads(out.read_text())


@pytest.fixture(scope="module")
def worse(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    """The CLI comparison of the good model (A) with the crippled one (B), seed 13."""
    return _compare(models, "good", "crippled", tmp_path_factory.mktemp("worse"))


def _summaries(result: dict) -> list[dict]:
    """Every delta summary in a comparison: per-axis metrics, per-label F1 and the overall one."""
    found = [result["overall"]]
    for entry in result["axes"].values():
        found += list(entry["metrics"].values()) + list(entry["per_label"].values())
    return found


def test_a_model_compared_with_itself_shows_no_difference(models: dict[str, Path], tmp_path: Path) -> None:
    output, result = _compare(models, "good", "good", tmp_path)
    assert set(result["axes"]) == {"facet", "trend"}
    for s in _summaries(result):
        assert s["delta"] == s["ci_low"] == s["ci_high"] == 0
    assert {entry["verdict"] for entry in result["axes"].values()} == {"no clear difference"}
    assert result["overall"]["verdict"] == "no clear difference"
    assert "overall: no clear difference" in output
    assert "facet (64 cases): no clear difference: primary macro-F1" in output


def test_a_crippled_model_is_worse_with_intervals_around_the_estimates(worse: tuple[str, dict]) -> None:
    output, result = worse
    facet = result["axes"]["facet"]
    assert facet["headline"] == "primary_macro_f1" and result["axes"]["trend"]["headline"] == "label_macro_f1"
    assert facet["verdict"] == "B is worse" and result["overall"]["verdict"] == "B is worse"
    assert facet["metrics"]["primary_macro_f1"]["ci_high"] < 0
    assert set(facet["metrics"]) == {"primary_macro_f1", "primary_accuracy", "label_macro_f1", "label_micro_f1"}
    assert list(facet["per_label"]) == FACETS
    assert all(facet["per_label"][f]["support"] == 16 and facet["per_label"][f]["delta"] < 0 for f in FACETS)
    for s in _summaries(result):
        assert s["ci_low"] <= s["delta"] <= s["ci_high"]
        assert s["delta"] == pytest.approx(s["b"] - s["a"], abs=2e-4)
    assert "overall: B is worse" in output and "facet (64 cases): B is worse" in output
    assert "  mission " in output  # per-label rows are printed


def test_the_a_and_b_columns_are_what_evaluate_reports(models: dict[str, Path], worse: tuple[str, dict]) -> None:
    _output, result = worse
    for column, name in (("a", "good"), ("b", "crippled")):
        model = load_model(models[name])
        metrics = evaluate_model(model, read_gold([models["labelled"]], model))["axes"]
        for axis, entry in result["axes"].items():
            assert entry["metrics"]["label_macro_f1"][column] == pytest.approx(metrics[axis]["labels"]["macro_f1"], abs=1e-4)
            assert entry["metrics"]["label_micro_f1"][column] == pytest.approx(metrics[axis]["labels"]["micro_f1"], abs=1e-4)
            for label, s in entry["per_label"].items():
                assert s[column] == pytest.approx(metrics[axis]["labels"]["per_label"][label]["f1"], abs=1e-4)
        facet = result["axes"]["facet"]["metrics"]
        assert facet["primary_accuracy"][column] == pytest.approx(metrics["facet"]["primary"]["accuracy"], abs=1e-4)
        assert facet["primary_macro_f1"][column] == pytest.approx(metrics["facet"]["primary"]["macro_f1"], abs=1e-4)


def test_swapping_the_models_mirrors_the_deltas(models: dict[str, Path], worse: tuple[str, dict]) -> None:
    _output, forward = worse
    backward = compare_models([models["labelled"]], models["crippled"], models["good"], n_bootstrap=1000, seed=13)
    assert backward["overall"]["verdict"] == "B is better"
    assert backward["axes"]["facet"]["verdict"] == "B is better"
    # the same seed draws the same resamples, so every interval is mirrored exactly
    for f, b in zip(_summaries(forward), _summaries(backward), strict=True):
        assert b["delta"] == pytest.approx(-f["delta"], abs=1e-4)
        assert (b["ci_low"], b["ci_high"]) == pytest.approx((-f["ci_high"], -f["ci_low"]), abs=1e-4)


def test_label_sets_that_differ_are_compared_on_the_common_labels(models: dict[str, Path], tmp_path: Path) -> None:
    output, result = _compare(models, "kind", "kind3", tmp_path)
    kind = result["axes"]["kind"]
    assert kind["labels_only_in_a"] == ["anticipatory"] and kind["labels_only_in_b"] == []
    assert set(kind["per_label"]) == {"enhancement", "mission", "adaptive"}
    assert kind["primary_cases"] == 48  # the anticipatory cases only model A could get right are left out
    assert "compared on the 3 labels both have (only in A: anticipatory; only in B: none)" in output


@pytest.mark.parametrize(
    ("models_given", "message"),
    [
        (["good"], "compare needs exactly two models"),
        (["good", "crippled", "good"], "compare needs exactly two models"),
        (["good", "kind"], "the two models share no axis (A: facet, trend; B: kind)"),
    ],
)
def test_compare_refuses_unusable_requests(models: dict[str, Path], models_given: list[str], message: str) -> None:
    args = ["compare", str(models["labelled"])]
    for name in models_given:
        args += ["-m", str(models[name])]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and message in result.output


def test_compare_refuses_data_without_gold_for_the_shared_axes(models: dict[str, Path], tmp_path: Path) -> None:
    rows = [{"id": r["id"], "text": r["text"], "kind": r["facet_primary"]} for r in tiny_labelled_rows()]
    unlabelled = _write(tmp_path / "no_gold.jsonl", rows)
    result = runner.invoke(app, ["compare", str(unlabelled), "-m", str(models["good"]), "-m", str(models["crippled"]), "-q"])
    assert result.exit_code == 1
    assert result.output.startswith("error: no gold labels for any shared axis")
    result = runner.invoke(app, ["compare", str(models["labelled"]), "-m", str(models["good"]), "-m", str(models["good"]), "--bootstrap", "5"])
    assert result.exit_code == 1 and "--bootstrap must be at least 100" in result.output


def test_train_learning_curve_writes_table_csv_and_png(models: dict[str, Path]) -> None:
    output = models["curve_output"]
    outdir = models["good"]
    assert "learning curve: held-out metrics, mean ± std over 2 folds" in output  # type: ignore[operator]
    assert f"wrote {outdir / 'learning_curve.csv'} and {outdir / 'learning_curve.png'}" in output  # type: ignore[operator]
    frame = pd.read_csv(outdir / "learning_curve.csv", encoding="utf-8-sig")
    assert set(frame["axis"]) == {"facet", "trend"}
    for _axis, rows in frame.groupby("axis"):
        assert rows["train_cases"].is_monotonic_increasing and rows["train_cases"].is_unique
        # 2 folds of 64 cases train on 32: 50 % (16) is raised to the 20 cases train requires
        assert rows["train_cases"].tolist() == [20, 32]
        assert rows["fraction"].tolist() == [0.625, 1.0] and (rows["folds"] == 2).all()
    facet = frame[frame["axis"] == "facet"]
    assert {"primary_macro_f1_mean", "primary_macro_f1_std", "label_macro_f1_mean", "label_micro_f1_std"} <= set(frame.columns)
    assert facet["primary_macro_f1_mean"].between(0, 1).all()
    trend = frame[frame["axis"] == "trend"]
    assert trend["label_macro_f1_mean"].iloc[-1] > trend["label_macro_f1_mean"].iloc[0]  # more cases help
    assert (outdir / "learning_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in outdir.iterdir() if p.name.endswith(".tmp")]


def test_nested_order_keeps_the_label_mix_in_every_prefix() -> None:
    primary = ["common"] * 30 + ["rare"] * 10
    labelled = LabelledCases(
        cases=pd.DataFrame({"text": ["x"] * 40}), labels={"kind": [[p] for p in primary]}, primary={"kind": primary},
        specs={"kind": AxisSpec("kind", None, "kind", False)}, summary={},
    )  # fmt: skip
    rows = np.arange(40)
    order = nested_order(labelled, rows, seed=7)
    assert sorted(order) == list(range(40))
    for size in (8, 12, 20):  # a quarter of the cases are rare, and so (within one) of every prefix
        assert abs(sum(primary[i] == "rare" for i in order[:size]) - size / 4) <= 1
    assert list(nested_order(labelled, rows, seed=7)) == list(order)
    assert list(nested_order(labelled, rows, seed=8)) != list(order)


def test_resample_weights_are_draws_of_every_case_count() -> None:
    rng = np.random.default_rng(0)
    weights = resample_weights(50, 400, rng)
    assert weights.shape == (400, 50) and (weights.sum(axis=1) == 50).all()
    assert abs(weights.mean() - 1) < 0.02  # each case is drawn once per resample on average


def test_format_comparison_reports_axes_only_in_one_model() -> None:
    summary = {"a": 0.5, "b": 0.6, "delta": 0.1, "ci_low": 0.02, "ci_high": 0.18}
    result = {
        "model_a": {"model_id": "a-1", "path": "A"}, "model_b": {"model_id": "b-1", "path": "B"}, "cases": 10,
        "n_bootstrap": 1000, "seed": 13, "confidence": 0.95, "notes": ["axis 'trend' is only in model A; not compared"],
        "axes": {"facet": {"cases": 10, "headline": "label_macro_f1", "verdict": "B is better",
                           "metrics": {"label_macro_f1": summary}, "per_label": {"=cmd": {**summary, "support": 3}}}},
        "overall": {**summary, "verdict": "B is better", "axes": ["facet"]},
    }  # fmt: skip
    text = format_comparison(result)
    assert "note: axis 'trend' is only in model A; not compared" in text
    assert "overall: B is better (mean headline metric over facet: 0.500 -> 0.600, delta +0.100 [+0.020, +0.180])" in text
    assert "label macro-F1      0.500  0.600  +0.100  [+0.020, +0.180]   B better" in text
