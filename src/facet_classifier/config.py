"""Path constants and the one place seeds are fixed, so no module hard-codes either."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# In an editable/source checkout the project root holds data/ and models/; installed elsewhere,
# these paths simply do not exist and commands fall back to what the user passes.
PROJ_ROOT = PACKAGE_DIR.parents[1]
DATA_DIR = PROJ_ROOT / "data"
RAW_DATA_DIR = DATA_DIR / "raw"
SAMPLE_DIR = RAW_DATA_DIR / "sample"
LABELLED_DIR = RAW_DATA_DIR / "labelled"
PROCESSED_DATA_DIR = DATA_DIR / "processed"
MODELS_DIR = PROJ_ROOT / "models"
DEFAULT_MODEL_DIR = MODELS_DIR / "default"
REPORTS_DIR = PROJ_ROOT / "reports"
DEFAULT_TAXONOMY_PATH = PACKAGE_DIR / "taxonomy" / "default_taxonomy.yaml"

SEED = 13
