"""Loading the graph: which files make it, which named graph each goes in, parsing.

Every file is parsed on its own so that an error names that file and its line, and
nothing is returned unless every file parsed.
"""

from __future__ import annotations

import ast
import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, cast

from defcoop import resources
from defcoop.errors import DataError
from defcoop.graph import rdf_formats

if TYPE_CHECKING:
    from rdflib import Dataset, Graph, URIRef
    from rdflib.term import Identifier, Node

GRAPH_BASE = "https://w3id.org/defcoop/graph/"
#: the named graph of what follows from the asserted graph (`defcoop.graph.entailment`)
ENTAILED_GRAPH = GRAPH_BASE + "entailed"


@dataclass(frozen=True)
class Source:
    """One file of the graph and the named graph it is loaded into."""

    path: Path
    iri: str  # the named graph's IRI
    kind: str  # "ontology", "reference", "document", "user" or "entailed" (derived)

    @property
    def graph(self) -> URIRef:
        """The named graph as an rdflib term."""
        from rdflib import URIRef  # only here: `defcoop query` never imports rdflib

        return URIRef(self.iri)


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
        out += [Source(p, f"{GRAPH_BASE}{kind}/{p.stem}", kind) for p in files]
    derived = resources.entailed_file(home)
    if entailed and derived.is_file():
        out.append(Source(derived, ENTAILED_GRAPH, "entailed"))
    return out


def project_sources(home: Path | None = None, entailed: bool = True) -> list[Source]:
    """`default_sources`, each file checked as `check_readable` does (for the CLI: a
    project file left empty is an error, "no triples", not a graph that conforms)."""
    out = default_sources(home, entailed=entailed)
    for source in out:
        check_readable(source.path)
    return out


def user_sources(paths: Iterable[str | Path]) -> list[Source]:
    """The user's files (a folder stands for every RDF file directly in it), checked.

    Raises `DataError` naming the file for one that is missing, unreadable, binary,
    not UTF-8, of an unknown type, or holds no triples (an empty ``.ttl`` is a
    mistake, not a graph that conforms).
    """
    out = []
    for p in paths:
        for path in _files_of(Path(p)):
            check_readable(path)
            out.append(Source(path, f"{GRAPH_BASE}user/{path.stem}", "user"))
    return out


def _files_of(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and rdf_formats.of_path(p))
        if not found:
            raise DataError(
                f"{path}: folder holds no RDF files (looked for {rdf_formats.known_suffixes()})"
            )
        return found
    if not path.exists():
        raise DataError(f"{path}: no such file")
    return [path]


def base_iri(path: str | Path) -> str:
    """The base IRI a file's relative IRIs resolve against: its own ``file:`` IRI."""
    return Path(path).resolve().as_uri()


def rdf_format(path: Path) -> str:
    """rdflib's name of the format of ``path`` (by its suffix); `DataError` if not RDF."""
    fmt = rdf_formats.of_path(path)
    if fmt is None:
        raise DataError(
            f"{path}: unknown RDF file type {Path(path).suffix or '(no suffix)'!r} "
            f"(known: {rdf_formats.known_suffixes()})"
        )
    return fmt.rdflib


def check_readable(path: Path) -> None:
    """`DataError` unless ``path`` is a readable RDF text file holding a triple.

    Only the first 64 KiB are looked at for binary or non-UTF-8 bytes (the parsers
    name the line of one further on), so that the check costs little on large files.
    """
    fmt = rdf_formats.by_rdflib_name(rdf_format(path))
    if not path.is_file():
        raise DataError(f"{path}: not a regular file")
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if b"\0" in head:
        raise DataError(f"{path}: a binary file, not {fmt.label} text")
    if fmt.name != "xml":  # RDF/XML may declare another encoding
        _check_utf8(path, head)
    if not _has_a_triple(path, fmt):
        raise DataError(f"{path}: no triples (the file is empty or holds only prefixes and comments)")


def _check_utf8(path: Path, data: bytes) -> None:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); RDF files are read as UTF-8"
        ) from None


def _has_a_triple(path: Path, fmt: rdf_formats.RdfFormat) -> bool:
    """Whether the file states at least one triple (parsing stops at the first)."""
    import pyoxigraph  # only here: `defcoop info` and `validate` do not otherwise need it at start

    try:
        return next(iter(pyoxigraph.parse(path=str(path), format=fmt.for_oxigraph())), None) is not None
    except (SyntaxError, ValueError, OSError):
        return True  # a syntax error: the parser that loads the file reports it with its line


def parse_into(graph: Graph, path: Path) -> None:
    """Parse one file into ``graph``; a failure raises `DataError` naming file and line."""
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not an RDF file")
    fmt = rdf_format(path)
    try:
        graph.parse(path, format=fmt)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}:{_line_of_byte(path, exc)}: not UTF-8 text "
                        f"(byte 0x{exc.object[exc.start]:02x}); RDF files are read as UTF-8") from None
    except Exception as exc:  # rdflib raises many kinds; all mean "cannot parse"
        raise DataError(f"{path}:{_line_of(exc)}: cannot parse {fmt}: {_message(exc)}") from exc


def ordered(nodes: Iterable[Node]) -> list[Identifier]:
    """rdflib terms in rdflib's own order (its ``Node`` type declares none, its terms do).

    >>> from rdflib import BNode, URIRef
    >>> ordered([URIRef("urn:b"), URIRef("urn:a")])
    [rdflib.term.URIRef('urn:a'), rdflib.term.URIRef('urn:b')]
    """
    return sorted(cast("Iterable[Identifier]", nodes))


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


def _line_of_byte(path: Path, exc: UnicodeDecodeError) -> str:
    """The line of the first byte that is not UTF-8 (rdflib's error has only an offset
    into the block it was decoding)."""
    line = 1
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            try:
                line += decoder.decode(block).count("\n")
            except UnicodeDecodeError as bad:
                return str(line + block.count(b"\n", 0, max(bad.start, 0)))
    return "?"


def _line_of(exc: Exception) -> str:
    for attr in ("lines", "line", "lineno"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return str(value + 1 if attr == "lines" else value)
    m = re.search(r"line (\d+)", str(exc))
    return m.group(1) if m else "?"


def _message(exc: Exception) -> str:
    """rdflib's message in one line, without its position prefix and byte reprs."""
    text = " ".join(line.strip() for line in str(exc).strip().splitlines() if line.strip())
    text = re.sub(r"^at line \d+ of <[^>]*>:\s*", "", text)
    m = re.match(r"Bad syntax \((.*)\) at \^ in:\s*\"(b'.*')\^(b'.*')\"$", text, re.DOTALL)
    if m:
        text = f"{m.group(1)}, at {_snippet(m.group(3))!r}"
    return text[:400] or type(exc).__name__


def _snippet(byte_repr: str) -> str:
    """The first line of the text after the parser's ``^`` (rdflib gives a bytes repr)."""
    try:
        raw = ast.literal_eval(byte_repr)
        after = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    except (ValueError, SyntaxError):
        after = byte_repr
    return after.strip().split("\n", 1)[0][:60] or "end of file"
