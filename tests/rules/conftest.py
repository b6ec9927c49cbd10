"""Test configuration for the rules: makes the synthetic case builders importable."""

from __future__ import annotations

import sys
from pathlib import Path

# The builders live next to the tests (pytest runs with --import-mode=importlib, which does not
# put test directories on sys.path).
sys.path.insert(0, str(Path(__file__).parent))
