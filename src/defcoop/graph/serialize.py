"""RDF for people and for diffs: Turtle, TriG, N-Triples, N-Quads and JSON-LD, byte-stable.

Every writer takes pyoxigraph triples or quads (``store.quads_for_pattern(...)``, a
parse) and returns UTF-8 bytes that are the same on every run for the same graph,
whatever blank-node labels the parser chose:

- **Turtle**: the prefixes that are used, sorted, once; subjects grouped and sorted
  (IRIs by their prefixed name, then unreferenced ``[ ]`` blank nodes); ``a`` and
  ``rdfs:label`` first, then the predicates sorted; one object a line; a blank node
  with one parent nested as ``[ ... ]`` inside it; a blank line between subjects.
- **TriG**: the same, one ``<graph> { ... }`` block per named graph (the graphs of
  `defcoop load`, one per source file); the default graph, if it has triples, first.
- **N-Triples**, **N-Quads**: one statement a line, sorted.
- **JSON-LD**: an ``@context`` of the prefixes used, a ``@graph`` of node objects in
  the Turtle order, blank nodes with one parent embedded, two-space indentation.

Blank nodes that cannot be nested (none in the project's data; several parents or a
cycle) and every blank node in N-Triples and N-Quads get a label computed from what
they hold (`blank_labels`), so the bytes do not depend on the parser's labels.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from defcoop.graph import rdf_formats
from defcoop.namespaces import display_prefixes

from defcoop.query.formats import shorten

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_BARE = {  # datatypes whose canonical lexical forms Turtle writes without quotes
    _XSD + "integer": r"[+-]?\d+",
    _XSD + "decimal": r"[+-]?\d*\.\d+",
    _XSD + "boolean": r"true|false",
}
_INDENT = "    "


def _namespaces(prefixes=None) -> dict[str, str]:
    return {p: str(ns) for p, ns in (display_prefixes() if prefixes is None else prefixes).items()}


# --------------------------------------------------------------------------- blank nodes


def blank_labels(triples: Iterable) -> dict[str, str]:
    """A label for every blank node of ``triples`` (parser label -> ``b`` + digest).

    The digest is of what the node holds (its predicates and objects, nested blank
    nodes by their own content) and of the statements that point to it, so two runs
    over the same graph give the same labels. Nodes alike in all of that get ``-2``,
    ``-3``... in turn (they are interchangeable, so the output is the same either way).
    """
    out_edges: dict[str, list] = defaultdict(list)
    in_edges: dict[str, list] = defaultdict(list)
    for t in triples:
        s, p, o = t.subject, t.predicate, t.object
        if isinstance(s, ox.BlankNode):
            out_edges[s.value].append((p.value, o))
        if isinstance(o, ox.BlankNode):
            in_edges[o.value].append((s, p.value))
    content: dict[str, str] = {}

    def inner(node: str, visiting: frozenset) -> str:
        done = content.get(node)
        if done is not None:
            return done
        if node in visiting:
            return "(cycle)"
        inside = visiting | {node}
        parts = sorted(
            f"{p} {inner(o.value, inside) if isinstance(o, ox.BlankNode) else o}"
            for p, o in out_edges.get(node, ())
        )
        text = "[" + " ; ".join(parts) + "]"
        if not visiting:
            content[node] = text
        return text

    nodes = sorted(set(out_edges) | set(in_edges))
    keyed = []
    for node in nodes:
        incoming = sorted(
            f"{inner(s.value, frozenset()) if isinstance(s, ox.BlankNode) else s} {p}"
            for s, p in in_edges.get(node, ())
        )
        text = inner(node, frozenset()) + "|" + "|".join(incoming)
        keyed.append((hashlib.sha256(text.encode()).hexdigest()[:16], node))
    keyed.sort()
    labels: dict[str, str] = {}
    seen: dict[str, int] = defaultdict(int)
    for digest, node in keyed:
        seen[digest] += 1
        labels[node] = f"b{digest}" + (f"-{seen[digest]}" if seen[digest] > 1 else "")
    return labels


# --------------------------------------------------------------------------- N-Triples, N-Quads


def _nt_term(term, labels: dict[str, str]) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{labels[term.value]}"
    return str(term)


def ntriples(triples: Iterable) -> bytes:
    """N-Triples, one triple a line, sorted."""
    triples = list(triples)
    labels = blank_labels(triples)
    lines = sorted(
        f"{_nt_term(t.subject, labels)} {_nt_term(t.predicate, labels)} {_nt_term(t.object, labels)} .\n"
        for t in triples
    )
    return "".join(lines).encode()


def nquads(quads: Iterable) -> bytes:
    """N-Quads, one quad a line, sorted (triples of the default graph without a fourth term)."""
    quads = list(quads)
    labels = blank_labels(quads)
    lines = []
    for q in quads:
        line = f"{_nt_term(q.subject, labels)} {_nt_term(q.predicate, labels)} {_nt_term(q.object, labels)}"
        if not isinstance(q.graph_name, ox.DefaultGraph):
            line += f" {_nt_term(q.graph_name, labels)}"
        lines.append(line + " .\n")
    return "".join(sorted(lines)).encode()


# --------------------------------------------------------------------------- Turtle, TriG


class _Writer:
    """The layout of one graph: subjects, their statements, which blank nodes nest where."""

    def __init__(self, triples: Iterable, namespaces: dict[str, str], labels: dict[str, str] | None = None):
        self.namespaces = namespaces
        self.used: set[str] = set()
        self._short: dict[str, str] = {}
        self.statements: dict = defaultdict(list)
        parents: dict[str, int] = defaultdict(int)
        triples = list(triples)
        for t in triples:
            self.statements[t.subject].append((t.predicate, t.object))
            if isinstance(t.object, ox.BlankNode):
                parents[t.object.value] += 1
        self.labels = labels if labels is not None else blank_labels(triples)
        #: blank nodes written inside their one parent (a cycle's nodes are not reached)
        self.nested = {b for b, n in parents.items() if n == 1}
        self.parents = parents
        self.label_name = shorten(_RDFS_LABEL, namespaces)  # for ordering; not a use
        self._written: set[str] = set()

    # -- terms
    def iri(self, value: str) -> str:
        done = self._short.get(value)
        if done is None:
            done = shorten(value, self.namespaces)
            if not done.startswith("<"):
                self.used.add(done.split(":", 1)[0])
            self._short[value] = done
        return done

    def literal(self, term: ox.Literal) -> str:
        quoted = str(ox.Literal(term.value))
        if term.language:
            return f"{quoted}@{term.language}"
        datatype = term.datatype.value
        if datatype == _XSD + "string":
            return quoted
        pattern = _BARE.get(datatype)
        if pattern is not None and re.fullmatch(pattern, term.value):
            return term.value
        return f"{quoted}^^{self.iri(datatype)}"

    def term(self, term, depth: int) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.Literal):
            return self.literal(term)
        if isinstance(term, ox.BlankNode):
            if term.value in self.nested and term.value not in self._written:
                self._written.add(term.value)
                return self.blank(term, depth)
            return f"_:{self.labels[term.value]}"
        raise TypeError(f"cannot write {type(term).__name__} in Turtle")

    # -- statements
    def predicate_lines(self, subject, depth: int) -> list[str]:
        """``p o ,`` / ``o`` lines of ``subject``'s statements, indented for ``depth``."""
        by_predicate: dict[str, list[str]] = defaultdict(list)
        for p, o in self.statements.get(subject, ()):
            by_predicate["a" if p.value == _RDF_TYPE else self.iri(p.value)].append(self.term(o, depth + 1))
        pad = _INDENT * (depth + 1)

        def rank(name: str):
            return (0 if name == "a" else 1 if name == self.label_name else 2, name)

        groups = []
        for name in sorted(by_predicate, key=rank):
            objects = sorted(by_predicate[name], key=lambda o: (o.startswith("["), o))  # nested last
            text = f"{pad}{name} {objects[0]}"
            for o in objects[1:]:
                # a nested node follows the one before on its closing line: "] , ["
                text += f" , {o}" if o.startswith("[") else f" ,\n{pad}{_INDENT}{o}"
            groups.append(text)
        return "\n".join(" ;\n".join(groups).splitlines()).splitlines() if groups else []

    def blank(self, node: ox.BlankNode, depth: int) -> str:
        lines = self.predicate_lines(node, depth)
        if not lines:
            return "[]"
        return "[\n" + "\n".join(lines) + "\n" + _INDENT * depth + "]"

    def subjects(self) -> list:
        """Subjects to write at the top level, in their stable order."""
        iris = sorted((s for s in self.statements if isinstance(s, ox.NamedNode)),
                      key=lambda s: (self.iri(s.value), s.value))
        blanks = [s for s in self.statements if isinstance(s, ox.BlankNode) and s.value not in self.nested]
        return iris + sorted(blanks, key=lambda b: self.labels[b.value])

    def body(self) -> list[str]:
        """One block of lines per subject (the prefixes used are known after this)."""
        blocks = []
        for subject in self.subjects():
            if isinstance(subject, ox.BlankNode) and not self._referenced(subject):
                head = "["
                lines = self.predicate_lines(subject, 0)
                blocks.append("\n".join([head, *lines, "] ."]))
                continue
            name = self.term(subject, 0) if isinstance(subject, ox.NamedNode) else f"_:{self.labels[subject.value]}"
            lines = self.predicate_lines(subject, 0)
            blocks.append("\n".join([name, *lines]) + " .")
        # nested nodes that were never reached (a cycle of blank nodes): by label
        for node in sorted((s for s in self.statements if isinstance(s, ox.BlankNode)
                            and s.value in self.nested and s.value not in self._written),
                           key=lambda b: self.labels[b.value]):
            if node.value in self._written:  # written inside the one before
                continue
            self._written.add(node.value)
            self.nested.discard(node.value)
            blocks.append("\n".join([f"_:{self.labels[node.value]}", *self.predicate_lines(node, 0)]) + " .")
        return blocks

    def _referenced(self, node: ox.BlankNode) -> bool:
        return self.parents.get(node.value, 0) > 0

    def prefix_lines(self) -> list[str]:
        return [f"@prefix {p}: <{self.namespaces[p]}> ." for p in sorted(self.used)]


def turtle(triples: Iterable, prefixes=None) -> bytes:
    """Turtle for people (see the module's description)."""
    writer = _Writer(triples, _namespaces(prefixes))
    blocks = writer.body()
    head = writer.prefix_lines()
    text = "\n".join(head) + ("\n\n" if head and blocks else "") + "\n\n".join(blocks)
    return (text + "\n").encode() if text else b""


def trig(quads: Iterable, prefixes=None) -> bytes:
    """TriG: one block per graph, the default graph's triples first and unwrapped."""
    quads = list(quads)
    labels = blank_labels(quads)
    namespaces = _namespaces(prefixes)
    by_graph: dict = defaultdict(list)
    for q in quads:
        by_graph[q.graph_name].append(q.triple)
    parts, used = [], set()
    order = sorted(by_graph, key=lambda g: "" if isinstance(g, ox.DefaultGraph) else "~" + str(g))
    for graph in order:
        writer = _Writer(by_graph[graph], namespaces, labels)
        blocks = writer.body()
        used |= writer.used
        if isinstance(graph, ox.DefaultGraph):
            parts.append("\n\n".join(blocks))
        else:
            inner = "\n\n".join(blocks)
            indented = "\n".join(_INDENT + line if line else line for line in inner.splitlines())
            parts.append(f"{graph} {{\n{indented}\n}}")
    head = [f"@prefix {p}: <{namespaces[p]}> ." for p in sorted(used)]
    text = "\n".join(head) + ("\n\n" if head and parts else "") + "\n\n".join(parts)
    return (text + "\n").encode() if text else b""


# --------------------------------------------------------------------------- JSON-LD


def jsonld(triples: Iterable, prefixes=None) -> bytes:
    """JSON-LD with an ``@context`` of the prefixes used, indented, in the Turtle order."""
    writer = _Writer(triples, _namespaces(prefixes))
    embedded: set[str] = set()

    def value(term):
        if isinstance(term, ox.NamedNode):
            return {"@id": writer.iri(term.value).strip("<>")}
        if isinstance(term, ox.BlankNode):
            if term.value in writer.nested and term.value not in embedded:
                embedded.add(term.value)
                return node(term)
            return {"@id": f"_:{writer.labels[term.value]}"}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == _XSD + "string":
            return term.value
        return {"@value": term.value, "@type": writer.iri(term.datatype.value).strip("<>")}

    def node(subject) -> dict:
        out: dict = {}
        if isinstance(subject, ox.NamedNode):
            out["@id"] = writer.iri(subject.value).strip("<>")
        elif subject.value not in writer.nested:
            out["@id"] = f"_:{writer.labels[subject.value]}"
        types, props = [], defaultdict(list)
        for p, o in writer.statements.get(subject, ()):
            if p.value == _RDF_TYPE and isinstance(o, ox.NamedNode):
                types.append(writer.iri(o.value).strip("<>"))
            else:
                props[writer.iri(p.value).strip("<>")].append(o)
        if types:
            out["@type"] = sorted(types) if len(types) > 1 else types[0]
        for key in sorted(props, key=lambda k: (k != writer.label_name, k)):
            values = sorted((value(o) for o in props[key]), key=lambda v: json.dumps(v, sort_keys=True))
            out[key] = values[0] if len(values) == 1 else values
        return out

    graph = [node(s) for s in writer.subjects()]
    context = {p: writer.namespaces[p] for p in sorted(writer.used)}
    return (json.dumps({"@context": context, "@graph": graph}, ensure_ascii=False, indent=2) + "\n").encode()


# --------------------------------------------------------------------------- formats


_QUAD_FORMATS = ("trig", "nq")  # written from the named graphs, one per source file
_WRITERS: dict[str, Callable[[Iterable], bytes]] = {"ttl": turtle, "trig": trig, "nt": ntriples, "nq": nquads, "jsonld": jsonld}

#: name -> (media type, file suffix, takes quads) of the formats `serialize` writes,
#: read from the one table of RDF formats (`defcoop.graph.rdf_formats`)
FORMATS = {
    name: (rdf_formats.by_name(name).media_type, rdf_formats.by_name(name).suffix, name in _QUAD_FORMATS)
    for name in _WRITERS
}


def serialize(statements: Iterable, fmt: str) -> bytes:
    """``statements`` (triples, or quads for trig/nq) in the format named ``fmt``."""
    if fmt not in _WRITERS:
        from defcoop.errors import DefcoopError

        raise DefcoopError(f"--format: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return _WRITERS[fmt](statements)


def store_statements(store: ox.Store, fmt: str, graphs: Iterable | None = None):
    """What an export of ``store`` holds in ``fmt``.

    Triple formats: the merged default graph, or the RDF merge of ``graphs`` (IRIs).
    Quad formats: one named graph per source file (all, or those of ``graphs``),
    never the default graph (it is their merge, and a load recreates it).
    """
    wanted = None if graphs is None else [ox.NamedNode(str(g)) for g in graphs]
    if FORMATS[fmt][2]:
        names = wanted if wanted is not None else list(store.named_graphs())
        return [q for g in names for q in store.quads_for_pattern(None, None, None, g)]
    if wanted is None:
        return [q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    return list({q.triple for g in wanted for q in store.quads_for_pattern(None, None, None, g)})
