"""RDFS and OWL 2 RL inference (owlrl), for validating what the data entails.

`expand` returns a new graph with the closure added and the inconsistencies OWL 2 RL
found (owlrl records each as an ``err:ErrorMessage`` node; they are taken out of the
graph and returned as text).

``owl:sameAs`` links are left out of the reasoning and put back after it: they tie our
nodes to Wikidata items for people and programs that follow them, and smushing the
two would give every node two IRIs (two members of a membership, two nationalities)
in a closed-world check such as SHACL.
"""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import _toPythonMapping  # the table owlrl changes (see `expand`)

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
    identity = []
    for t in graph:
        if t[1] == OWL.sameAs and kind != "none":
            identity.append(t)
        else:
            out.add(t)
    if kind == "none":
        return out, []
    import owlrl  # here: owlrl takes ~0.5 s to import, and only --inference needs it

    semantics = owlrl.RDFS_Semantics if kind == "rdfs" else owlrl.OWLRL_Semantics
    # owlrl swaps its own lexical conversions into rdflib's process-wide table and puts
    # back only rdflib's keys: xsd:gYear and nine more stay owlrl's, and every literal
    # parsed later in this process (but not in a fresh worker) is typed by them
    # ("21 mei 2019"^^xsd:gYear becomes ill-typed). The table is restored whole.
    conversions = dict(_toPythonMapping)
    try:
        owlrl.DeductiveClosure(semantics).expand(out)
    finally:
        _toPythonMapping.clear()
        _toPythonMapping.update(conversions)
    errors = []
    for node in list(out.subjects(RDF.type, _ERR.ErrorMessage)):
        errors += [str(m) for m in out.objects(node, _ERR.error)]
        out.remove((node, None, None))
    _drop_artefacts(graph, out)
    for t in identity:
        out.add(t)
    return out, sorted(errors)


def _drop_artefacts(original: Graph, closure: Graph) -> None:
    """Take out what owlrl adds that is no entailment about the data's meaning.

    * ``x owl:sameAs x`` for every resource (OWL 2 RL rule eq-ref): true and empty.
    * literals a node was not given: owlrl stands literals in by blank nodes and joins
      equal lexical forms, so ``"after"`` (a skos:notation) and ``"after"@en`` (a
      prefLabel) become one, and the concept gains a label without a language. The
      only way an entailment gives a node a literal (with sameAs left out) is a
      sub-property: ``(s p lit)`` is kept if ``(s q lit)`` was written and q is p or
      a sub-property of p.
    """
    for s, o in list(closure.subject_objects(OWL.sameAs)):
        if s == o:
            closure.remove((s, OWL.sameAs, o))
    for s, p, o in list(closure):
        if not isinstance(o, Literal) or (s, p, o) in original:
            continue
        if not any((q, RDFS.subPropertyOf, p) in closure for q in original.predicates(s, o)):
            closure.remove((s, p, o))
