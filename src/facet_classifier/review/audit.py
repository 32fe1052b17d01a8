"""`review audit`: labelled cases whose label is probably wrong (confident learning).

The labelled set is cross-validated as `train` does it (same taxonomy handling, designs, folds and
seed), so every case gets probabilities from a model that never saw it, with one difference: no
shortened training copies (crop augmentation), because they make the out-of-fold probabilities
overconfident and the ranking of wrong labels worse (measured in docs/review.md). Then, in the
style of confident learning (Northcutt et al., 2021; the few lines are implemented here rather
than adding cleanlab and its dependencies):

- Primary label (and single-label axes): the threshold of class j is the mean out-of-fold
  probability of j among the cases labelled j. A case labelled i is suspicious when another class
  j reaches its threshold and is more probable than i; the expected label is the most probable
  such j.
- Label sets of multi-label axes: each label is a yes/no question, and the same rule is applied
  to it: a given label is suspicious ("extra label") when P(no) reaches the mean P(no) of the
  cases without the label and exceeds P(yes); a label not given is suspicious ("missing label")
  when P(yes) reaches the mean P(yes) of the cases with the label and exceeds P(no). Labels with
  fewer than MIN_EXAMPLES cases are not judged (their probabilities are not trustworthy).

Rows are ranked by margin = p_expected - p_given: how much more the model believes the other answer.
A primary finding whose expected label is already one of the case's labels (`order_only`) only
disputes which of its labels is the primary one: a milder finding than a label from outside the set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from facet_classifier.config import SEED
from facet_classifier.errors import UserError
from facet_classifier.fileio import write_table
from facet_classifier.modeling.axis import MIN_EXAMPLES, label_matrix
from facet_classifier.modeling.labelled import read_labelled
from facet_classifier.modeling.train import (
    cross_validated_predictions,
    default_designs,
    process_cases,
    taxonomy_for_training,
)
from facet_classifier.progress import QUIET, Reporter
from facet_classifier.review.sheet import write_xlsx_table
from facet_classifier.taxonomy import load_taxonomy
from facet_classifier.textproc import TextProcessor

OUTPUT_SUFFIXES = (".csv", ".xlsx", ".jsonl", ".parquet")
KINDS = ("primary", "extra label", "missing label")
NOT_GIVEN = "(none)"
COLUMNS = ["axis", "case_id", "title", "given", "expected", "p_given", "p_expected", "margin", "kind", "order_only"]


def primary_issues(P: np.ndarray, given: Sequence[str | None], labels: list[str]) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Cases whose given primary label is beaten by another class above that class's threshold."""
    index = {label: j for j, label in enumerate(labels)}
    g = np.array([index.get(p, -1) if p else -1 for p in given])
    thresholds = np.full(len(labels), np.inf)
    for j in range(len(labels)):
        if (g == j).any():
            thresholds[j] = P[g == j, j].mean()
    rows = np.flatnonzero(g >= 0)
    p_given = P[rows, g[rows]]
    above = (P[rows] >= thresholds) & (P[rows] > p_given[:, None])
    above[np.arange(len(rows)), g[rows]] = False
    issues = []
    for k in np.flatnonzero(above.any(axis=1)):
        i = rows[k]
        expected = int(np.argmax(np.where(above[k], P[i], -np.inf)))
        issues.append({"row": int(i), "given": labels[g[i]], "expected": labels[expected],
                       "p_given": float(P[i, g[i]]), "p_expected": float(P[i, expected]), "kind": "primary"})  # fmt: skip
    return issues, {labels[j]: round(float(t), 4) for j, t in enumerate(thresholds) if np.isfinite(t)}


def label_set_issues(M: np.ndarray, gold: Sequence[Sequence[str]], labels: list[str]) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Given labels the model firmly rejects and labels not given that it firmly expects."""
    Y = label_matrix(gold, labels)
    issues, thresholds = [], {}
    for j, label in enumerate(labels):
        p = M[:, j]
        valid = ~np.isnan(p)
        pos, neg = valid & (Y[:, j] == 1), valid & (Y[:, j] == 0)
        if pos.sum() < MIN_EXAMPLES or neg.sum() < MIN_EXAMPLES:
            continue
        t_yes, t_no = p[pos].mean(), (1 - p[neg]).mean()
        thresholds[label] = round(float(t_yes), 4)
        for i in np.flatnonzero(neg & (p >= t_yes) & (p > 0.5)):
            issues.append({"row": int(i), "given": NOT_GIVEN, "expected": label, "p_given": float(1 - p[i]),
                           "p_expected": float(p[i]), "kind": "missing label"})  # fmt: skip
        for i in np.flatnonzero(pos & (1 - p >= t_no) & (p < 0.5)):
            issues.append({"row": int(i), "given": label, "expected": NOT_GIVEN, "p_given": float(p[i]),
                           "p_expected": float(1 - p[i]), "kind": "extra label"})  # fmt: skip
    return issues, thresholds


def _without_repeats(label_issues: list[dict[str, Any]], primary: list[dict[str, Any]], given_primary: Sequence[str | None]) -> list[dict[str, Any]]:
    """Drop label-set findings the primary check already covers (the primary label itself, and the
    expected primary of a case flagged on its primary label)."""
    flagged = {issue["row"]: issue["expected"] for issue in primary}
    kept = []
    for issue in label_issues:
        row = issue["row"]
        if issue["kind"] == "extra label" and issue["given"] == given_primary[row]:
            continue
        if issue["kind"] == "missing label" and flagged.get(row) == issue["expected"]:
            continue
        kept.append(issue)
    return kept


def audit_labels(
    labelled: list[Path],
    *,
    taxonomy_path: Path | None,
    axis_options: list[str],
    seed: int = SEED,
    output: Path | None,
    reporter: Reporter = QUIET,
    folds: int = 5,
) -> dict[str, Any]:
    """Cross-validate like `train`, then list labels that the out-of-fold probabilities contradict."""
    if output is not None and Path(output).suffix.lower() not in OUTPUT_SUFFIXES:
        raise UserError(f"cannot write {output}: use a .csv, .xlsx, .jsonl or .parquet file name")
    given_taxonomy = load_taxonomy(taxonomy_path) if (taxonomy_path or not axis_options) else None
    axis_names = list(given_taxonomy.axes) if given_taxonomy is not None else []
    data = read_labelled(labelled, axis_names=axis_names, axis_options=axis_options, reporter=reporter)
    taxonomy, notes = taxonomy_for_training(data, given_taxonomy, MIN_EXAMPLES, "merge")
    if len(data.cases) < 4 * MIN_EXAMPLES:
        raise UserError(f"only {len(data.cases)} labelled cases: at least {4 * MIN_EXAMPLES} are needed to audit")
    feature_design, model_design = default_designs(taxonomy, None, None)
    model_design = replace(model_design, crop_augment=False)  # calibrated probabilities matter here (see above)
    processed = process_cases(TextProcessor(taxonomy), data.cases, reporter)
    oof = cross_validated_predictions(taxonomy, processed, data, feature_design, model_design, seed, folds, reporter)
    found: list[dict[str, Any]] = []
    counts: dict[str, dict[str, int]] = {}
    order_only: dict[str, int] = {}
    thresholds: dict[str, dict[str, Any]] = {}
    for axis, spec in data.specs.items():
        labels = taxonomy.axes[axis].label_ids
        primary, label_issues = [], []
        thresholds[axis] = {}
        if spec.primary_column or not spec.multi_label:
            primary, thresholds[axis]["primary"] = primary_issues(oof[axis]["primary"], data.primary[axis], labels)
        if spec.multi_label:
            label_issues, thresholds[axis]["labels"] = label_set_issues(oof[axis]["membership"], data.labels[axis], labels)
            label_issues = _without_repeats(label_issues, primary, data.primary[axis])
        issues = primary + label_issues
        for issue in primary:
            issue["order_only"] = issue["expected"] in data.labels[axis][issue["row"]]
        counts[axis] = {kind: sum(i["kind"] == kind for i in issues) for kind in KINDS}
        order_only[axis] = sum(i["order_only"] for i in primary)
        found += [{"axis": axis, **issue} for issue in issues]
    rows = _result_rows(found, data.cases)
    if output is not None:
        _write_output(rows, Path(output))
    return {
        "cases": len(data.cases), "folds": folds, "seed": seed, "counts": counts, "order_only": order_only, "rows": rows,
        "thresholds": thresholds, "notes": notes, "output": str(output) if output else None,
        "suspicious_cases": len({(r["case_id"]) for r in rows}),
    }  # fmt: skip


def _result_rows(found: list[dict[str, Any]], cases: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    found = sorted(found, key=lambda i: -(i["p_expected"] - i["p_given"]))  # unrounded, so near-ties keep their order
    for issue in found:
        case = cases.iloc[issue["row"]]
        title = case["title"] if isinstance(case["title"], str) and case["title"] else " ".join(str(case["text"]).split()[:12]) + " ..."
        rows.append({"axis": issue["axis"], "case_id": str(case["case_id"]), "title": title, "given": issue["given"],
                     "expected": issue["expected"], "p_given": round(issue["p_given"], 3),
                     "p_expected": round(issue["p_expected"], 3), "margin": round(issue["p_expected"] - issue["p_given"], 3),
                     "kind": issue["kind"], "order_only": bool(issue.get("order_only", False)), "text": str(case["text"]), "source_file": case.get("source_file"),
                     "source_row": None if pd.isna(case.get("source_row")) else int(case["source_row"])})  # fmt: skip
    return rows


def _write_output(rows: list[dict[str, Any]], output: Path) -> None:
    frame = pd.DataFrame(rows, columns=COLUMNS + ["text", "source_file", "source_row"])
    if output.suffix.lower() == ".xlsx":
        write_xlsx_table(frame, output, "suspicious labels", widths={"title": 40, "text": 80, "case_id": 14, "source_file": 30})
    else:
        write_table(frame, output)


def format_audit(result: dict[str, Any], top: int) -> str:
    """The console summary: counts per axis, then the `top` most suspicious labels."""
    rows = result["rows"]
    lines = [f"audited {result['cases']} labelled cases ({result['folds']}-fold cross-validated probabilities, "
             f"confident learning): {len(rows)} suspicious labels on {result['suspicious_cases']} cases"]  # fmt: skip
    for axis, counts in result["counts"].items():
        order = result.get("order_only", {}).get(axis, 0)
        parts = [f"{n} {kind}" + (f" ({order} only the order*)" if kind == "primary" and order else "") for kind, n in counts.items()]
        lines.append(f"  {axis}: " + ", ".join(parts))
    for note in result.get("notes", []):
        lines.append(f"note: {note}")
    if rows:
        shown = rows[: max(0, top)]
        width = max(len("case_id"), *(len(r["case_id"]) for r in shown)) if shown else 7
        lines.append(f"{'axis':<8} {'case_id':<{width}} {'kind':<13} {'given -> expected':<44} {'p_given':>7} {'p_exp':>6}  title")
        for r in shown:
            change = f"{r['given']} -> {r['expected']}"
            kind = r["kind"] + ("*" if r.get("order_only") else "")
            lines.append(f"{r['axis'][:8]:<8} {r['case_id']:<{width}} {kind:<13} {change:<44} {r['p_given']:>7.3f} {r['p_expected']:>6.3f}  {r['title'][:60]}")
        if any(r.get("order_only") for r in shown):
            lines.append("* the expected label is already one of the case's labels: only which one is primary is in doubt")
        if len(rows) > len(shown):
            lines.append(f"(showing {len(shown)} of {len(rows)}" + ("" if result.get("output") else "; --output writes them all") + ")")
    if result.get("output"):
        lines.append(f"wrote {result['output']}")
    return "\n".join(lines)
