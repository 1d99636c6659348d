"""The partner network: the Netherlands, its partners and the other actors of the
letter, with the agreements, programmes, projects and cooperations that link them.

Layout, computed here without any layout engine (pure Python, deterministic, so a
plain ``pip install`` is enough and the picture never changes between runs): one
column per strategic partner, in the order the letter treats them, headed by the
partner; below it the other actors that belong with it, then the agreements,
programmes and projects that link it with the Netherlands, in the order of the
letter. The Netherlands is a bar along the bottom that every column reaches; the
organisations linked to no partner form the last columns. A strategic partnership
is drawn as the column's link down to the bar. Each node links to its page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import RDF

from defcoop.namespaces import DCO, ID
from defcoop.query.runner import execute
from defcoop.site.labels import Label
from defcoop.site.model import PREFIXES, SiteModel
from defcoop.site.paths import entity_path

#: The actors: states and every other kind of organisation of the letter.
ACTORS_QUERY = PREFIXES + """
SELECT DISTINCT ?node WHERE {
  VALUES ?kind { org:Organization org:FormalOrganization org:OrganizationalUnit }
  ?node rdf:type/rdfs:subClassOf* ?kind .
  FILTER STRSTARTS(STR(?node), "https://w3id.org/defcoop/id/")
}"""

#: What links them: agreements, programmes, projects and cooperations.
LINKS_QUERY = PREFIXES + """
SELECT DISTINCT ?node ?kind WHERE {
  VALUES ?kind { dco:Agreement dco:Programme dco:Project dco:Cooperation }
  ?node rdf:type/rdfs:subClassOf* ?kind .
}"""

#: The strategic partnerships of the Netherlands and each partner.
PARTNERSHIPS_QUERY = PREFIXES + """
SELECT DISTINCT ?partnership ?partner WHERE {
  ?partnership rdf:type dco:StrategicPartnership ;
               dco:partner <https://w3id.org/defcoop/id/NL> , ?partner .
  FILTER (?partner != <https://w3id.org/defcoop/id/NL>)
}"""

#: Memberships between two actors (the edge "member of", "chair of").
MEMBERSHIPS_QUERY = PREFIXES + """
SELECT DISTINCT ?membership ?member ?organization WHERE {
  ?membership rdf:type org:Membership ; org:member ?member ; org:organization ?organization .
}"""

#: The section of the letter on each partner (orders the columns as the letter does).
SECTIONS_QUERY = PREFIXES + """
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?section ?partner WHERE { ?section rdf:type dco:DocumentSection ; dcterms:subject ?partner }"""

HOME = str(ID.NL)
KINDS = (  # kind, class, legend (en, nl)
    ("agreement", DCO.Agreement, ("agreement", "overeenkomst")),
    ("programme", DCO.Programme, ("programme", "programma")),
    ("project", DCO.Project, ("project", "project")),
    ("cooperation", DCO.Cooperation, ("cooperation", "samenwerking")),
)
TIE = {str(DCO.party), str(DCO.partner), str(DCO.holder), str(DCO.leadNation)}

COL_W, BOX_W, GAP = 168, 140, 8
LINE_H, PAD = 13, 6
TOP = 64


@dataclass
class Node:
    iri: str
    kind: str  # "home", "partner", "actor", or a KINDS kind
    label: Label
    href: str
    column: int = -1
    x: float = 0
    y: float = 0
    w: float = BOX_W
    h: float = 0
    lines_en: list = field(default_factory=list)
    lines_nl: list = field(default_factory=list)
    order: int = 10**6


@dataclass
class Edge:
    kind: str  # "tie", "member", "other", "partnership"
    path: str
    title_en: str
    title_nl: str
    iri: str | None = None
    href: str | None = None


@dataclass
class Network:
    width: int
    height: int
    nodes: list
    edges: list
    partnerships: list  # (iri, partner iri)
    legend: list
    columns: list  # (x, label) headers


def network(model: SiteModel) -> Network:
    g = model.graph
    actors = {str(r[0]) for r in execute(ACTORS_QUERY, model.store, name="network actors").rows}
    kind_of = {str(cls): kind for kind, cls, _ in KINDS}
    link_kinds: dict[str, set[str]] = {}
    for node, cls in execute(LINKS_QUERY, model.store, name="network links").rows:
        link_kinds.setdefault(str(node), set()).add(kind_of[str(cls)])
    links = set(link_kinds)
    partnerships = sorted(
        (str(r[0]), str(r[1])) for r in execute(PARTNERSHIPS_QUERY, model.store, name="partnerships").rows
    )
    partner_of = {p: s for s, p in partnerships}
    links -= {s for s, _ in partnerships}
    nodes: dict[str, Node] = {}
    first_quote = _first_quotes(model)
    for iri in actors | links:
        kind = "home" if iri == HOME else "partner" if iri in partner_of else (
            "actor" if iri in actors else _kind(link_kinds[iri]))
        nodes[iri] = Node(iri, kind, model.labels[iri], entity_path(iri),
                          order=first_quote.get(iri, 10**6))

    # -- edges: direct statements between two nodes, and memberships --------------
    raw_edges = []
    for iri in nodes:
        for p, o in g.predicate_objects(URIRef(iri)):
            if p == RDF.type or str(o) not in nodes or str(o) == iri:
                continue
            raw_edges.append((iri, str(o), "tie" if str(p) in TIE else "other", str(p)))
    for m, member, org in execute(MEMBERSHIPS_QUERY, model.store, name="memberships").rows:
        if str(member) in nodes and str(org) in nodes:
            raw_edges.append((str(member), str(org), "member", str(m)))
    neighbours = defaultdict(set)
    for a, b, _, _ in raw_edges:
        neighbours[a].add(b)
        neighbours[b].add(a)

    # -- columns: one per partner, in the order of the letter ----------------------
    sections = {str(r[1]): str(r[0])
                for r in execute(SECTIONS_QUERY, model.store, name="sections").rows}

    def partner_order(p):
        if p in sections:
            return first_quote.get(sections[p], 10**6)
        return min([nodes[n].order for n in neighbours[p] if n in links] + [nodes[p].order, 10**6])

    partners = sorted(partner_of, key=lambda p: (partner_order(p), model.labels[p].en))
    column = {p: i for i, p in enumerate(partners)}
    for _ in range(3):  # links take their partner's column, then actors their links' ...
        for iri, node in nodes.items():
            if iri in column or node.kind == "home":
                continue
            near = [n for n in neighbours[iri] if n in column]
            if node.kind == "actor":  # an actor joins a partner's column through a link,
                links_near = [n for n in near if n not in partner_of]  # or as its only partner
                only = [n for n in neighbours[iri] if n in partner_of]
                near = links_near or (only if len(only) == 1 and len(neighbours[iri] - {HOME}) == 1 else [])
            if near:
                counts = Counter(column[n] for n in near)
                column[iri] = min(counts, key=lambda c: (-counts[c], c))
    rest = sorted((n for n in nodes if n not in column and nodes[n].kind != "home"),
                  key=lambda n: (nodes[n].kind != "actor", nodes[n].order, model.labels[n].en))
    tallest = Counter(column[n] for n in column)
    per_rest_column = max([*tallest.values(), 8])
    for i, iri in enumerate(rest):
        column[iri] = len(partners) + i // per_rest_column

    # -- place the boxes ---------------------------------------------------------------
    ncols = max(column.values(), default=0) + 1
    stacks = defaultdict(list)
    for iri, c in column.items():
        stacks[c].append(nodes[iri])
    rank = {"partner": 0, "actor": 1}
    bottom = TOP
    for c, stack in stacks.items():
        stack.sort(key=lambda n: (rank.get(n.kind, 2), n.order, n.label.en.lower()))
        y = TOP
        for n in stack:
            n.column = c
            n.lines_en, n.lines_nl = _wrap(n.label.en), _wrap(n.label.nl)
            n.h = PAD * 2 + LINE_H * max(len(n.lines_en), len(n.lines_nl))
            n.x = 20 + c * COL_W + (COL_W - BOX_W) / 2
            n.y = y
            y += n.h + (22 if n.kind == "partner" else GAP)
        bottom = max(bottom, y)
    width = 40 + ncols * COL_W
    home = nodes[HOME]
    home.x, home.y, home.w, home.h = 20, bottom + 30, width - 40, 34
    home.lines_en, home.lines_nl = [home.label.en], [home.label.nl]

    edges = []
    for a, b, kind, via in sorted(raw_edges):
        na, nb = nodes[a], nodes[b]
        title = (model.labels[a], model.labels[via], model.labels[b])
        edges.append(Edge(kind, _path(na, nb), " – ".join(t.en for t in title),
                          " – ".join(t.nl for t in title),
                          iri=via if kind == "member" else None,
                          href=entity_path(via) if kind == "member" else None))
    for s, partner in partnerships:
        edges.append(Edge("partnership", _path(nodes[partner], home, gutter=True),
                          model.labels[s].en, model.labels[s].nl, iri=s, href=entity_path(s)))

    legend = [("home", ("the Netherlands", "Nederland")),
              ("partner", ("strategic partner", "strategische partner")),
              ("actor", ("other state or organisation", "andere staat of organisatie"))]
    legend += [(k, names) for k, _, names in KINDS]
    return Network(width, int(home.y + home.h + 20), sorted(nodes.values(), key=lambda n: n.iri),
                   edges, partnerships, legend, [])


def _kind(kinds: set) -> str:
    """The first of KINDS a node is (a node is rarely two)."""
    return next(kind for kind, _, _ in KINDS if kind in kinds)


def _first_quotes(model: SiteModel) -> dict[str, int]:
    first: dict[str, int] = {}
    for q in model.quotes:
        for b in q.bodies:
            first.setdefault(b.text, q.number)
    return first


def _wrap(text: str, width: int = 22, lines: int = 3) -> list[str]:
    words, out, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            out.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1].rstrip() + "…"
    return out


def _path(a: Node, b: Node, gutter: bool = False) -> str:
    """A link from box ``a`` to box ``b``: down the column's gutter to the bar, or a curve."""
    if b.kind == "home" or a.kind == "home":
        n, home = (a, b) if b.kind == "home" else (b, a)
        x = n.x + n.w + 4 if not gutter else n.x + n.w / 2
        y0 = n.y + n.h / 2 if not gutter else n.y + n.h
        start = f"M{n.x + n.w:.0f},{y0:.0f} H{x:.0f}" if not gutter else f"M{x:.0f},{y0:.0f}"
        return f"{start} V{home.y:.0f}"
    if a.column == b.column:
        top, low = (a, b) if a.y < b.y else (b, a)
        x = top.x - 4
        return (f"M{top.x:.0f},{top.y + top.h / 2:.0f} H{x:.0f} "
                f"V{low.y + low.h / 2:.0f} H{low.x:.0f}")
    (x1, y1), (x2, y2) = _centre(a), _centre(b)
    bend = (y1 + y2) / 2 - 40
    return f"M{x1:.0f},{y1:.0f} C{x1:.0f},{bend:.0f} {x2:.0f},{bend:.0f} {x2:.0f},{y2:.0f}"


def _centre(n: Node) -> tuple[float, float]:
    return n.x + n.w / 2, n.y + n.h / 2
