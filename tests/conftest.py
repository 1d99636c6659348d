"""Fixtures shared by the tests.

Markers (pyproject.toml): ``slow`` (a case that takes seconds: ``pytest -m "not slow"``
leaves them out), ``server`` (a triple store: the Oxigraph server is started here when
``DEFCOOP_TEST_OXIGRAPH_URL`` is not set; Virtuoso only by ``.ci/run``), ``browser``
(Chromium, installed by ``.ci/run``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from test_store_support import OxigraphServer

from defcoop.errors import DefcoopError
from defcoop.graph.files import load_graph  # noqa: E402
from defcoop.stores.serve import oxigraph_binary


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


@pytest.fixture(scope="session")
def oxigraph_server_url(tmp_path_factory):
    """The base URL of an empty Oxigraph server (``/query``, ``/update``, ``/store`` below it).

    ``DEFCOOP_TEST_OXIGRAPH_URL`` if set (`.ci/run` starts one); otherwise the PyPI
    ``oxigraph`` binary of the test extra, started here on a free port with
    ``--union-default-graph`` over a folder of this session, and stopped at its end.
    """
    url = os.environ.get("DEFCOOP_TEST_OXIGRAPH_URL")
    if url:
        yield url.rstrip("/")
        return
    try:
        oxigraph_binary()
    except DefcoopError as exc:
        pytest.skip(f"{exc}; or set DEFCOOP_TEST_OXIGRAPH_URL")
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-server") / "db").start()
    try:
        yield server.url
    finally:
        server.stop()
