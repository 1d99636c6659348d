"""The checks SHACL cannot make: declared terms, documented minted terms, class use, typed nodes, links, quotes."""

from __future__ import annotations

from typing import Iterable, Union

from rdflib import Graph

#: triples to check: a graph, or a list of (s, p, o) (a parsed file's, `validation.schema.Parsed`)
Triples = Union[Graph, Iterable[tuple]]
