"""The namespaces of the graph, declared once for every module."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, TIME, XSD

DCO = Namespace("https://w3id.org/defcoop/ontology#")
ID = Namespace("https://w3id.org/defcoop/id/")
VOCAB = Namespace("https://w3id.org/defcoop/vocab/")
OA = Namespace("http://www.w3.org/ns/oa#")
WD = Namespace("http://www.wikidata.org/entity/")
SCHEMA = SDO  # https://schema.org/

#: prefix -> namespace, for queries, shortening IRIs and serialising.
PREFIXES = {
    "dco": DCO,
    "id": ID,
    "doc": Namespace(ID + "document/"),
    "agr": Namespace(ID + "agreement/"),
    "ev": Namespace(ID + "event/"),
    "prj": Namespace(ID + "project/"),
    "prog": Namespace(ID + "programme/"),
    "cap": Namespace(ID + "capability/"),
    "coop": Namespace(ID + "cooperation/"),
    "mem": Namespace(ID + "membership/"),
    "post": Namespace(ID + "post/"),
    "qty": Namespace(ID + "quantity/"),
    "cit": Namespace(ID + "citation/"),
    "view": Namespace(ID + "assessment/"),
    # annotations are minted per document; this is the letter's, as its file binds it
    "ann": Namespace(ID + "annotation/kst-33279-29/"),
    "status": Namespace(VOCAB + "status/"),
    "precision": Namespace(VOCAB + "precision/"),
    "season": Namespace(VOCAB + "season/"),
    "datequal": Namespace(VOCAB + "date-qualifier/"),
    "theme": Namespace(VOCAB + "theme/"),
    "caparea": Namespace(VOCAB + "capability-area/"),
    "role": Namespace(VOCAB + "role/"),
    "character": Namespace(VOCAB + "character/"),
    "locqual": Namespace(VOCAB + "location-qualifier/"),
    "level": Namespace(VOCAB + "level/"),
    "frequency": Namespace(VOCAB + "frequency/"),
    "oa": OA,
    "org": ORG,
    "prov": PROV,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "schema": SCHEMA,
    "time": TIME,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "wd": WD,
}
