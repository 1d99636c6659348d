"""The timeline: every event on one time axis, each at the precision the letter gives.

A day is a diamond; a month, a season or a year is a bar over the whole of it (a
year is a span, not a day); "from" a date is a bar that runs on to the end of the
axis with an arrow; "after" a season starts where the season ends. Events without a
date are listed under the axis with what the letter says of their time (recently,
soon, in the past year). Done, in progress and planned differ in fill and outline,
not in colour alone. A dashed line marks the letter's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rdflib import URIRef

from defcoop.namespaces import DCO, VOCAB
from defcoop.query.runner import execute
from defcoop.site.model import PREFIXES, SiteModel
from defcoop.site.paths import entity_path

#: Every event (the timeline has a mark for each).
EVENTS_QUERY = PREFIXES + """
SELECT DISTINCT ?event WHERE { ?event rdf:type/rdfs:subClassOf* dco:Event }"""

LETTER_DATE_QUERY = PREFIXES + """
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?date WHERE { ?letter rdf:type dco:Letter ; dcterms:date ?date } ORDER BY ?date LIMIT 1"""

SEASONS = {"spring": (3, 6), "summer": (6, 9), "autumn": (9, 12), "winter": (12, 15)}
STATUS = str(VOCAB) + "status/"
LEFT, RIGHT, ROW, TOP = 16, 984, 24, 70


@dataclass
class Mark:
    iri: str
    href: str
    label: object
    status: str  # "done", "in-progress", "planned", ...
    status_label: object
    stated: str  # dco:dateAsStated
    shape: str  # "day", "span", "open", "undated"
    x1: float = 0
    x2: float = 0
    y: float = 0
    label_x: float = 0
    anchor: str = "start"
    when: object = None  # label of the qualifier for undated events
    start: date | None = None


@dataclass
class Timeline:
    width: int
    height: int
    years: list  # (x, year)
    letter_x: float
    letter_date: date
    dated: list
    undated: list
    undated_top: float
    axis_y: float
    legend_y: float


def timeline(model: SiteModel) -> Timeline:
    events = [URIRef(str(r[0])) for r in execute(EVENTS_QUERY, model.store, name="events").rows]
    letter_rows = execute(LETTER_DATE_QUERY, model.store, name="letter date").rows
    letter = letter_rows[0][0].toPython() if letter_rows else date(2019, 6, 19)
    marks = [_mark(model, e) for e in events]
    dated = sorted((m for m in marks if m.start), key=lambda m: (m.start, m.label.en))
    undated = sorted((m for m in marks if not m.start),
                     key=lambda m: (m.when.en if m.when else "~", m.label.en))
    first = min([m.start.year for m in dated] + [2013])
    last = max([(m.end - timedelta(days=1)).year for m in dated] + [2021])
    lo, hi = date(first, 1, 1), date(last + 1, 1, 1)

    def x(d: date) -> float:
        return LEFT + (RIGHT - LEFT) * (d - lo).days / (hi - lo).days

    for i, m in enumerate(dated):
        m.y = TOP + i * ROW
        m.x1 = x(m.start)
        m.x2 = RIGHT if m.shape == "open" else max(x(m.end), m.x1 + 2)
        if m.x2 < LEFT + (RIGHT - LEFT) * 0.55:
            m.label_x, m.anchor = m.x2 + 10, "start"
        else:
            m.label_x, m.anchor = m.x1 - 10, "end"
    axis_y = TOP + len(dated) * ROW
    undated_top = axis_y + 70
    for i, m in enumerate(undated):
        m.y = undated_top + 24 + i * ROW
        m.x1, m.label_x = LEFT + 8, LEFT + 24
    legend_y = undated_top + 24 + len(undated) * ROW + 20
    years = [(x(date(y, 1, 1)), y) for y in range(first, last + 2)]
    return Timeline(1000, int(legend_y + 40), years, x(letter), letter, dated, undated,
                    undated_top, axis_y, legend_y)


def _mark(model: SiteModel, event: URIRef) -> Mark:
    g = model.graph
    status = g.value(event, DCO.status)
    status_key = str(status)[len(STATUS):] if status is not None else "unknown"
    stated = g.value(event, DCO.dateAsStated)
    m = Mark(
        iri=str(event),
        href=entity_path(str(event)),
        label=model.labels[event],
        status=status_key,
        status_label=model.labels[status] if status is not None else None,
        stated=str(stated) if stated is not None else "",
        shape="undated",
    )
    season = g.value(event, DCO.season)
    season_key = str(season).rsplit("/", 1)[-1] if season is not None else None
    qualifier = g.value(event, DCO.dateQualifier)
    qualifier_key = str(qualifier).rsplit("/", 1)[-1] if qualifier is not None else None
    value = g.value(event, DCO.date)
    opened = value is None and g.value(event, DCO.startDate) is not None
    if opened:
        value = g.value(event, DCO.startDate)
    if value is None:
        m.when = model.labels[qualifier] if qualifier is not None else None
        return m
    start, end, day = _span(str(value), season_key)
    if qualifier_key == "after":  # "after the summer": from the season's end on
        start, opened = end, True
    m.start, m.end = start, end
    m.shape = "open" if opened else "day" if day else "span"
    return m


def _span(lexical: str, season: str | None) -> tuple[date, date, bool]:
    """The days a typed date covers: (first day, day after the last, is it one day)."""
    parts = [int(p) for p in lexical[:10].split("-") if p]
    if len(parts) == 3:
        d = date(*parts)
        return d, d + timedelta(days=1), True
    if len(parts) == 2:
        y, mth = parts
        return date(y, mth, 1), _month(y, mth + 1), False
    y = parts[0]
    if season in SEASONS:
        a, b = SEASONS[season]
        return _month(y, a), _month(y, b), False
    return date(y, 1, 1), date(y + 1, 1, 1), False


def _month(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
