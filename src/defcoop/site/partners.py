"""The page of each strategic partner gathers what the graph ties to it: the letter's
section on it (its paragraphs, from the section's heading to the next section's), every
agreement, project, programme, cooperation, event, person, office and place tied to it
(`defcoop.site.facets`), a small timeline of its events, and the answer of the stored
``partner`` query for it (run as ``defcoop query partner --param country=...`` runs it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF

from defcoop.graph import provenance
from defcoop.namespaces import DCO
from defcoop.site import render
from defcoop.site.facets import Facets
from defcoop.site.model import SiteModel
from defcoop.site.queries import query_views
from defcoop.site.timeline import layout

#: the order of the groups on a partner page (kinds of `defcoop.site.facets`)
ORDER = ("agreement", "project", "programme", "cooperation", "event", "person", "office",
         "place", "organisation", "state", "materiel", "document", "other")


@dataclass
class SectionParagraph:
    number: int
    anchor: str
    text: str


@dataclass
class PartnerView:
    iri: str
    label: object
    section: object  # Value of the dco:DocumentSection, or None
    paragraphs: list = field(default_factory=list)  # SectionParagraph
    groups: list = field(default_factory=list)  # (kind Label, [Entity])
    timeline_svg: str = ""
    events: int = 0
    query: object = None  # QueryView of the partner query for it


def partner_views(model: SiteModel, facets: Facets, line, sources=None, *,
                  queries: bool = True) -> dict:
    """Entity IRI of each strategic partner -> its `PartnerView`; ``line`` is the whole
    `defcoop.site.timeline.Timeline`, whose marks the small timelines reuse."""
    every = line.dated + line.undated
    kinds = dict(facets.kinds)
    views = {}
    for iri, label in facets.partners:
        tied = facets.ties.get(iri, {})
        groups = []
        for kind in ORDER:
            members = [model.by_iri[t] for t in sorted(tied) if t in model.by_iri
                       and facets.of[t]["kind"] == kind]
            if members:
                groups.append((kinds[kind], sorted(members, key=lambda e: e.label.en.lower())))
        section, paragraphs = _section(model, URIRef(iri))
        events = {t for t in tied if facets.of.get(t, {}).get("kind") == "event"}
        view = PartnerView(iri, label, section, paragraphs, groups, events=len(events))
        if events:
            small = layout([m for m in every if m.iri in events], line.letter_date, whole=False)
            view.timeline_svg = render.render("timeline.svg.j2", model.by_iri[iri].path, tl=small,
                                              standalone=False, prefix=f"tl-{iri.rsplit('/', 1)[-1]}-")
        if queries:
            code = "id:" + iri.rsplit("/", 1)[-1]
            found = query_views(model, sources, only="partner", values={"country": code})
            view.query = found[0] if found else None
        views[iri] = view
    return views


def _section(model: SiteModel, partner: URIRef):
    """The section of the letter on ``partner`` and its paragraphs."""
    g = model.graph
    quoted = model.quoted_at()
    starts = {s: quoted[str(s)] for s in g.subjects(RDF.type, DCO.DocumentSection) if str(s) in quoted}
    mine = [s for s in g.subjects(DCTERMS.subject, partner) if s in starts]
    if not mine:
        return None, []
    section = mine[0]
    source, start = starts[section]
    after = [at for s, (src, at) in starts.items() if src == source and at > start]
    end = min(after) if after else None
    text = provenance.source_text(g, URIRef(str(source)))
    paragraphs = [SectionParagraph(p.index + 1, f"p{p.index + 1}", p.text) for p in text.paragraphs
                  if p.end > start and (end is None or p.start < end)]
    return model.value(section), paragraphs
