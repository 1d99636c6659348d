"""Names of nodes in English and Dutch, read once from the graph."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, FOAF, OWL, RDFS, SKOS

from defcoop.site.paths import qname

_LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, DCTERMS.title, FOAF.name)

_DC, _ORG, _SCHEMA = str(DCTERMS), "http://www.w3.org/ns/org#", "https://schema.org/"
#: Names of the reused properties the graph does not label (the page's words, not facts).
REUSED = {
    _DC + "subject": ("subject", "onderwerp"), _DC + "isPartOf": ("part of", "deel van"),
    _DC + "hasPart": ("has part", "heeft als deel"), _DC + "description": ("description", "beschrijving"),
    _DC + "references": ("refers to", "verwijst naar"), _DC + "title": ("title", "titel"),
    _DC + "identifier": ("identifier", "kenmerk"), _DC + "creator": ("author", "auteur"),
    _DC + "isVersionOf": ("version of", "versie van"), _DC + "spatial": ("place", "plaats"),
    _DC + "source": ("source", "bron"), _DC + "date": ("date", "datum"),
    _DC + "language": ("language", "taal"), _DC + "format": ("format", "formaat"),
    _ORG + "member": ("member", "lid"), _ORG + "organization": ("organisation", "organisatie"),
    _ORG + "role": ("role", "rol"), _ORG + "postIn": ("post in", "functie bij"),
    _ORG + "subOrganizationOf": ("part of", "onderdeel van"),
    _SCHEMA + "location": ("location", "locatie"), _SCHEMA + "containedInPlace": ("in", "in"),
    _SCHEMA + "identifier": ("identifier", "kenmerk"), _SCHEMA + "locationCreated": ("written in", "opgesteld in"),
    _SCHEMA + "honorificPrefix": ("title", "aanspreektitel"),
    str(OWL.sameAs): ("the same as", "hetzelfde als"), str(RDFS.seeAlso): ("see also", "zie ook"),
    str(SKOS.altLabel): ("also called", "ook genoemd"), str(FOAF.name): ("name", "naam"),
    str(RDFS.label): ("name", "naam"),
}


@dataclass(frozen=True)
class Label:
    en: str
    nl: str

    @property
    def same(self) -> bool:
        return self.en == self.nl


class Labels:
    """``labels[iri]`` -> `Label`; nodes without a label are shown by their prefixed name."""

    def __init__(self, graph: Graph):
        found: dict[str, dict[str, str]] = {}
        for prop in reversed(_LABEL_PROPERTIES):  # rdfs:label wins: it is read last
            for s, o in graph.subject_objects(prop):
                if not isinstance(o, Literal):
                    continue
                lang = (o.language or "").lower()
                entry = found.setdefault(str(s), {})
                if lang in ("en", "nl"):
                    entry[lang] = str(o)
                else:
                    entry.setdefault("", str(o))
        self._found = found

    def __getitem__(self, iri) -> Label:
        entry = self._found.get(str(iri), {})
        if not entry and str(iri) in REUSED:
            return Label(*REUSED[str(iri)])
        fallback = entry.get("") or qname(str(iri))
        en = entry.get("en") or entry.get("nl") or fallback
        nl = entry.get("nl") or entry.get("en") or fallback
        return Label(en, nl)

    def has(self, iri) -> bool:
        return str(iri) in self._found
