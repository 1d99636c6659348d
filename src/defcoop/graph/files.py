"""Loading the graph: which files make it, which named graph each goes in, parsing.

Every file is parsed on its own so that an error names that file and its line, and
nothing is returned unless every file parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from defcoop import resources
from defcoop.errors import DataError

if TYPE_CHECKING:
    from rdflib import Dataset, Graph, URIRef

GRAPH_BASE = "https://w3id.org/defcoop/graph/"

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
    iri: str  # the named graph's IRI
    kind: str  # "ontology", "reference", "document" or "user"

    @property
    def graph(self) -> URIRef:
        """The named graph as an rdflib term."""
        from rdflib import URIRef  # only here: `defcoop query` never imports rdflib

        return URIRef(self.iri)


def default_sources(home: Path | None = None) -> list[Source]:
    """The project's own files: ontology, vocabularies, reference data, documents.

    ``home``: another project folder laid out like this one, such as a generated
    benchmark corpus (default: the project's, `resources.root()`).

    Named graphs: ``graph/ontology/<file>`` for the ontology files,
    ``graph/reference/<file>`` for shared reference data and
    ``graph/document/<file>`` for each document's facts (file name without suffix).
    """
    out = []
    for kind, files in (
        ("ontology", resources.ontology_files(home)),
        ("reference", resources.reference_files(home)),
        ("document", resources.document_files(home)),
    ):
        out += [Source(p, f"{GRAPH_BASE}{kind}/{p.stem}", kind) for p in files]
    return out


def user_sources(paths: Iterable[str | Path]) -> list[Source]:
    out = []
    for p in paths:
        p = Path(p)
        out.append(Source(p, f"{GRAPH_BASE}user/{p.stem}", "user"))
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
    from rdflib import Graph  # only here: `defcoop query` never imports rdflib

    sources = default_sources() if sources is None else list(sources)
    graph = Graph()
    for source in sources:
        parse_into(graph, source.path)
    return graph


def load_dataset(sources: Iterable[Source] | None = None) -> Dataset:
    """All sources, each in its own named graph; the default graph is their union."""
    from rdflib import Dataset  # only here: `defcoop query` never imports rdflib

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
