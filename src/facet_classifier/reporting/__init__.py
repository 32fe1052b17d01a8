"""Reporting stage: trend tables, figures and a written summary from classified cases.

`build_report` is the one entry point (the `report` and `run` commands call it). The work is split
by kind: `load` (read and normalise predictions), `tables` and `terms` (the numbers), `figures`,
`findings` (sentences), `display` (readable table views) and `render` (CSV, XLSX, Markdown, HTML).
"""

from facet_classifier.reporting.build import build_report

__all__ = ["build_report"]
