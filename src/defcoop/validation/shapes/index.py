"""The shapes graph, indexed once per content of the shapes files and passed down.

`ShapesIndex.load()` parses ``ontology/shapes*.ttl`` once per process and content;
`ShapesIndex.of(graph)` indexes any shapes graph (the W3C suite's, a test's). What is
computed from the shapes (the compiled plan, what the incremental planner reads of
them, the blank-node signatures) is computed once per index by `ShapesIndex.derived`,
never once per document or inside a loop.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from rdflib import BNode, Graph

from defcoop.validation import schema
from defcoop.validation.memo import ContentCache, digest_files
from defcoop.validation.report import names
from defcoop.validation.vocabulary import SH

T = TypeVar("T")


@dataclass(eq=False)
class ShapesIndex:
    graph: Graph
    #: the digest of the content the graph was parsed from
    digest: str
    files: tuple[Path, ...] = ()
    _derived: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, files: list[Path] | None = None) -> ShapesIndex:
        """The index of the shapes files (default: the project's), once per content."""
        files = schema.shapes_files() if files is None else list(files)
        digest = digest_files(files)
        return _LOADED.get(digest, lambda: cls(schema.parsed(files), digest, tuple(files)))

    @classmethod
    def of(cls, graph: Graph) -> ShapesIndex:
        """An index of a shapes graph held in memory (its digest: its N-Triples, sorted)."""
        lines = sorted(graph.serialize(format="nt").splitlines())
        return cls(graph, hashlib.sha256("\n".join(lines).encode()).hexdigest())

    def derived(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per index: something computed from the shapes alone."""
        if name not in self._derived:
            self._derived[name] = compute()
        return self._derived[name]

    # -- blank nodes differ from one parse to the next ---------------------------------
    def signature(self, node: Any) -> tuple:
        """A name for a blank node of the shapes graph that does not change between
        parses: a path by its SPARQL form, a shape by its parent, path and plain statements."""
        return self.derived("signatures", self._signatures)[0].get(node, node)

    def node(self, signature: Any) -> Any:
        """The blank node of this parse with that signature (anything else: itself)."""
        return self.derived("signatures", self._signatures)[1].get(signature, signature)

    def _signatures(self) -> tuple[dict, dict]:
        g = self.graph
        to_sig: dict = {}
        to_node: dict = {}
        for node in set(g.subjects()) | set(g.objects(None, SH.path)):
            if isinstance(node, BNode):
                sig = _signature(g, node)
                to_sig[node] = sig
                to_node.setdefault(sig, node)
        return to_sig, to_node


def _signature(shapes: Graph, node: Any) -> tuple:
    if (None, SH.path, node) in shapes and (node, SH.path, None) not in shapes:
        return ("path", names.path_name(node, shapes))
    parents = sorted(str(p) for p in shapes.subjects(SH.property, node))
    path = shapes.value(node, SH.path)
    plain = sorted((str(p), str(o)) for p, o in shapes.predicate_objects(node) if not isinstance(o, BNode))
    return ("shape", tuple(parents), names.path_name(path, shapes) if path is not None else "", tuple(plain))


_LOADED: ContentCache[ShapesIndex] = ContentCache(size=4)
