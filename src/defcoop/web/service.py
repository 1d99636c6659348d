"""What the routes share: the graph in memory, the query library, the site's pages.

The store is loaded once, in a thread, when the server starts; until it is in place
every route that needs it answers 503 (`Service.require`). The site's pages (the
HTML of each entity) are rendered on the first request that wants HTML, since most
clients of a SPARQL or API server never ask for one.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox

from defcoop.web.problems import Problem


class Service:
    def __init__(self, sources, query_folder: Path | None = None):
        self.sources = list(sources)
        self.query_folder = query_folder
        self.store: ox.Store | None = None
        self.library: dict = {}
        self.error: str | None = None
        self.loaded = threading.Event()
        self._site: dict | None = None
        self._site_lock = threading.Lock()
        self._dumps: dict | None = None

    # -- loading
    def load(self) -> None:
        """Parse the sources into an in-memory store and read the library (in a thread)."""
        from defcoop.errors import DefcoopError
        from defcoop.query.engine import load_store
        from defcoop.query.library import load_library

        try:
            store = load_store(self.sources, use_cache=False)  # in memory, for the process's life
            self.library = {q.name: q for q in load_library(self.query_folder)}
            self.store = store
        except DefcoopError as exc:
            self.error = str(exc)
        finally:
            self.loaded.set()

    def require(self) -> ox.Store:
        """The store, or a 503 while it loads (or if it could not be loaded)."""
        if self.store is not None:
            return self.store
        if self.error is not None:
            raise Problem(503, f"the graph could not be loaded: {self.error}")
        raise Problem(503, "the graph is still loading; try again in a moment",
                      headers={"Retry-After": "2"})

    # -- the site
    def site(self) -> dict:
        """The static site's files (path -> content), rendered once, without running the queries."""
        self.require()
        with self._site_lock:
            if self._site is None:
                from defcoop.graph.files import load_graph
                from defcoop.site.build import pages
                from defcoop.site.model import SiteModel

                self._site = pages(SiteModel(load_graph(self.sources)), self.sources, queries=False)
            return self._site

    def dumps(self) -> dict[str, bytes]:
        """Every export format of the whole graph (format name -> bytes), written once."""
        from defcoop.graph import serialize as S

        store = self.require()
        with self._site_lock:
            if self._dumps is None:
                self._dumps = {fmt: S.serialize(S.store_statements(store, fmt), fmt) for fmt in S.FORMATS}
            return self._dumps
