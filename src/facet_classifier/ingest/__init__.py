"""Ingest stage: submission files -> cases.parquet, rejected.csv, ingest_summary.json."""

from facet_classifier.ingest.pipeline import CASE_COLUMNS, IngestResult, ingest, write_ingest_outputs

__all__ = ["CASE_COLUMNS", "IngestResult", "ingest", "write_ingest_outputs"]
