"""The description of the dataset: VoID and DCAT, as the server and the exports give it.

What it states is counted from the store (triples in all and per named graph) or
read from the data (the source documents: every ``dco:Letter``), plus what defcoop
itself knows: the title and description, the licence of the data (CC0 1.0), the
SPARQL endpoint and API of a server, the stored queries' example calls
(``void:exampleResource``) and the dump files with their SHA-256 checksums (SPDX).
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox

BASE = "https://w3id.org/defcoop/"
DATASET = BASE + "dataset"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
SD = "http://www.w3.org/ns/sparql-service-description#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
_LETTER = "https://w3id.org/defcoop/ontology#Letter"
#: prefixes for writing the description (ours plus VoID, DCAT, SPDX)
EXTRA_PREFIXES = {"void": VOID, "dcat": DCAT, "spdx": SPDX, "sd": SD}

TITLE = {
    "en": "defcoop: the Netherlands' bilateral defence cooperation (Kamerstuk 33 279, nr. 29)",
    "nl": "defcoop: de bilaterale defensiesamenwerking van Nederland (Kamerstuk 33 279, nr. 29)",
}
DESCRIPTION = {
    "en": "A knowledge graph of the letter of the Minister of Defence of 19 June 2019 on bilateral "
          "defence cooperation; every statement is sourced by a Web Annotation quoting the letter.",
    "nl": "Een kennisgraaf van de brief van de Minister van Defensie van 19 juni 2019 over bilaterale "
          "defensiesamenwerking; elke uitspraak is onderbouwd met een Web Annotation die de brief citeert.",
}


def prefixes() -> dict[str, str]:
    from defcoop.namespaces import PREFIXES

    return {**{p: str(ns) for p, ns in PREFIXES.items()}, **EXTRA_PREFIXES}


def describe(store: ox.Store, *, endpoint: str | None = None, api: str | None = None,
             examples: tuple[str, ...] | list[str] = (), dumps: dict[str, tuple[str, bytes]] | None = None) -> list:
    """The description's triples.

    ``endpoint``: the SPARQL endpoint URL; ``api``: the OpenAPI document URL;
    ``examples``: example call URLs; ``dumps``: download URL -> (media type, content).
    """
    N, L = ox.NamedNode, ox.Literal
    ds = N(DATASET)
    out = [ox.Triple(ds, N(RDF_TYPE), N(VOID + "Dataset")), ox.Triple(ds, N(RDF_TYPE), N(DCAT + "Dataset"))]

    def add(s, p, o):
        out.append(ox.Triple(s, N(p), o))

    for lang in ("en", "nl"):
        add(ds, DCT + "title", L(TITLE[lang], language=lang))
        add(ds, DCT + "description", L(DESCRIPTION[lang], language=lang))
    add(ds, DCT + "license", N(CC0))
    publisher = ox.BlankNode()
    add(ds, DCT + "publisher", publisher)
    add(publisher, RDF_TYPE, N(FOAF + "Organization"))
    add(publisher, FOAF + "name", L("the defcoop project"))
    for q in store.quads_for_pattern(None, N(RDF_TYPE), N(_LETTER), ox.DefaultGraph()):
        add(ds, DCT + "source", q.subject)
    add(ds, VOID + "uriSpace", L(BASE + "id/"))
    add(ds, VOID + "vocabulary", N(BASE + "ontology#"))
    add(ds, VOID + "triples", _int(sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))))
    for graph in sorted(store.named_graphs(), key=lambda g: g.value):
        add(ds, VOID + "subset", graph)
        add(graph, RDF_TYPE, N(VOID + "Dataset"))
        add(graph, SD + "name", graph)
        add(graph, VOID + "triples", _int(sum(1 for _ in store.quads_for_pattern(None, None, None, graph))))
    if endpoint:
        add(ds, VOID + "sparqlEndpoint", N(endpoint))
    if api:  # the REST API of the stored queries, described in OpenAPI
        service = N(api)
        add(ds, DCAT + "landingPage", N(api.rsplit("/", 1)[0]))
        add(service, RDF_TYPE, N(DCAT + "DataService"))
        add(service, DCAT + "endpointDescription", service)
        add(service, DCAT + "servesDataset", ds)
    for url in examples:
        add(ds, VOID + "exampleResource", N(url))
    for url, (media, content) in sorted((dumps or {}).items()):
        dist = ox.BlankNode()
        add(ds, DCAT + "distribution", dist)
        add(ds, VOID + "dataDump", N(url))
        add(dist, RDF_TYPE, N(DCAT + "Distribution"))
        add(dist, DCAT + "downloadURL", N(url))
        add(dist, DCAT + "mediaType", L(media))
        add(dist, DCAT + "byteSize", _int(len(content)))
        add(dist, DCT + "license", N(CC0))
        checksum = ox.BlankNode()
        add(dist, SPDX + "checksum", checksum)
        add(checksum, RDF_TYPE, N(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", N(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue",
            L(hashlib.sha256(content).hexdigest(), datatype=N("http://www.w3.org/2001/XMLSchema#hexBinary")))
    return out


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
