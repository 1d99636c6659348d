"""Printing query results: for people (table, markdown) and machines (csv, tsv, json).

- ``table``: aligned plain-text columns; IRIs shortened with the graph's prefixes;
  long cells wrapped to fit a width, no trailing spaces.
- ``markdown``: a GitHub table, IRIs shortened, ``|`` escaped.
- ``csv``: the W3C SPARQL 1.1 CSV results format: full IRIs, literals as their
  lexical form, unbound as empty; RFC 4180 quoting, LF line ends.
- ``tsv``: the W3C SPARQL 1.1 TSV results format: terms in Turtle syntax.
- ``json``: the W3C SPARQL 1.1 JSON results format.

Every format is a pure function of the result (and, for ``table``, of the width it
is given: the CLI gives the terminal's), so the same result prints the same from the
embedded graph and from an endpoint.
Labels in the user's language are chosen by the query (its ``lang`` parameter).
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from defcoop import resources
from defcoop.namespaces import display_prefixes

FORMATS = ("table", "csv", "tsv", "json", "markdown")

_XSD = "http://www.w3.org/2001/XMLSchema#"
_PLAIN = (_XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?$")


def _prefixes(prefixes=None) -> tuple[tuple[str, str], ...]:
    """(prefix, namespace), longest namespace first, so that doc: wins over id: for
    id:document/...; by default the project's (`display_prefixes`)."""
    if prefixes is None:
        return _project_prefixes(resources.root())
    return _longest_first(tuple((p, str(ns)) for p, ns in prefixes.items()))


@lru_cache(maxsize=8)  # per project folder, as display_prefixes: shorten runs once per cell
def _project_prefixes(home: Path) -> tuple[tuple[str, str], ...]:
    return _longest_first(tuple(display_prefixes(home).items()))


@lru_cache(maxsize=16)  # keyed by the table's content
def _longest_first(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(pairs, key=lambda x: (-len(x[1]), x[0])))


def shorten(iri: str, prefixes=None) -> str:
    """``prefix:local`` when a prefix fits and the rest is a plain local name, else ``<iri>``."""
    for prefix, ns in _prefixes(prefixes):
        if iri.startswith(ns):
            local = iri[len(ns):]
            if local == "" or _LOCAL.match(local):
                return f"{prefix}:{local}"
    return f"<{iri}>"


def plain_datatype(term):
    """The literal's datatype, with xsd:string (and rdf:langString) read as none."""
    dt = term.datatype
    if dt is not None and str(dt) == _XSD + "string":
        return None
    return dt


# -- cells -------------------------------------------------------------------
# A cell is a pyoxigraph term (the embedded engine) or an rdflib term (an endpoint,
# rdflib): `_parts` reads either as (kind, text, language, datatype), the datatype
# None for a plain or language-tagged literal.

def _parts(term) -> tuple[str, str, str | None, str | None]:
    kind = type(term)
    if kind is ox.NamedNode:
        return "uri", term.value, None, None
    if kind is ox.Literal:
        dt = term.datatype.value
        return "literal", term.value, term.language, None if dt in _PLAIN else dt
    if kind is ox.BlankNode:
        return "bnode", term.value, None, None
    from rdflib import (  # only here: rdflib terms come from rdflib, already loaded
        BNode,
        URIRef,
    )

    if isinstance(term, URIRef):
        return "uri", str(term), None, None
    if isinstance(term, BNode):
        return "bnode", str(term), None, None
    dt = plain_datatype(term)
    return "literal", str(term), term.language, None if dt is None else str(dt)


def human(term, prefixes=None) -> str:
    if term is None:
        return ""
    kind, text, _, _ = _parts(term)
    if kind == "uri":
        return shorten(text, prefixes)
    if kind == "bnode":
        return f"_:{text}"
    return text


def csv_cell(term) -> str:
    if term is None:
        return ""
    kind, text, _, _ = _parts(term)
    return f"_:{text}" if kind == "bnode" else text


def _escape(s: str) -> str:
    return (
        s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        .replace("\r", "\\r").replace("\t", "\\t")
    )


def tsv_cell(term) -> str:
    if term is None:
        return ""
    kind, lexical, language, dt = _parts(term)
    if kind == "uri":
        return f"<{lexical}>"
    if kind == "bnode":
        return f"_:{lexical}"
    if language:
        return f'"{_escape(lexical)}"@{language}'
    if dt is None:
        return f'"{_escape(lexical)}"'
    if dt == _XSD + "integer" and re.fullmatch(r"[+-]?\d+", lexical):
        return lexical
    return f'"{_escape(lexical)}"^^<{dt}>'


def json_term(term) -> dict:
    kind, text, language, dt = _parts(term)
    out = {"type": kind, "value": text}
    if language:
        out["xml:lang"] = language
    elif dt is not None:
        out["datatype"] = dt
    return out


# -- results -----------------------------------------------------------------

def render(result, fmt: str, prefixes=None, width: int | None = None) -> str:
    """The text of a `QueryResult` in ``fmt`` (SELECT and ASK; graphs print as Turtle).

    ``width``: the table format wraps long cells to fit it (the CLI gives the
    terminal's; no width, no wrapping: the same text for the same result).
    """
    if fmt not in FORMATS:
        from defcoop.errors import DefcoopError

        raise DefcoopError(f"--format: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if result.kind == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
        return ("true" if result.boolean else "false") + "\n"
    if result.graph is not None:
        return turtle(result.graph, prefixes)
    if fmt == "table":
        return table(result.variables, result.terms, prefixes, width)
    return {
        "markdown": markdown,
        "csv": to_csv,
        "tsv": to_tsv,
        "json": to_json,
    }[fmt](result.variables, result.terms, prefixes)


def table(variables, rows, prefixes=None, width: int | None = None) -> str:
    """Aligned plain-text columns; ``width``: wrap long cells to fit that many characters."""
    cells = [[human(t, prefixes).replace("\n", " ") for t in row] for row in rows]
    return text_table(variables, cells, width)


def text_table(header, rows, width: int | None = None, right=()) -> str:
    """Columns of text two spaces apart, a dashed line under the header, no trailing
    spaces. With ``width``, the widest columns are narrowed (cells wrapped, words kept
    whole where they fit) until the table fits; ``right``: columns aligned right."""
    header = [str(h) for h in header]
    rows = [[str(c) for c in row] for row in rows]
    natural = [len(h) for h in header]
    for row in rows:
        natural = [max(w, len(c)) for w, c in zip(natural, row)]
    if width:
        prose = [any(" " in row[i] for row in rows) for i in range(len(header))]
        widths = _fit(natural, header, width, prose)
    else:
        widths = natural

    def lines_of(row):
        parts = [_wrap(c, w) for c, w in zip(row, widths)]
        height = max((len(p) for p in parts), default=1)
        for i in range(height):
            cells = [p[i] if i < len(p) else "" for p in parts]
            yield "  ".join(
                c.rjust(w) if j in right else c.ljust(w) for j, (c, w) in enumerate(zip(cells, widths))
            ).rstrip()

    out = list(lines_of(header))
    out.append("  ".join("-" * w for w in widths))
    for row in rows:
        out += lines_of(row)
    return "\n".join(out) + "\n"


def _fit(natural: list[int], header: list[str], width: int, prose: list[bool]) -> list[int]:
    """Column widths within ``width``. Columns of prose (cells with spaces) are narrowed
    first, the widest to one common cap; columns of single words (IRIs, numbers) only
    if that is not enough. No column narrower than its header or 8 characters."""
    room = width - 2 * (len(natural) - 1)
    if sum(natural) <= room:
        return natural
    floor = [min(n, max(8, len(h))) for n, h in zip(natural, header)]
    widths = list(natural)
    for narrowable in (prose, [True] * len(natural)):
        cap = max(natural)
        while cap > 1 and sum(widths) > room:
            cap -= 1
            widths = [max(f, min(n, cap)) if ok else w
                      for n, f, w, ok in zip(natural, floor, widths, narrowable)]
        if sum(widths) <= room:
            break
    return widths


def _wrap(cell: str, width: int) -> list[str]:
    """``cell`` in lines of at most ``width``: prose at spaces, a single word (an IRI, a
    path) after its ``/``, ``#``, ``-`` or ``:``, anything longer cut."""
    if len(cell) <= width:
        return [cell]
    if " " in cell:
        import textwrap  # only for a table that does not fit

        return textwrap.wrap(cell, width, break_long_words=True, break_on_hyphens=False) or [""]
    lines = [""]
    for piece in re.findall(r"[^/#:-]*[/#:-]?", cell):
        while piece:
            if len(lines[-1]) + len(piece) <= width:
                lines[-1] += piece
                piece = ""
            elif lines[-1]:
                lines.append("")
            else:
                lines[-1], piece = piece[:width], piece[width:]
                if piece:
                    lines.append("")
    return [line for line in lines if line] or [""]


def terminal_width() -> int | None:
    """The width to fit tables to: ``COLUMNS`` if set, else the terminal's; None when
    standard output is not a terminal (a pipe gets lines as long as they are)."""
    import os
    import shutil
    import sys

    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def markdown(variables, rows, prefixes=None) -> str:
    def cell(t):
        return human(t, prefixes).replace("|", "\\|").replace("\n", "<br>")

    lines = ["| " + " | ".join(variables) + " |", "|" + "|".join("---" for _ in variables) + "|"]
    lines += ["| " + " | ".join(cell(t) for t in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def to_csv(variables, rows, prefixes=None) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(variables)
    for row in rows:
        w.writerow([csv_cell(t) for t in row])
    return out.getvalue()


def to_tsv(variables, rows, prefixes=None) -> str:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(tsv_cell(t) for t in row) for row in rows]
    return "\n".join(lines) + "\n"


def to_json(variables, rows, prefixes=None) -> str:
    bindings = [
        {v: json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows
    ]
    return json.dumps(
        {"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
        ensure_ascii=False, indent=1,
    ) + "\n"


def turtle(graph, prefixes=None) -> str:
    if prefixes is None:
        from defcoop.namespaces import PREFIXES

        prefixes = PREFIXES
    for p, ns in prefixes.items():
        graph.bind(p, ns, override=True, replace=True)
    return graph.serialize(format="turtle")
