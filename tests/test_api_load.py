"""`defcoop.load`, the Python API's load, against a real Oxigraph server: it loads and
verifies what ``defcoop load`` does, and a wrong URL is one `DefcoopError`."""

from __future__ import annotations

import pytest

import defcoop
from defcoop.errors import DefcoopError

pytestmark = [pytest.mark.server, pytest.mark.slow]


def test_load_replaces_and_verifies_every_graph(oxigraph_server_url):
    base = oxigraph_server_url
    reports = defcoop.load(base + "/query", update=base + "/update")
    assert len(reports) == len(defcoop.sources()) and all(r.ok and r.local > 0 for r in reports)
    again = defcoop.load(base + "/query", update=base + "/update", gsp=base + "/store")
    assert [(r.graph, r.store) for r in again] == [(r.graph, r.store) for r in reports]


def test_a_store_that_is_not_there_is_one_error():
    with pytest.raises(DefcoopError):
        defcoop.load("http://127.0.0.1:9/query", timeout=2)
