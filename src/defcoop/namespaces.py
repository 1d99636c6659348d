"""The namespaces of the graph, declared once for every module.

`PREFIX_IRIS` is the table (prefix -> namespace IRI as text); `PREFIXES` and the
namespace constants (`DCO`, `ID`, ...) are the same as rdflib `Namespace` objects,
made on first use, so that code which only prints IRIs (``defcoop query``) does not
import rdflib (about 0.3 s of a command's start).
"""

from __future__ import annotations

_ID = "https://w3id.org/defcoop/id/"
_VOCAB = "https://w3id.org/defcoop/vocab/"

#: prefix -> namespace IRI, for queries, shortening IRIs and serialising.
PREFIX_IRIS: dict[str, str] = {
    "dco": "https://w3id.org/defcoop/ontology#",
    "id": _ID,
    "doc": _ID + "document/",
    "agr": _ID + "agreement/",
    "ev": _ID + "event/",
    "prj": _ID + "project/",
    "prog": _ID + "programme/",
    "cap": _ID + "capability/",
    "coop": _ID + "cooperation/",
    "mem": _ID + "membership/",
    "post": _ID + "post/",
    "qty": _ID + "quantity/",
    "cit": _ID + "citation/",
    "view": _ID + "assessment/",
    # annotations are minted per document; this is the letter's, as its file binds it
    "ann": _ID + "annotation/kst-33279-29/",
    "status": _VOCAB + "status/",
    "precision": _VOCAB + "precision/",
    "season": _VOCAB + "season/",
    "datequal": _VOCAB + "date-qualifier/",
    "theme": _VOCAB + "theme/",
    "caparea": _VOCAB + "capability-area/",
    "character": _VOCAB + "character/",
    "locqual": _VOCAB + "location-qualifier/",
    "level": _VOCAB + "level/",
    "frequency": _VOCAB + "frequency/",
    "role": _VOCAB + "role/",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "time": "http://www.w3.org/2006/time#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": "http://www.wikidata.org/entity/",
}

#: the module's namespace constants: name -> prefix in `PREFIX_IRIS`
_CONSTANTS = {"DCO": "dco", "ID": "id", "VOCAB": None, "OA": "oa", "WD": "wd", "SCHEMA": "schema"}
_made: dict = {}


def __getattr__(name: str):
    """`PREFIXES` and the constants as rdflib Namespaces, made once, on first use."""
    if name not in _CONSTANTS and name != "PREFIXES":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name not in _made:
        from rdflib import Namespace  # only here: importing rdflib costs ~0.3 s at start-up

        if name == "PREFIXES":
            _made[name] = {p: Namespace(iri) for p, iri in PREFIX_IRIS.items()}
        else:
            prefix = _CONSTANTS[name]
            _made[name] = Namespace(_VOCAB if prefix is None else PREFIX_IRIS[prefix])
    return _made[name]
