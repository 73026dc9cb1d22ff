"""Tier 1 and tier 3 tests import the app's pure modules from this checkout."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
