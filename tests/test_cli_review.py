"""review suggest / import / audit: the labelling round trip and the label audit, on tiny corpora."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import _FACET_TEMPLATES, tiny_labelled_rows
from openpyxl import load_workbook
from typer.testing import CliRunner

from facet_classifier.cli import app
from facet_classifier.modeling.labelled import read_labelled
from facet_classifier.review.audit import format_audit
from facet_classifier.review.suggest import suggest_cases

runner = CliRunner()
FACETS = ["enhancement", "mission", "adaptive", "anticipatory"]
_POOL_TOPICS = ["bus timetables", "library loans", "parking permits", "water meters", "court hearings", "border checks",
                "museum tickets", "waste collection", "social housing", "fishing licences", "snow clearing", "tree planting"]  # fmt: skip


def _pool_rows() -> list[dict]:
    """24 unlabelled cases mixing two facets each, a resubmission, one already labelled, one formula title."""
    templates = list(_FACET_TEMPLATES.values())
    rows = []
    for i, topic in enumerate(_POOL_TOPICS * 2):
        first, second = templates[i % 4], templates[(i + 1 + i // 12) % 4]
        text = first.format(topic=topic) + " " + second.format(topic=topic).split(":")[0].split(",")[0] + "."
        rows.append({"id": f"new-{i}", "title": f"{topic.title()} {i}", "text": text})
    rows[3]["title"] = '=HYPERLINK("http://example.org","click")'
    rows.append({"id": "dup-0", "title": "Resubmitted", "text": rows[0]["text"]})
    rows.append({"id": "done-1", "title": "Labelled already", "text": _FACET_TEMPLATES["mission"].format(topic="ferry routes"),
                 "facet_primary": "mission"})  # fmt: skip
    return rows


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("review")
    labelled = folder / "labelled.jsonl"
    labelled.write_text("\n".join(json.dumps(r) for r in tiny_labelled_rows()) + "\n", encoding="utf-8")
    pool = folder / "pool.jsonl"
    pool.write_text("\n".join(json.dumps(r) for r in _pool_rows()) + "\n", encoding="utf-8")
    model_dir = folder / "model"
    result = runner.invoke(app, ["train", str(labelled), "-o", str(model_dir), "--folds", "3", "-q"])
    assert result.exit_code == 0, result.output
    return {"labelled": labelled, "pool": pool, "model": model_dir}


def _suggest(setup: dict[str, Path], out: Path, n: int) -> str:
    result = runner.invoke(app, ["review", "suggest", str(setup["pool"]), "-m", str(setup["model"]), "-n", str(n), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return result.output


def _columns(sheet) -> dict[str, str]:
    return {cell.value: cell.column_letter for cell in sheet[1]}


def _fill(path: Path, out: Path, cells: dict[tuple[int, str], str]) -> None:
    """Fill (sheet row, column) cells of the cases sheet, as a labeller would."""
    workbook = load_workbook(path)
    sheet = workbook["cases"]
    letters = _columns(sheet)
    for (row, column), value in cells.items():
        sheet[f"{letters[column]}{row}"] = value
    workbook.save(out)


def _import(sheet: Path, into: Path, *extra: str):
    return runner.invoke(app, ["review", "import", str(sheet), "--into", str(into), *extra])


# ---------------------------------------------------------------- suggest
def test_suggest_writes_xlsx_with_dropdowns_of_the_axis_labels(setup: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "sheet.xlsx"
    message = _suggest(setup, out, 8)
    assert "suggested 8 of 24 unlabelled cases (skipped 1 duplicate, 1 already labelled)" in message
    assert "diversity" in message and str(out) in message
    workbook = load_workbook(out)
    assert workbook.sheetnames[0] == "cases" and workbook["labels"].sheet_state == "hidden"
    sheet = workbook["cases"]
    letters = _columns(sheet)
    assert list(letters)[:3] == ["case_id", "title", "text"]
    assert {"model_facet_primary", "model_facet_confidence", "model_trend_labels", "facet_primary", "facet_labels",
            "trend_labels", "annotator", "notes"} <= set(letters)  # fmt: skip
    assert sheet.freeze_panes == "D2" and sheet["C2"].alignment.wrap_text
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    trends = json.loads((setup["model"] / "model_card.json").read_text())["axes"]["trend"]["labels"]
    for column, labels in [("facet_primary", FACETS), ("facet_labels", FACETS), ("trend_labels", trends)]:
        letter = letters[column]
        validation = validations[f"{letter}2:{letter}9"]
        assert validation.type == "list"
        source_sheet, cells = validation.formula1.split("!")
        listed = [c.value for row in workbook[source_sheet.strip("'")][cells.replace("$", "")] for c in row]
        assert listed == labels
    assert validations[f"{letters['facet_primary']}2:{letters['facet_primary']}9"].showErrorMessage  # strict
    ids = [sheet[f"A{r}"].value for r in range(2, sheet.max_row + 1)]
    assert len(ids) == len(set(ids)) == 8
    assert not {"dup-0", "done-1"} & set(ids)
    instructions = "\n".join(str(r[0]) for r in workbook["instructions"].iter_rows(values_only=True) if r[0])
    assert "uncertainty" in instructions and "anticipatory" in instructions


def test_suggest_is_deterministic_and_skips_duplicates(setup: dict[str, Path], tmp_path: Path) -> None:
    kwargs = {"model_dir": setup["model"], "n": 6, "seed": 13}
    first = suggest_cases(setup["pool"], tmp_path / "a.xlsx", **kwargs)
    second = suggest_cases(setup["pool"], tmp_path / "b.xlsx", **kwargs)
    assert first["suggested"] == second["suggested"] and len(set(first["suggested"])) == 6
    assert first["counts"] == {"cases": 26, "duplicates": 1, "already_labelled": 1, "scored": 24}
    # a cases.parquet from ingest gives the same picks
    assert runner.invoke(app, ["ingest", str(setup["pool"]), "-o", str(tmp_path / "p"), "-q"]).exit_code == 0
    from_table = suggest_cases(tmp_path / "p" / "cases.parquet", tmp_path / "d.csv", **kwargs)
    assert from_table["suggested"] == first["suggested"] and from_table["counts"] == first["counts"]
    # asking for more than there is gives every eligible case once
    everything = suggest_cases(setup["pool"], tmp_path / "c.xlsx", model_dir=setup["model"], n=100, seed=13)
    assert sorted(everything["suggested"]) == sorted(f"new-{i}" for i in range(24))


def test_diversity_penalty_avoids_near_copies() -> None:
    import numpy as np
    import scipy.sparse as sp

    from facet_classifier.review.suggest import pick_diverse

    X = sp.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))  # rows 0 and 1 are the same case
    assert pick_diverse(np.array([0.9, 0.89, 0.5]), X, 2) == [0, 2]
    assert pick_diverse(np.array([0.9, 0.89, 0.5]), X, 2, penalty=0.0) == [0, 1]


# ---------------------------------------------------------------- the round trip
def test_round_trip_suggest_fill_import_train(setup: dict[str, Path], tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.xlsx"
    _suggest(setup, sheet, 10)
    filled = tmp_path / "filled.xlsx"
    cells = {}
    for row in range(2, 12):
        if row == 5:
            continue  # one row left empty: skipped
        cells[(row, "facet_primary")] = FACETS[row % 4]
        cells[(row, "trend_labels")] = "green-transition; Participation" if row % 2 else "crisis-resilience"
    cells[(2, "facet_labels")] = "mission"
    cells[(3, "annotator")] = "rk"
    _fill(sheet, filled, cells)
    into = tmp_path / "new_labels.jsonl"
    result = _import(filled, into, "--annotator", "team", "-q")
    assert result.exit_code == 0, result.output
    assert "imported 9 labelled cases" in result.output and "1 rows without labels skipped" in result.output
    records = [json.loads(line) for line in into.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 9
    first = records[0]
    assert first["facet_primary"] == "adaptive" and first["facet_labels"] == ["adaptive", "mission"]
    assert first["trend_labels"] == ["crisis-resilience"]
    assert records[1]["trend_labels"] == ["green-transition", "participation"]  # canonical spelling
    assert (records[0]["annotator"], records[1]["annotator"]) == ("team", "rk")
    assert records[0]["label_source"] == "filled.xlsx" and len(records[0]["labelled_on"]) == 10
    assert all(r["text"] and r["id"].startswith("new-") for r in records)
    # train reads the imported set next to the existing one
    model = tmp_path / "retrained"
    trained = runner.invoke(app, ["train", str(setup["labelled"]), str(into), "-o", str(model), "--folds", "2", "-q"])
    assert trained.exit_code == 0, trained.output
    assert json.loads((model / "model_card.json").read_text())["training_data"]["cases"] == 64 + 9


def test_unknown_label_is_refused_with_its_row_and_nothing_written(setup: dict[str, Path], tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.xlsx"
    _suggest(setup, sheet, 4)
    good = tmp_path / "good.xlsx"
    _fill(sheet, good, {(2, "facet_primary"): "mission", (3, "facet_primary"): "enhancement"})
    into = tmp_path / "labels.jsonl"
    assert _import(good, into, "-q").exit_code == 0
    before = into.read_bytes()
    bad = tmp_path / "bad.xlsx"
    _fill(sheet, bad, {(2, "facet_primary"): "mission", (4, "trend_labels"): "green-transition; greenwashing"})
    result = _import(bad, into, "-q")
    assert result.exit_code == 1
    assert "row 4" in result.output and "'greenwashing'" in result.output and "green-transition" in result.output
    assert "nothing was imported" in result.output
    assert into.read_bytes() == before


def test_conflicting_labels_are_reported_and_never_overwritten(setup: dict[str, Path], tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.xlsx"
    _suggest(setup, sheet, 4)
    into = tmp_path / "labels.jsonl"
    first = tmp_path / "first.xlsx"
    _fill(sheet, first, {(2, "facet_primary"): "mission", (3, "facet_primary"): "adaptive"})
    assert _import(first, into, "-q").exit_code == 0
    before = into.read_bytes()
    second = tmp_path / "second.xlsx"
    _fill(sheet, second, {(2, "facet_primary"): "anticipatory", (3, "facet_primary"): "adaptive"})
    result = _import(second, into, "-q")
    assert result.exit_code == 0, result.output
    case_id = load_workbook(sheet)["cases"]["A2"].value
    assert "1 already there with the same labels" in result.output and "1 conflict " in result.output
    conflict = next(line for line in result.output.splitlines() if "conflict:" in line)
    assert case_id in conflict and "mission" in conflict and "anticipatory" in conflict
    assert into.read_bytes() == before  # the existing label is kept


def test_csv_sheet_round_trip_into_csv_and_parquet(setup: dict[str, Path], tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.csv"
    message = _suggest(setup, sheet, 24)
    assert "Allowed labels: facet_primary: enhancement, mission" in message
    frame = pd.read_csv(sheet, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert frame.loc[0, "case_id"] == "#allowed-labels" and "anticipatory" in frame.loc[0, "facet_primary"]
    assert frame["title"].str.startswith("'=HYPERLINK").any()  # formula neutralised
    frame.loc[1, "facet_primary"] = "adaptive"
    frame.loc[1, "trend_labels"] = "crisis-resilience;participation"
    frame.loc[2, "facet_primary"] = "mission"
    filled = tmp_path / "filled.csv"
    frame.to_csv(filled, index=False, sep=";", quoting=csv.QUOTE_ALL)  # as a spreadsheet in another locale may save it
    for suffix in (".csv", ".parquet"):
        into = tmp_path / f"labels{suffix}"
        result = _import(filled, into, "-q")
        assert result.exit_code == 0, result.output
        assert "imported 2 labelled cases" in result.output
        stored = pd.read_csv(into, dtype=str) if suffix == ".csv" else pd.read_parquet(into)
        trends = stored.loc[0, "trend_labels"]
        assert (trends.split(";") if suffix == ".csv" else list(trends)) == ["crisis-resilience", "participation"]
        gold = read_labelled([into], axis_names=["facet", "trend"])
        assert gold.primary["facet"] == ["adaptive", "mission"]
    frame.loc[3, "facet_primary"] = "visionary"
    frame.to_csv(filled, index=False)
    result = _import(filled, tmp_path / "other.jsonl", "-q")
    assert result.exit_code == 1 and "row 5" in result.output and "'visionary'" in result.output
    assert not (tmp_path / "other.jsonl").exists()


def test_import_refuses_a_file_that_is_not_a_sheet(setup: dict[str, Path], tmp_path: Path) -> None:
    result = _import(setup["pool"].with_suffix(".jsonl"), tmp_path / "x.jsonl", "-q")
    assert result.exit_code == 1 and "error:" in result.output
    plain = tmp_path / "plain.csv"
    plain.write_text("case_id,facet_primary\na,mission\n", encoding="utf-8")
    result = _import(plain, tmp_path / "x.jsonl", "-q")
    assert result.exit_code == 1 and "no label metadata" in result.output


# ---------------------------------------------------------------- audit
def test_audit_finds_flipped_labels(tmp_path: Path) -> None:
    rows = tiny_labelled_rows()
    flips = {"enh-3": "mission", "mis-5": "anticipatory", "ada-9": "enhancement", "ant-12": "adaptive"}
    for row in rows:
        if row["id"] in flips:
            row["facet_primary"], row["facet_labels"] = flips[row["id"]], [flips[row["id"]]]
    labelled = tmp_path / "flipped.jsonl"
    labelled.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "suspicious.csv"
    result = runner.invoke(app, ["review", "audit", str(labelled), "-o", str(out), "--top", "5", "-q"])
    assert result.exit_code == 0, result.output
    assert "audited 64 labelled cases" in result.output and "facet:" in result.output
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"case_id": str})
    primary = table[(table["axis"] == "facet") & (table["kind"] == "primary")]
    found = set(primary["case_id"]) & set(flips)
    assert len(found) >= 3, table
    assert len(primary) <= len(flips) + 3  # few false alarms on a clean, easy corpus
    for case_id in found:  # the label the model expects is the true one
        row = primary[primary["case_id"] == case_id].iloc[0]
        assert row["given"] == flips[case_id] and row["expected"] == {"enh": "enhancement", "mis": "mission", "ada": "adaptive", "ant": "anticipatory"}[case_id[:3]]
        assert row["p_expected"] > row["p_given"]
    assert list(table["margin"]) == sorted(table["margin"], reverse=True)


def test_format_audit_shows_counts_and_the_top_rows() -> None:
    row = {"axis": "facet", "case_id": "c-1", "title": "A title", "given": "mission", "expected": "enhancement",
           "p_given": 0.1, "p_expected": 0.8, "margin": 0.7, "kind": "primary", "order_only": True}  # fmt: skip
    result = {"cases": 40, "folds": 5, "suspicious_cases": 2, "output": None, "notes": [],
              "counts": {"facet": {"primary": 2, "extra label": 0, "missing label": 0}}, "order_only": {"facet": 1},
              "rows": [row, {**row, "case_id": "c-2", "margin": 0.2}]}  # fmt: skip
    text = format_audit(result, top=1)
    assert "audited 40 labelled cases" in text and "2 suspicious labels on 2 cases" in text
    assert "facet: 2 primary (1 only the order*), 0 extra label, 0 missing label" in text
    assert "mission -> enhancement" in text and "c-1" in text and "c-2" not in text
    assert "primary* " in text and "only which one is primary is in doubt" in text
    assert "(showing 1 of 2; --output writes them all)" in text
