"""Every path the project uses, in one place.

The stage folders sit at the top of the repository (see README); this module is installed as
`sensational.paths` from `model/`, so the repository root is one level up.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
CONFIG_PATH = ROOT / "train" / "config.toml"
ARTIFACT_DIR = ROOT / "model" / "artifacts"
REPORT_DIR = ROOT / "evaluate"
MODEL_CARD_PATH = ROOT / "model" / "MODEL_CARD.md"


def default_model_path() -> Path:
    """The artifact `make train` writes, unless SENSATIONAL_MODEL points elsewhere."""
    return Path(os.environ.get("SENSATIONAL_MODEL", ARTIFACT_DIR / "sensational.joblib"))
