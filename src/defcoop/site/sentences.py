"""Facts in words: an entity's statements as short sentences from the labels of
their properties and values, for the entity pages.

Each property becomes one line ("partner: Belgium, the Netherlands"); a text given
in English and Dutch is one bilingual item; the when of an event or agreement is one
line in words at the precision the letter gives ("from January 2019 to March 2019",
"end of 2018", "summer 2020"), with the letter's own words for it. Labels, types
and the date's parts are not repeated as lines of their own. Nothing is said that
the triples do not hold: every word is a label from the graph or a date from a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import FOAF, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from defcoop.graph.files import ordered
from defcoop.namespaces import DCO
from defcoop.site.labels import Label
from defcoop.site.model import Entity, SiteModel, Value

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"],
}
#: shown elsewhere on the page (labels, types, links elsewhere) or folded into the line on the date
HIDDEN = {str(p) for p in (RDF.type, RDFS.label, SKOS.prefLabel, FOAF.name, SKOS.altLabel,
                           OWL.sameAs, RDFS.seeAlso, SKOS.exactMatch,
                           DCO.datePrecision, DCO.dateAsStated, DCO.season, DCO.dateQualifier,
                           DCO.date, DCO.startDate, DCO.endDate)}
WHEN = Label("when", "wanneer")
SIGNED = Label("signed", "ondertekend")


@dataclass
class Item:
    """One value in a line: a link to a page or term, or a text (bilingual where it can be)."""

    value: Value | None = None
    text: Label | None = None
    lang: str | None = None  # the language of a text that exists in one language only
    aside: bool = False  # shown in parentheses


@dataclass
class Line:
    prop: Value | None  # None for the line on the date
    label: Label
    items: list = field(default_factory=list)
    note: Label | None = None  # e.g. the letter's words for the date


def lines(model: SiteModel, entity: Entity) -> list[Line]:
    """The entity's statements in words, the date first."""
    out = []
    when = _when(model, URIRef(entity.iri))
    if when is not None:
        out.append(when)
    out.extend(_signed(model, URIRef(entity.iri)))
    by_prop: dict[str, list] = {}
    props: dict[str, Value] = {}
    for p, o in entity.about:
        if p.text in HIDDEN:
            continue
        by_prop.setdefault(p.text, []).append(o)
        props[p.text] = p
    for iri, values in by_prop.items():
        p = props[iri]
        out.append(Line(p, p.label or Label(p.short, p.short), _items(values)))
    return out


def also_called(entity: Entity) -> list:
    """The alternative labels (skos:altLabel) as `Value` literals."""
    return [o for p, o in entity.about if p.text == str(SKOS.altLabel)]


def _items(values: list) -> list[Item]:
    items: list[Item] = []
    en: list[str] = []
    nl: list[str] = []
    for v in values:
        if v.kind == "literal" and v.lang in ("en", "nl"):
            (en if v.lang == "en" else nl).append(v.text)
        elif v.kind == "literal":
            items.append(Item(text=Label(*(2 * [in_words(v)]))))
        else:
            items.append(Item(value=v))
    for a, b in zip(en, nl):
        items.append(Item(text=Label(a, b)))
    for rest, lang in ((en[len(nl):], "en"), (nl[len(en):], "nl")):
        for t in rest:
            items.append(Item(text=Label(t, t), lang=lang))
    return items


def in_words(v: Value) -> str:
    """A literal as text: a typed date in words (English), a number or text as it is."""
    if v.datatype in ("xsd:date", "xsd:gYearMonth", "xsd:gYear"):
        return date_words(Literal(v.text, datatype=XSD[v.datatype[4:]]), "en")
    return v.text


def date_words(value: Literal, lang: str) -> str:
    """``21 May 2019``, ``January 2019``, ``2019`` (``21 mei 2019``...): as precise as the value."""
    parts = [int(p) for p in str(value)[:10].split("-") if p]
    months = MONTHS[lang]
    if value.datatype == XSD.date and len(parts) == 3:
        return f"{parts[2]} {months[parts[1] - 1]} {parts[0]}"
    if value.datatype == XSD.gYearMonth and len(parts) >= 2:
        return f"{months[parts[1] - 1]} {parts[0]}"
    return str(value)


def _when(model: SiteModel, node: Node) -> Line | None:
    g = model.graph
    on, start, end = g.value(node, DCO.date), g.value(node, DCO.startDate), g.value(node, DCO.endDate)
    if on is None and start is None:
        qualifier = g.value(node, DCO.dateQualifier)
        if qualifier is None:
            return None
        return Line(None, WHEN, [Item(text=model.labels[qualifier])], _stated(model, node))
    season, qualifier = g.value(node, DCO.season), g.value(node, DCO.dateQualifier)

    def words(value, lang):
        text = date_words(value, lang)
        if season is not None:
            text = f"{getattr(model.labels[season], lang)} {text}"
        return text

    def phrase(lang):
        if qualifier is not None:  # "end of 2018", "after summer 2019"
            return f"{getattr(model.labels[qualifier], lang)} {words(on if on is not None else start, lang)}"
        if on is not None:
            text = words(on, lang)
        elif end is not None:
            text = (f"from {words(start, lang)} to {words(end, lang)}" if lang == "en"
                    else f"van {words(start, lang)} tot {words(end, lang)}")
        else:
            text = f"from {words(start, lang)} on" if lang == "en" else f"vanaf {words(start, lang)}"
        return text

    items = [Item(text=Label(phrase("en"), phrase("nl")))]
    precision = g.value(node, DCO.datePrecision)
    if precision is not None:
        items.append(Item(text=Label(f"(precision: {model.labels[precision].en})",
                                     f"(precisie: {model.labels[precision].nl})")))
    return Line(None, WHEN, items, _stated(model, node))


def _signed(model: SiteModel, agreement: URIRef) -> list[Line]:
    """"signed: 21 May 2019 (signing of ...)": the signings of an agreement, with their dates."""
    out = []
    for signing in ordered(model.graph.subjects(DCO.signedAgreement, agreement)):
        when = _when(model, signing)
        items = (when.items[:1] if when is not None else []) + [Item(value=model.value(signing), aside=True)]
        out.append(Line(None, SIGNED, items))
    return out


def paragraphs(entity: Entity) -> list:
    """The paragraphs of the letter that state the entity's facts: (number, anchor), once each."""
    return sorted({(q.paragraph, q.paragraph_anchor) for q in entity.quotes})


def _stated(model: SiteModel, node: Node) -> Label | None:
    stated = model.graph.value(node, DCO.dateAsStated)
    if stated is None:
        return None
    return Label(f"in the letter's words: \u201c{stated}\u201d", f"in de woorden van de brief: \u201c{stated}\u201d")
