from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from defcoop.graph.files import load_graph  # noqa: E402


@pytest.fixture(scope="session")
def project_graph():
    """The project's own ontology and data, merged (parsed once per test session)."""
    return load_graph()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The project's site, built once per session by `defcoop.site.build_site`: (folder, report).

    ``DEFCOOP_SITE_QUERIES=0`` builds it without running the stored queries (a quicker local run).
    """
    import os

    from defcoop.site import build_site

    out = tmp_path_factory.mktemp("site") / "site"
    report = build_site(out, queries=os.environ.get("DEFCOOP_SITE_QUERIES", "1") != "0")
    return out, report


@pytest.fixture(scope="session", autouse=True)
def _engine_cache(tmp_path_factory):
    """The embedded engine's on-disk cache in this session's folder, not the user's
    (set in the environment, so that the CLI run as a subprocess uses it too)."""
    import os

    patch = pytest.MonkeyPatch()
    if "DEFCOOP_CACHE_DIR" not in os.environ:
        patch.setenv("DEFCOOP_CACHE_DIR", str(tmp_path_factory.mktemp("engine-cache")))
    yield
    patch.undo()
