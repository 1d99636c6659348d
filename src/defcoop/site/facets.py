"""What the search and the filters of the site know of each entity: its kind, its
status, the years it covers and the strategic partners it is tied to.

The ties are the ones the ``partner`` query follows (party, partner, participant,
actor, counterpart, on behalf of, lead nation, holder, nationality; a place in the
partner; an office of the partner; the partner as the subject of a section), plus
one step on: an event (a signing...) tied through the agreement, project or programme
it concerns. Kinds are a few broad classes of the ontology, named by their own labels.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF, RDFS

from defcoop.namespaces import DCO, ID
from defcoop.site.labels import Label
from defcoop.site.model import SiteModel

#: The ties of the ``partner`` query: the thing -> the partner.
TIES = tuple(DCO[n] for n in ("party", "partner", "participant", "actor", "counterpart", "onBehalfOf",
                              "leadNation", "holder", "nationality"))
#: One step on: a signing, event or milestone -> the agreement, project... it concerns.
THROUGH = tuple(DCO[n] for n in ("signedAgreement", "concerns", "milestoneOf", "occasion"))
SCHEMA = Namespace("https://schema.org/")
HOME = str(ID.NL)

#: Names of the kinds whose class the graph does not label.
KIND_NAMES = {"person": Label("person", "persoon"), "office": Label("office", "functie"),
              "organisation": Label("organisation", "organisatie"), "other": Label("other", "overig")}
#: The broad kinds, most specific first: (key, class).
KINDS = (
    ("agreement", DCO.Agreement),
    ("event", DCO.Event),
    ("project", DCO.Project),
    ("programme", DCO.Programme),
    ("cooperation", DCO.Cooperation),
    ("state", DCO.State),
    ("person", FOAF.Person),
    ("office", ORG.Membership),
    ("place", DCO.Place),
    ("materiel", DCO.MaterielType),
    ("organisation", ORG.Organization),
    ("document", DCO.Document),
)


@dataclass
class Facets:
    partners: list  # (iri, Label) of the strategic partners, in the letter's order
    kinds: list  # (key, Label) of the broad kinds in use
    statuses: list  # (key, Label)
    years: list  # int
    of: dict  # entity iri -> {"partner": [...], "kind": str, "status": str, "year": [...]}
    ties: dict  # partner iri -> {entity iri: set of how}

    # the options of the filters: (value, Label)
    @property
    def partners_options(self) -> list:
        return [(_code(p), label) for p, label in self.partners]

    @property
    def kind_options(self) -> list:
        return self.kinds

    @property
    def status_options(self) -> list:
        return self.statuses

    @property
    def year_options(self) -> list:
        return [(str(y), Label(str(y), str(y))) for y in self.years]


def facets(model: SiteModel, years_of: dict | None = None) -> Facets:
    """The facets of every entity; ``years_of`` maps an entity to the years it covers."""
    g = model.graph
    partners = strategic_partners(model)
    ties = {p: tied_to(g, URIRef(p)) for p in partners}
    kind_of: dict[str, str] = {}
    for key, cls in reversed(KINDS):  # the more specific kinds win: they are read last
        classes = {str(c) for c in g.transitive_subjects(RDFS.subClassOf, cls)}
        for iri, types in model.entity_types.items():
            if types & classes:
                kind_of[iri] = key
    of = {}
    statuses = {}
    for e in model.entities:
        status = g.value(URIRef(e.iri), DCO.status)
        key = str(status).rsplit("/", 1)[-1] if status is not None else ""
        if key:
            statuses[key] = model.labels[status]
        of[e.iri] = {
            "partner": [_code(p) for p in partners if e.iri in ties[p] or e.iri == p],
            "kind": kind_of.get(e.iri, "other"),
            "status": key,
            "year": sorted((years_of or {}).get(e.iri, ())),
        }
    used = {f["kind"] for f in of.values()}
    kinds = [(k, _kind_label(model, k, c)) for k, c in KINDS if k in used]
    if "other" in used:
        kinds.append(("other", KIND_NAMES["other"]))
    years = sorted({y for f in of.values() for y in f["year"]})
    return Facets([(p, model.labels[p]) for p in partners], kinds, sorted(statuses.items()),
                  years, of, ties)


def strategic_partners(model: SiteModel) -> list[str]:
    """The strategic partners of the Netherlands, in the order the letter treats them
    (where its section on each begins)."""
    g = model.graph
    found = set()
    for partnership in g.subjects(RDF.type, DCO.StrategicPartnership):
        found |= {str(p) for p in g.objects(partnership, DCO.partner) if str(p) != HOME}
    quoted = model.quoted_at()
    first: dict[str, int] = {}
    for section in g.subjects(RDF.type, DCO.DocumentSection):
        if str(section) in quoted:
            for subject in g.objects(section, DCTERMS.subject):
                at = quoted[str(section)][1]
                first[str(subject)] = min(at, first.get(str(subject), at))
    return sorted(found, key=lambda p: (first.get(p, 1 << 40), p))


def tied_to(g: Graph, partner: URIRef) -> dict[str, set[str]]:
    """Every entity tied to ``partner`` -> how ("direct", "place", "office", "section", "through")."""
    ties: dict[str, set[str]] = defaultdict(set)
    direct = {s for p in TIES for s in g.subjects(p, partner)}
    for s in direct:
        ties[str(s)].add("direct")
    places = set(g.transitive_subjects(SCHEMA.containedInPlace, partner)) - {partner}
    for place in places:
        ties[str(place)].add("place")
    for place in places | {partner}:
        for s in g.subjects(SCHEMA.location, place):
            ties[str(s)].add("place")
    for membership in g.subjects(ORG.organization, partner):
        ties[str(membership)].add("office")
        for person in g.objects(membership, ORG.member):
            ties[str(person)].add("office")
    for membership in g.subjects(ORG.member, partner):
        ties[str(membership)].add("member")
    for s in g.subjects(DCTERMS.subject, partner):
        ties[str(s)].add("section")
    events = {s for c in g.transitive_subjects(RDFS.subClassOf, DCO.Event)
              for s in g.subjects(RDF.type, c)}
    for via in THROUGH:
        for s, x in g.subject_objects(via):
            if x in direct and s in events:
                ties[str(s)].add("through")
    return {k: v for k, v in ties.items() if k != str(partner) and k.startswith(str(ID))}


def _kind_label(model: SiteModel, key: str, cls) -> Label:
    return model.labels[cls] if model.labels.has(cls) else KIND_NAMES.get(key, model.labels[cls])


def _code(iri: str) -> str:
    """The short key of a partner in the page (``NO`` for id:NO)."""
    return iri.rsplit("/", 1)[-1]
