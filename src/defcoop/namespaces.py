"""The namespaces of the graph, declared once for every module.

`PREFIX_IRIS` is the table of the vocabularies' and the identifiers' prefixes (prefix ->
namespace IRI as text). A namespace that one document mints, such as the letter's
annotations (``ann:``), is not in it: the document declares it, and `display_prefixes`
adds what the project's documents declare, for shortening and writing IRIs. `PREFIXES` and the
namespace constants (`DCO`, `ID`, ...) are the same as rdflib `Namespace` objects,
made on first use, so that code which only prints IRIs (``defcoop query``) does not
import rdflib (about 0.3 s of a command's start).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from defcoop import resources

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

_HEAD_LINE = re.compile(
    r"\s*(?:(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*\.?|@base\s.*|BASE\s.*|#.*)?\s*",
    re.IGNORECASE)


def declared_prefixes(path: Path) -> dict[str, str]:
    """The prefixes a Turtle or TriG file declares in its head (up to its first statement).

    >>> from defcoop import resources
    >>> declared_prefixes(resources.document_files()[0])["ann"]
    'https://w3id.org/defcoop/id/annotation/kst-33279-29/'
    """
    out: dict[str, str] = {}
    if path.suffix not in (".ttl", ".trig"):
        return out
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            m = _HEAD_LINE.fullmatch(line)
            if m is None:
                break
            if m.group(2) is not None:
                out.setdefault(m.group(1) or "", m.group(2))
    return out


def display_prefixes(home: Path | None = None) -> dict[str, str]:
    """`PREFIX_IRIS` and the prefixes the project's documents declare for what they mint
    (``ann:``), for shortening and writing IRIs. A prefix two documents bind to different
    namespaces is left out, as is one that `PREFIX_IRIS` already binds.

    ``home``: a project folder (default: the project's, `resources.root()`).
    """
    return _display_prefixes(home or resources.root())


@lru_cache(maxsize=8)  # per project folder, whose files do not change while it runs
def _display_prefixes(home: Path) -> dict[str, str]:
    found: dict[str, set[str]] = {}
    for path in resources.document_files(home):
        for prefix, iri in declared_prefixes(path).items():
            found.setdefault(prefix, set()).add(iri)
    minted = {p: iris.pop() for p, iris in sorted(found.items())
              if p and len(iris) == 1 and p not in PREFIX_IRIS}
    return {**PREFIX_IRIS, **{p: iri for p, iri in minted.items() if iri not in PREFIX_IRIS.values()}}


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
