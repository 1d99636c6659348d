from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from defcoop.graph import load_graph  # noqa: E402


@pytest.fixture(scope="session")
def project_graph():
    """The project's own ontology and data, merged (parsed once per test session)."""
    return load_graph()
