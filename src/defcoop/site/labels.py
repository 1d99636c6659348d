"""Names of nodes in English and Dutch, read once from the graph."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS

from defcoop.site.paths import qname

_LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, DCTERMS.title, FOAF.name)


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
        fallback = entry.get("") or qname(str(iri))
        en = entry.get("en") or entry.get("nl") or fallback
        nl = entry.get("nl") or entry.get("en") or fallback
        return Label(en, nl)

    def has(self, iri) -> bool:
        return str(iri) in self._found
