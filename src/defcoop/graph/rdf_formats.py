"""The RDF formats defcoop reads and writes: one table, for every module that needs one.

Each row says what a format is called on our command line (``--format``), which file
suffixes mean it, its name for rdflib, its name for Oxigraph (`pyoxigraph.RdfFormat`),
its media type, and whether it holds named graphs. Reading a file
(`defcoop.graph.files`), exporting (`defcoop.graph.export`, ``defcoop export``), the
embedded engine, ``defcoop serve`` and the endpoint client all look formats up here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from defcoop.errors import DefcoopError


@dataclass(frozen=True)
class RdfFormat:
    name: str  # on our command line: --format NAME
    label: str  # for people: "N-Quads"
    suffixes: tuple[str, ...]  # the first is the one we write
    rdflib: str  # rdflib's parser/serialiser name
    oxigraph: str  # the name of the `pyoxigraph.RdfFormat` member
    media_type: str
    datasets: bool  # holds named graphs (quads)
    exported: bool  # `defcoop export` writes it

    @property
    def suffix(self) -> str:
        return self.suffixes[0]

    def for_oxigraph(self):
        """The `pyoxigraph.RdfFormat` of this format."""
        import pyoxigraph  # only here: the table is read by modules that never load Oxigraph

        return getattr(pyoxigraph.RdfFormat, self.oxigraph)


FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("ttl", "Turtle", (".ttl",), "turtle", "TURTLE", "text/turtle", False, True),
    RdfFormat("nt", "N-Triples", (".nt",), "nt", "N_TRIPLES", "application/n-triples", False, True),
    RdfFormat("nq", "N-Quads", (".nq",), "nquads", "N_QUADS", "application/n-quads", True, True),
    RdfFormat("trig", "TriG", (".trig",), "trig", "TRIG", "application/trig", True, True),
    RdfFormat("jsonld", "JSON-LD", (".jsonld", ".json"), "json-ld", "JSON_LD",
              "application/ld+json", True, True),
    RdfFormat("xml", "RDF/XML", (".rdf", ".owl", ".xml"), "xml", "RDF_XML",
              "application/rdf+xml", False, True),
    RdfFormat("n3", "N3", (".n3",), "n3", "N3", "text/n3", False, False),
)

EXPORTED: tuple[str, ...] = tuple(f.name for f in FORMATS if f.exported)
SUFFIXES: dict[str, RdfFormat] = {s: f for f in FORMATS for s in f.suffixes}


def by_name(name: str) -> RdfFormat:
    """The format called ``name`` on our command line (``ttl``, ``nq``, ...)."""
    for f in FORMATS:
        if f.name == name:
            return f
    raise DefcoopError(
        f"--format: unknown format {name!r} (known: {', '.join(f.name for f in FORMATS)})"
    )


def by_rdflib_name(name: str) -> RdfFormat:
    """The format rdflib calls ``name`` (``turtle``, ``nquads``, ...)."""
    for f in FORMATS:
        if f.rdflib == name:
            return f
    raise KeyError(name)


def by_media_type(media_type: str) -> RdfFormat | None:
    """The format of a ``Content-Type`` (parameters such as ``charset`` ignored)."""
    bare = media_type.split(";", 1)[0].strip().lower()
    return next((f for f in FORMATS if f.media_type == bare), None)


def of_path(path: str | Path) -> RdfFormat | None:
    """The format a file's suffix means, or None for a suffix that is not RDF."""
    return SUFFIXES.get(Path(path).suffix.lower())


def known_suffixes() -> str:
    return ", ".join(sorted(SUFFIXES))
