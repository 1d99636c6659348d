"""The background process that writes the engine's on-disk cache (`engine.start_cache_write`).

``python -m defcoop.query.write_cache KEY`` with the sources as JSON on stdin
(``[[path, graph IRI, kind], ...]``). It runs detached and at low priority, writes
nothing to the terminal, and publishes the entry only if the files still have
``KEY`` (`engine.write_cache`); if it is killed half-way, nothing is published.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from defcoop.graph.files import Source
from defcoop.query import engine


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        return 2
    try:
        os.nice(10)
    except OSError:
        pass  # not allowed here: write at normal priority
    sources = [Source(Path(path), iri, kind) for path, iri, kind in json.load(sys.stdin)]
    try:
        return 0 if engine.write_cache(argv[0], sources) is not None else 1
    except Exception:  # any failure: no cache entry, which the next run notices
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
