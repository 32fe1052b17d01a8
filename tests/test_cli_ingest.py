"""The ingest stage through its public function and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import LONG_A, LONG_B, LONG_C
from typer.testing import CliRunner

from facet_classifier.cli import app
from facet_classifier.errors import UserError
from facet_classifier.ingest import CASE_COLUMNS, ingest

runner = CliRunner()


def assert_accounted(summary: dict, cases: pd.DataFrame) -> None:
    assert summary["rows_read"] == summary["accepted"] + summary["duplicates"] + summary["rejected"]
    assert len(cases) == summary["accepted"] + summary["duplicates"]
    for entry in summary["files"]:
        assert entry["rows_read"] == entry["accepted"] + entry["duplicates"] + entry["rejected"]


def test_messy_csv_is_decoded_mapped_and_accounted(messy_csv: Path) -> None:
    result = ingest([messy_csv])
    cases, summary = result.cases, result.summary
    assert list(cases.columns) == CASE_COLUMNS
    assert summary["rows_read"] == 7
    assert (summary["accepted"], summary["duplicates"], summary["rejected"]) == (4, 1, 2)
    assert_accounted(summary, cases)
    assert summary["files"][0]["column_mapping"] == {
        "id": "Submission ID", "title": "Innovation name", "text": "Innovation description",
        "year": "Year of launch", "country": "Country", "level_of_government": "Level of government",
    }  # fmt: skip
    by_id = cases.set_index("case_id")
    assert by_id.loc["S-1", "year"] == 2020 and by_id.loc["S-1", "country"] == "GBR"
    assert by_id.loc["S-2", "country"] == "TUR" and "\n" not in by_id.loc["S-2", "text"]
    assert by_id.loc["S-5", "text"].startswith("The café city")  # cp1252 é decoded
    assert by_id.loc["S-5", "country"] == "KOR" and by_id.loc["S-5", "level_of_government"] == "local"
    assert by_id.loc["S-6", "duplicate_of"] == "S-1"
    extra = json.loads(by_id.loc["S-7", "extra"])
    assert extra["country_raw"] == "Narnia" and extra["level_of_government_raw"] == "Galactic"
    assert by_id.loc["S-7", "country_name"] == "Narnia" and pd.isna(by_id.loc["S-7", "country"])
    assert json.loads(by_id.loc["S-1", "extra"]) == {"Contact e-mail": "a@example.org"}


def test_rejections_keep_original_values_and_reasons(messy_csv: Path) -> None:
    rejected = ingest([messy_csv]).rejected
    assert rejected["Submission ID"].tolist() == ["S-3", "S-4"]
    assert rejected["reason"].tolist() == [
        "no text: 'Innovation description' is empty",
        "too short: 2 words in 'Innovation description' (minimum 5)",
    ]
    assert rejected["source_row"].tolist() == [5, 6]  # CSV line numbers; S-2 spans two lines
    assert rejected["Innovation name"].tolist() == ["Empty", "Too short"]


def test_min_words_is_configurable(messy_csv: Path) -> None:
    assert ingest([messy_csv], min_words=2).summary["rejected"] == 1


def test_near_duplicates_point_at_the_kept_case(tmp_path: Path) -> None:
    original = " ".join([LONG_C, LONG_A, LONG_B])  # ~95 words, a typical case length
    edited = original.replace("three separate", "3 separate") + " Results: queues halved."
    rows = [{"id": "a", "text": original}, {"id": "b", "text": LONG_A}, {"id": "c", "text": edited}]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = ingest([path])
    assert result.cases.set_index("case_id")["duplicate_of"].to_dict() == {"a": None, "b": None, "c": "a"}
    assert result.summary["near_duplicates"] == 1 and result.summary["exact_duplicates"] == 0


def test_ids_are_stable_and_unique_across_files(tmp_path: Path) -> None:
    first = tmp_path / "a.csv"
    second = tmp_path / "b.csv"
    first.write_text(f'id,description\n1,"{LONG_A}"\n', encoding="utf-8")
    second.write_text(f'id,description\n1,"{LONG_B}"\n', encoding="utf-8")
    nameless = tmp_path / "c.csv"
    nameless.write_text(f'description\n"{LONG_C}"\n', encoding="utf-8")
    ids = ingest([first, second, nameless]).cases["case_id"].tolist()
    assert ids[:2] == ["1", "1-2"]
    assert ids[2].startswith("h-")
    assert ingest([first, second, nameless]).cases["case_id"].tolist() == ids


def test_xlsx_reads_every_sheet_or_one(tmp_path: Path) -> None:
    path = tmp_path / "calls.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Project title": ["A"], "Summary": [LONG_A], "start_date": ["2019-05-01"]}).to_excel(writer, sheet_name="Main", index=False)
        pd.DataFrame({"Project title": ["B"], "Summary": [LONG_B], "start_date": [2021]}).to_excel(writer, sheet_name="Late", index=False)
    both = ingest([path]).cases
    assert both["title"].tolist() == ["A", "B"] and both["year"].tolist() == [2019, 2021]
    assert both["source_file"].tolist() == [f"{path}#Main", f"{path}#Late"]
    assert ingest([path], sheet="Late").cases["title"].tolist() == ["B"]
    with pytest.raises(UserError, match="no sheet named 'Nope'"):
        ingest([path], sheet="Nope")


def test_json_object_holding_an_array_and_jsonl_bad_line(tmp_path: Path) -> None:
    doc = tmp_path / "dump.json"
    doc.write_text(json.dumps({"meta": {"n": 2}, "cases": [{"name": "A", "abstract": LONG_A, "country": ["France", "Spain"]}, "junk"]}))
    result = ingest([doc])
    assert result.cases["country"].tolist() == ["FRA;ESP"]
    assert result.rejected["reason"].tolist() == ["cannot be parsed: not a JSON object"]
    lines = tmp_path / "portal.jsonl"
    lines.write_text(json.dumps({"abstract": LONG_B}) + "\n{broken\n\n" + json.dumps({"abstract": LONG_C}) + "\n")
    result = ingest([lines])
    assert result.summary["rows_read"] == 3 and result.summary["rejected"] == 1
    assert result.rejected["source_row"].tolist() == [2]


def test_parquet_and_tsv_inputs(tmp_path: Path) -> None:
    pq = tmp_path / "cases.parquet"
    pd.DataFrame({"title": ["A"], "text": [LONG_A], "year": [2020]}).to_parquet(pq)
    tsv = tmp_path / "cases.tsv"
    tsv.write_text(f"Title\tDescription\nB\t{LONG_B}\n", encoding="utf-8-sig")
    cases = ingest([pq, tsv]).cases
    assert cases["title"].tolist() == ["A", "B"]


def test_folder_of_documents_one_case_per_file(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text(f"# Pre-filled returns\n\nSome **bold** text. {LONG_A}\n")
    (folder / "b.html").write_text(f"<html><head><title>Nurse line</title></head><body><h1>Nurse line</h1><p>{LONG_B} &amp; more</p></body></html>")
    (folder / "c.txt").write_text(f"Single counter\n\n{LONG_C}\n")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    result = ingest([folder])
    cases = result.cases.set_index("title")
    assert sorted(cases.index) == ["Nurse line", "Pre-filled returns", "Single counter"]
    assert cases.loc["Nurse line", "text"].endswith("& more") and "Nurse line" not in cases.loc["Nurse line", "text"]
    assert "**" not in cases.loc["Pre-filled returns", "text"]
    assert cases.loc["Single counter", "source_file"].endswith("c.txt")
    assert result.summary["skipped_files"] == [str(folder / "scan.pdf")]


def test_glob_inputs(tmp_path: Path) -> None:
    for name, text in [("x1.csv", LONG_A), ("x2.csv", LONG_B)]:
        (tmp_path / name).write_text(f'description\n"{text}"\n')
    assert len(ingest([str(tmp_path / "x*.csv")]).cases) == 2


def test_cli_ingest_writes_outputs_and_prints_mapping(messy_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["ingest", str(messy_csv), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "text <- 'Innovation description'" in result.output
    assert "7 rows read: 4 accepted, 1 duplicates (1 exact, 0 near), 2 rejected" in result.output
    cases = pd.read_parquet(out / "cases.parquet")
    summary = json.loads((out / "ingest_summary.json").read_text())
    assert_accounted(summary, cases)
    rejected = pd.read_csv(out / "rejected.csv", encoding="utf-8-sig")
    assert len(rejected) == 2
    assert sorted(p.name for p in out.iterdir()) == ["cases.parquet", "ingest_summary.json", "rejected.csv"]


def test_cli_map_override_and_missing_text_column(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(f'ref,blurb,when\n1,"{LONG_A}",2019\n')
    result = runner.invoke(app, ["ingest", str(path), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"error: {path}: no text column found (use --map text=COLUMN); columns seen: ref, blurb, when"]
    result = runner.invoke(app, ["ingest", str(path), "-o", str(tmp_path / "o"), "--map", "text=blurb", "--map", "year=when", "-q"])
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(tmp_path / "o" / "cases.parquet")["year"].tolist() == [2019]
    bad = runner.invoke(app, ["ingest", str(path), "-o", str(tmp_path / "o"), "--map", "text=nope"])
    assert bad.exit_code == 1 and "no such column" in bad.output


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "input not found"),
        ("scan.pdf", b"%PDF-1.4", "unsupported format .pdf"),
        ("broken.json", b"{not json", "invalid JSON at line 1"),
        ("empty.csv", b"", "the file is empty"),
        ("fake.xlsx", b"not a zip", "cannot open as an Excel workbook"),
    ],
)
def test_cli_bad_inputs_give_one_line_errors(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["ingest", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not (tmp_path / "out").exists()


def test_real_jrc_file_accounts_for_every_row(jrc_dev: Path, messy_csv: Path) -> None:
    result = ingest([jrc_dev, messy_csv])
    summary = result.summary
    assert summary["rows_read"] == 597 + 7
    assert_accounted(summary, result.cases)
    jrc = next(f for f in summary["files"] if f["file"] == str(jrc_dev))
    assert jrc["column_mapping"]["text"] == "description" and jrc["column_mapping"]["year"] == "start_date"
    kept = result.cases[result.cases["source_file"] == str(jrc_dev)]
    assert kept["year"].between(2000, 2023).all()
    assert kept["country"].notna().mean() > 0.95
    assert set(result.rejected["reason"].str.split(":").str[0]) <= {"too short", "no text"}
