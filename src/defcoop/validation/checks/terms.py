"""Checks on the terms a graph uses, which SHACL cannot make.

* Every class, property and datatype the data uses is declared in the ontology, its
  vocabularies or the local declarations of the vocabularies it imports
  (``ontology/imports/``): a misspelt term is an error, not a silent new term.
* Every term we mint (``dco:``, ``https://w3id.org/defcoop/vocab/``) has an English
  and a Dutch label and a definition in both languages.
* No class is used as an instance (``dco:party dco:State``), nothing that is not a
  class is used as a type, and data files do not describe classes.
* Every node the data describes has a type, and every link into our ``id:``
  namespace leads to a node that is described somewhere.

Each check returns `Finding` objects, the same as the SHACL part of validation.
"""

from __future__ import annotations

import difflib
import itertools
import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from defcoop.namespaces import DCO, ID, VOCAB
from defcoop.validation.checks import Triples
from defcoop.validation.report.model import Finding
from defcoop.validation.shapes.index import ShapesIndex
from defcoop.validation.vocabulary import DCSH, ONTOLOGY_IRI

#: What a declaration's type can be; anything typed so in the ontology or an import
#: counts as declared.
CLASS_TYPES = (OWL.Class, RDFS.Class, RDFS.Datatype)
OUR_TERMS = (str(DCO), str(VOCAB))


def declared(schema: Graph) -> set[URIRef]:
    """Every IRI that the ontology, vocabularies and imports give a type."""
    return {s for s in schema.subjects(RDF.type, None) if isinstance(s, URIRef)}


def classes(schema: Graph) -> set[URIRef]:
    out: set[URIRef] = set()
    for t in CLASS_TYPES:
        out.update(s for s in schema.subjects(RDF.type, t) if isinstance(s, URIRef))
    for s, o in schema.subject_objects(RDFS.subClassOf):
        out.update(x for x in (s, o) if isinstance(x, URIRef))
    return out


def vocabulary_namespaces(imports: Graph) -> tuple[str, ...]:
    """The namespaces whose every term must be declared: ours and the imported ones."""
    spaces = set(OUR_TERMS)
    for term in declared(imports):
        text = str(term)
        cut = text.rfind("#") if "#" in text else text.rfind("/")
        spaces.add(text[: cut + 1])
    return tuple(sorted(spaces))


def _in(term, namespaces) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(namespaces)


def _names(data: Triples, names: Graph | None) -> Graph:
    """The graph whose prefixes show terms: ``names``, else ``data`` (then a graph)."""
    if names is not None:
        return names
    if not isinstance(data, Graph):
        raise TypeError("names: needed when the triples are not a graph")
    return data


def _show(term, graph: Graph) -> str:
    """A term as its file wrote it: a prefixed name where a prefix is bound."""
    try:
        return term.n3(graph.namespace_manager)
    except Exception:  # a name rdflib cannot shorten
        return f"<{term}>"


def _suggest(term: URIRef, known: set[URIRef], graph: Graph) -> str:
    text = str(term)
    cut = max(text.rfind("#"), text.rfind("/")) + 1
    same_space = [str(k) for k in known if str(k).startswith(text[:cut])]
    close = difflib.get_close_matches(text, same_space, n=1, cutoff=0.75)
    return f" Did you mean {_show(URIRef(close[0]), graph)}?" if close else ""


def check_declared(data: Triples, known: set[URIRef], namespaces: tuple[str, ...],
                   also: Triples | None = None, names: Graph | None = None) -> list[Finding]:
    """Every predicate, type, datatype and vocabulary IRI of ``data`` (and of ``also``,
    checked first: the ontology, without copying both into one graph) is declared;
    terms are shown with the prefixes of ``names`` (default: ``data``'s)."""
    out = []
    seen = set()
    shown = _names(data, names)

    def flag(focus, path, term, what):
        key = (focus, path, term)
        if key in seen:
            return
        seen.add(key)
        out.append(
            Finding(
                focus, path,
                f"{what} {_show(term, shown)} is declared nowhere: not in the defcoop ontology, "
                f"its vocabularies, nor the vocabularies it imports (ontology/imports/). "
                f"Correct the spelling, or declare the term first.{_suggest(term, known, shown)}",
                term, DCSH.DeclaredTermsCheck, DCSH.DeclaredTermConstraintComponent,
            )
        )

    rdf_type = RDF.type  # once: an attribute of an rdflib namespace is a new URIRef each time
    for s, p, o in itertools.chain(also if also is not None else (), data):
        if p not in known:
            flag(s, p, p, "The property")
        if p == rdf_type:
            if isinstance(o, URIRef) and o not in known:
                flag(s, p, o, "The class")
        elif isinstance(o, Literal) and o.datatype is not None and o.datatype not in known:
            flag(s, p, o.datatype, "The datatype")
        elif _in(o, namespaces) and o not in known:
            flag(s, p, o, "The term")
        if _in(s, namespaces) and s not in known:
            flag(s, None, s, "The term")
    return out


#: the SHACL vocabulary (rdflib's list of it; its Python keywords are its "extras")
SHACL_TERMS = frozenset(
    URIRef(str(SH) + name) for name in [*SH.__annotations__, *getattr(SH, "_extras", [])] if "-" not in name
)


def check_shapes(shapes: ShapesIndex, known: set[URIRef], namespaces: tuple[str, ...]) -> list[str]:
    """The shapes are term-checked like the data: a misspelt SHACL term or property in a
    shape would make it check nothing. One line per problem, naming file and line."""
    out = []
    for f in check_declared(shapes.graph, known | SHACL_TERMS, (*namespaces, str(SH))):
        out.append(f"{_where(shapes, f.value)}: {_show(f.value, shapes.graph)} is declared nowhere "
                   f"(a shape that uses it checks nothing).{_suggest(f.value, known | SHACL_TERMS, shapes.graph)}")
    return sorted(set(out))


def _where(shapes: ShapesIndex, term: URIRef) -> str:
    """The first file and line of the shapes that write ``term`` (by its local name)."""
    text = str(term)
    local = text[max(text.rfind("#"), text.rfind("/")) + 1:]
    for path in shapes.files:
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(rf"(?<![\w-]){re.escape(local)}(?![\w-])", line.split("#")[0] if "<" not in line else line):
                return f"{path}:{i}"
    return str(shapes.files[0]) if shapes.files else "the shapes graph"


def check_minted(ontology: Graph) -> list[Finding]:
    """Every term we mint has rdfs:label (or skos:prefLabel) and skos:definition in en and nl."""
    out = []
    for term in sorted(declared(ontology)):
        if not str(term).startswith(OUR_TERMS) or term == ONTOLOGY_IRI:
            continue
        if any((term, RDF.type, t) in ontology for t in (SKOS.Concept, SKOS.ConceptScheme, SKOS.Collection)):
            label_props = (SKOS.prefLabel,)  # SKOS labels its concepts, schemes and collections so
        else:
            label_props = (RDFS.label,)
        for lang in ("en", "nl"):
            if not any(_has_lang(ontology, term, p, lang) for p in label_props):
                out.append(_doc_finding(term, label_props[-1], f"has no label in {_LANG[lang]} ({_short(label_props[0])} \"...\"@{lang})"))
            if (term, RDF.type, OWL.Ontology) in ontology:
                continue
            if not _has_lang(ontology, term, SKOS.definition, lang):
                out.append(_doc_finding(term, SKOS.definition, f"has no definition in {_LANG[lang]} (skos:definition \"...\"@{lang})"))
    return out


_LANG = {"en": "English", "nl": "Dutch"}


def _short(term: URIRef) -> str:
    return "skos:prefLabel" if term == SKOS.prefLabel else "rdfs:label"


def _has_lang(g: Graph, s, p, lang: str) -> bool:
    return any(
        isinstance(o, Literal) and o.language == lang and str(o).strip() for o in g.objects(s, p)
    )


def _doc_finding(term, path, what) -> Finding:
    return Finding(
        term, path, f"The term we mint {what}: every term of the ontology and vocabularies "
        "is labelled and defined in English and Dutch.",
        None, DCSH.MintedTermsCheck, DCSH.MintedTermConstraintComponent,
    )


def check_classes_as_instances(data: Triples, known: set[URIRef], class_set: set[URIRef],
                               names: Graph | None = None) -> list[Finding]:
    """No class is a value or a subject of data, and every type is a class; terms shown
    with the prefixes of ``names`` (default: ``data``'s, a graph)."""
    shown = _names(data, names)
    out = []
    rdf_type = RDF.type  # once: an attribute of an rdflib namespace is a new URIRef each time
    about_classes = (RDFS.subClassOf, OWL.equivalentClass, RDFS.range, RDFS.domain)
    for s, p, o in data:
        if p == rdf_type:
            if o in known and o not in class_set:
                out.append(Finding(
                    s, p, f"{_show(o, shown)} is not a class: rdf:type takes a class of the ontology "
                    "(e.g. dco:Signing), not an instance, concept or property.",
                    o, DCSH.ClassUseCheck, DCSH.NotAClassConstraintComponent,
                ))
            continue
        if o in class_set and p not in about_classes:
            out.append(Finding(
                s, p, f"{_show(o, shown)} is a class, used here as a value: link to an instance of it "
                "(e.g. id:NL rather than dco:State), or, to say what the node is, use rdf:type.",
                o, DCSH.ClassUseCheck, DCSH.ClassAsInstanceConstraintComponent,
            ))
    for s in {t[0] for t in data}:
        if s in class_set:
            out.append(Finding(
                s, None, f"{_show(s, shown)} is a class of the ontology, described here as if it were "
                "data: data files describe instances; propose changes to classes in the ontology.",
                None, DCSH.ClassUseCheck, DCSH.ClassAsInstanceConstraintComponent,
            ))
    return out


#: properties by which nothing may point at itself
NOT_REFLEXIVE = (DCTERMS.isPartOf, DCO.replaces, DCO.renews, DCO.buildsOn)


def check_not_reflexive(data: Triples, names: Graph | None = None) -> list[Finding]:
    """No entity is part of, replaces, renews or builds on itself."""
    shown = _names(data, names)
    return [
        Finding(
            s, p, f"{_show(s, shown)} {_show(p, shown)} itself: a node cannot be part of, replace, "
            "renew or build on itself; link to the other node (correct its IRI).",
            o, DCSH.SelfReferenceCheck, DCSH.SelfReferenceConstraintComponent,
        )
        for s, p, o in data if s == o and p in NOT_REFLEXIVE
    ]


def check_nodes(data: Triples, merged: Graph, names: Graph | None = None) -> list[Finding]:
    """Every node the data describes has a type; every id: link leads somewhere (in
    ``merged``, the whole graph); terms shown with the prefixes of ``names``."""
    shown = _names(data, names)
    untyped = [
        s for s in {t[0] for t in data}
        if (s, RDF.type, None) not in merged
        and not (isinstance(s, BNode) and (s, RDF.first, None) in merged)  # an RDF list
    ]
    out = [
        Finding(
            s, RDF.type, "This node has no type (rdf:type), so no shape checks it: say what it "
            "is, e.g. `a dco:Signing`, or correct its IRI if it was meant to be another node.",
            None, DCSH.TypedNodeCheck, DCSH.UntypedNodeConstraintComponent,
        )
        for s in sorted(untyped, key=str)
    ]
    ids = str(ID)
    nowhere = [t for t in data if isinstance(t[2], URIRef) and t[2].startswith(ids) and (t[2], None, None) not in merged]
    out += [
        Finding(
            s, p, f"{_show(o, shown)} is described nowhere (no triple has it as subject): correct the "
            "IRI, or add the node (with its type and labels) to the data.",
            o, DCSH.LinkTargetCheck, DCSH.MissingNodeConstraintComponent,
        )
        for s, p, o in sorted(nowhere, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    ]
    return out
