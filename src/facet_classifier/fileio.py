"""Atomic output files and spreadsheet-safe cells.

Every output is written to a temporary file in the target folder and renamed into place, so an
interrupted run never leaves a half-written file. Cells that a spreadsheet would run as a formula
are neutralised because submitted text is untrusted.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to `target`; rename it onto `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.chmod(0o666 & ~_umask())  # mkstemp creates 0600; outputs get the usual permissions
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text_atomic(target: str | Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(target: str | Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_json_atomic(target: str | Path, obj: Any) -> None:
    write_text_atomic(target, json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


def neutralise_formula(value: Any) -> Any:
    """Prefix a quote to text a spreadsheet would evaluate (CSV/formula injection), keep numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` where every text cell is safe to open in a spreadsheet."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_formula)
    out.columns = [neutralise_formula(str(c)) for c in out.columns]
    return out


def write_csv_safe(frame: pd.DataFrame, target: str | Path) -> None:
    """CSV in UTF-8 (with BOM, so Excel reads accents), formula-neutralised, written atomically."""
    safe = neutralise_frame(frame)
    with atomic_path(target) as tmp:
        safe.to_csv(tmp, index=False, encoding="utf-8-sig")


def write_parquet_atomic(frame: pd.DataFrame, target: str | Path) -> None:
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False)


def write_jsonl_atomic(frame: pd.DataFrame, target: str | Path) -> None:
    with atomic_path(target) as tmp:
        frame.to_json(tmp, orient="records", lines=True, force_ascii=False)


def write_table(frame: pd.DataFrame, target: str | Path) -> None:
    """Write by extension: .parquet, .csv (formula-safe) or .jsonl."""
    writers: dict[str, Callable[[pd.DataFrame, str | Path], None]] = {
        ".parquet": write_parquet_atomic,
        ".csv": write_csv_safe,
        ".jsonl": write_jsonl_atomic,
    }
    suffix = Path(target).suffix.lower()
    if suffix not in writers:
        from facet_classifier.errors import UserError

        raise UserError(f"cannot write {target}: use a .parquet, .csv or .jsonl file name")
    writers[suffix](frame, target)
