"""The namespaces and fixed IRIs validation speaks in (no imports of the rest of the package)."""

from __future__ import annotations

from rdflib import Namespace, URIRef

SH = Namespace("http://www.w3.org/ns/shacl#")
#: the shapes, checks and constraint components of our own (``ontology/shapes.ttl``)
DCSH = Namespace("https://w3id.org/defcoop/shapes#")
ONTOLOGY_IRI = URIRef("https://w3id.org/defcoop/ontology")
