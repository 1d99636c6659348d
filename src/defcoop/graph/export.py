"""Writing the merged graph to one file in a standard RDF format."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Graph

from defcoop.errors import DefcoopError

FORMATS = {
    "ttl": ("turtle", ".ttl"),
    "nt": ("nt", ".nt"),
    "jsonld": ("json-ld", ".jsonld"),
    "xml": ("xml", ".rdf"),
}


def serialize(graph: Graph, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise DefcoopError(f"--format: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    rdflib_format = FORMATS[fmt][0]
    if fmt == "nt":
        # N-Triples sorted, so that exports diff cleanly
        lines = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
        return b"".join(sorted(line for line in lines if line.strip()))
    kwargs = {"auto_compact": True} if fmt == "jsonld" else {}
    return graph.serialize(format=rdflib_format, encoding="utf-8", **kwargs)


def write_atomic(data: bytes, path: str | Path) -> None:
    """Write ``data`` to ``path`` so that a reader never sees half a file."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise DefcoopError(f"{path}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
