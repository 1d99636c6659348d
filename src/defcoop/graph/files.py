"""Loading the graph: which files make it, which named graph each goes in, parsing.

Every file is parsed on its own so that an error names that file and its line, and
nothing is returned unless every file parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from rdflib import Dataset, Graph, URIRef

from defcoop import resources
from defcoop.errors import DataError

GRAPH_BASE = "https://w3id.org/defcoop/graph/"
#: the named graph of what follows from the asserted graph (`defcoop.graph.entailment`)
ENTAILED_GRAPH = URIRef(GRAPH_BASE + "entailed")

_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".n3": "n3",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


@dataclass(frozen=True)
class Source:
    """One file of the graph and the named graph it is loaded into."""

    path: Path
    graph: URIRef
    kind: str  # "ontology", "reference", "document", "user" or "entailed" (derived)


def default_sources(home: Path | None = None, entailed: bool = True) -> list[Source]:
    """The project's own files: ontology, vocabularies, reference data, documents, and
    (unless ``entailed`` is false) the entailed graph derived from them.

    ``home``: another project folder laid out like this one, such as a generated
    benchmark corpus (default: the project's, `resources.root()`).

    Named graphs: ``graph/ontology/<file>`` for the ontology files,
    ``graph/reference/<file>`` for shared reference data and
    ``graph/document/<file>`` for each document's facts (file name without suffix),
    `ENTAILED_GRAPH` for ``data/derived/entailed.ttl`` (listed when that file exists:
    a project folder without one, such as a benchmark corpus, has no entailed graph).
    """
    out = []
    for kind, files in (
        ("ontology", resources.ontology_files(home)),
        ("reference", resources.reference_files(home)),
        ("document", resources.document_files(home)),
    ):
        out += [Source(p, URIRef(f"{GRAPH_BASE}{kind}/{p.stem}"), kind) for p in files]
    derived = resources.entailed_file(home)
    if entailed and derived.is_file():
        out.append(Source(derived, ENTAILED_GRAPH, "entailed"))
    return out


def user_sources(paths: Iterable[str | Path]) -> list[Source]:
    out = []
    for p in paths:
        p = Path(p)
        out.append(Source(p, URIRef(f"{GRAPH_BASE}user/{p.stem}"), "user"))
    return out


def rdf_format(path: Path) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(
            f"{path}: unknown RDF file type {path.suffix!r} "
            f"(known: {', '.join(sorted(_FORMATS))})"
        )
    return fmt


def parse_into(graph: Graph, path: Path) -> None:
    """Parse one file into ``graph``; a failure raises `DataError` naming file and line."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    fmt = rdf_format(path)
    try:
        graph.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many kinds; all mean "cannot parse"
        raise DataError(f"{path}:{_line_of(exc)}: cannot parse {fmt}: {_message(exc)}") from exc


def load_graph(sources: Iterable[Source] | None = None) -> Graph:
    """All sources merged in one rdflib Graph, with every file's prefixes bound."""
    sources = default_sources() if sources is None else list(sources)
    graph = Graph()
    for source in sources:
        parse_into(graph, source.path)
    return graph


def load_dataset(sources: Iterable[Source] | None = None) -> Dataset:
    """All sources, each in its own named graph; the default graph is their union."""
    sources = default_sources() if sources is None else list(sources)
    dataset = Dataset(default_union=True)
    for source in sources:
        parse_into(dataset.graph(source.graph), source.path)
    return dataset


def _line_of(exc: Exception) -> str:
    for attr in ("lines", "line", "lineno"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return str(value + 1 if attr == "lines" else value)
    m = re.search(r"line (\d+)", str(exc))
    return m.group(1) if m else "?"


def _message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return " ".join(line.strip() for line in text if line.strip())[:400] or type(exc).__name__
