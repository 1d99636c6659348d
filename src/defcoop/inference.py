"""RDFS and OWL 2 RL inference (owlrl), for validating what the data entails.

`expand` returns a new graph with the closure added and the inconsistencies OWL 2 RL
found (owlrl records each as an ``err:ErrorMessage`` node; they are taken out of the
graph and returned as text).
"""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import RDF

KINDS = ("none", "rdfs", "owlrl")

#: the namespace owlrl writes its inconsistency messages in
_ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")


def expand(graph: Graph, kind: str) -> tuple[Graph, list[str]]:
    """A copy of ``graph`` with its RDFS or OWL 2 RL closure, and the inconsistencies found."""
    if kind not in KINDS:
        raise ValueError(f"unknown inference {kind!r} (known: {', '.join(KINDS)})")
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns)
    for t in graph:
        out.add(t)
    if kind == "none":
        return out, []
    import owlrl

    semantics = owlrl.RDFS_Semantics if kind == "rdfs" else owlrl.OWLRL_Semantics
    owlrl.DeductiveClosure(semantics).expand(out)
    errors = []
    for node in list(out.subjects(RDF.type, _ERR.ErrorMessage)):
        errors += [str(m) for m in out.objects(node, _ERR.error)]
        out.remove((node, None, None))
    return out, sorted(errors)
