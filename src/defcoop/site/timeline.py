"""The timeline: every event on one time axis, each at the precision the letter gives.

A day is a diamond; a month, a season or a year is a bar over the whole of it (a
year is a span, not a day); an event with a start and an end (``dco:startDate``,
``dco:endDate``) is a bar from the first day of its start to the last day of its
end, each at its own precision; an event with only a start ("from 2021") is a bar
that runs on to the end of the axis with an arrow; "after" a season starts where the
season ends. Marks are ordered by real time (the days they cover, not the text of
the date: "end of 2018" comes after May 2018). Events without a date are listed
under the axis with what the letter says of their time (recently, soon, in the past
year). Done, in progress and planned differ in fill and outline, not in colour
alone. A dashed line marks the letter's date.

`extent` is the one place that turns a stated date into the days it covers; where
the graph already holds derived day intervals (``dco:earliestDate`` /
``dco:latestDate``, xsd:date) they are read instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from defcoop.namespaces import DCO, VOCAB
from defcoop.query.runner import execute
from defcoop.site.labels import Label
from defcoop.site.model import PREFIXES, SiteModel
from defcoop.site.paths import entity_path

#: Every event (the timeline has a mark for each).
EVENTS_QUERY = PREFIXES + """
SELECT DISTINCT ?event WHERE { ?event rdf:type/rdfs:subClassOf* dco:Event }"""

LETTER_DATE_QUERY = PREFIXES + """
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?date WHERE { ?letter rdf:type dco:Letter ; dcterms:date ?date } ORDER BY ?date LIMIT 1"""

#: months of each season: (first month, month after the last), northern hemisphere
SEASONS = {"spring": (3, 6), "summer": (6, 9), "autumn": (9, 12), "winter": (12, 15)}
STATUS = str(VOCAB) + "status/"
LEFT, RIGHT, ROW, TOP = 16, 984, 24, 70
EARLIEST, LATEST = DCO.earliestDate, DCO.latestDate  # derived day intervals (when present)


@dataclass
class Mark:
    iri: str
    href: str
    label: Label
    status: str  # "done", "in-progress", "planned", ...
    status_label: Label | None
    stated: str  # dco:dateAsStated
    shape: str  # "day", "span", "open", "undated"
    x1: float = 0
    x2: float = 0
    y: float = 0
    label_x: float = 0
    anchor: str = "start"
    when: Label | None = None  # label of the qualifier for undated events
    start: date | None = None  # first day covered
    end: date | None = None  # the day after the last day covered
    key: date | None = None  # where it sits in time, for the order
    facets: dict = field(default_factory=dict)  # filter values (see site.facets)

    @property
    def first(self) -> date:
        """The first day covered (a dated mark's)."""
        assert self.start is not None
        return self.start

    @property
    def last(self) -> date:
        """The last day covered (a dated mark's)."""
        assert self.end is not None
        return self.end - timedelta(days=1)


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
    first: date  # the day at x = LEFT
    stop: date  # the day at x = RIGHT


def extent(value, season: str | None = None) -> tuple[date, date]:
    """The days a stated date covers, from its value and datatype: (first day, last day).

    xsd:date is that day; xsd:gYearMonth the month; xsd:gYear the year, or the
    season of it that ``season`` names (a winter runs into the next year).
    """
    lexical = str(value).strip()
    datatype = value.datatype if isinstance(value, Literal) else None
    parts = [int(p) for p in lexical[:10].split("-") if p]
    if datatype == XSD.date or (datatype is None and len(parts) == 3):
        d = date(*parts[:3])
        return d, d
    if datatype == XSD.gYearMonth or (datatype is None and len(parts) == 2):
        y, m = parts[:2]
        return date(y, m, 1), _month(y, m + 1) - timedelta(days=1)
    y = parts[0]
    if season in SEASONS:
        a, b = SEASONS[season]
        return _month(y, a), _month(y, b) - timedelta(days=1)
    return date(y, 1, 1), date(y, 12, 31)


def timeline(model: SiteModel) -> Timeline:
    """The timeline of every event of the graph."""
    return layout(*marks(model))


def marks(model: SiteModel) -> tuple[list[Mark], date]:
    """A mark for every event, and the letter's date."""
    events = [URIRef(str(r[0])) for r in execute(EVENTS_QUERY, model.store, name="events").rows]
    letter_rows = execute(LETTER_DATE_QUERY, model.store, name="letter date").rows
    letter = letter_rows[0][0].toPython() if letter_rows else date(2019, 6, 19)
    return [_mark(model, e) for e in events], letter


def layout(all_marks: list[Mark], letter: date, whole: bool = True) -> Timeline:
    """The marks placed on one axis (copies: the same mark can be on two timelines).

    The whole timeline runs from 2013 to 2021 at least; a part of it (``whole=False``,
    a partner's events) over the years of its own marks and the letter's.
    """
    marks = [replace(m) for m in all_marks]
    dated = sorted((m for m in marks if m.start), key=lambda m: (m.key or date.min, m.last, m.label.en))
    undated = sorted((m for m in marks if not m.start),
                     key=lambda m: (m.when.en if m.when else "~", m.label.en))
    first = min([m.first.year for m in dated] + [2013 if whole else letter.year])
    last = max([m.last.year for m in dated] + [2021 if whole else letter.year])
    lo, hi = date(first, 1, 1), date(last + 1, 1, 1)

    def x(d: date) -> float:
        return round(LEFT + (RIGHT - LEFT) * (d - lo).days / (hi - lo).days, 2)

    for i, m in enumerate(dated):
        m.y = TOP + i * ROW
        m.x1 = x(m.first)
        m.x2 = RIGHT if m.shape == "open" else max(x(m.last + timedelta(days=1)), m.x1 + 2)
        if m.x2 < LEFT + (RIGHT - LEFT) * 0.55:
            m.label_x, m.anchor = m.x2 + 10, "start"
        else:
            m.label_x, m.anchor = m.x1 - 10, "end"
    axis_y = TOP + len(dated) * ROW
    undated_top = axis_y + 70
    for i, m in enumerate(undated):
        m.y = undated_top + 24 + i * ROW
        m.x1, m.label_x = LEFT + 8, LEFT + 24
    legend_y = undated_top + (24 + len(undated) * ROW if undated else 0) + 20
    years = [(x(date(y, 1, 1)), y) for y in range(first, last + 2)]
    return Timeline(1000, int(legend_y + 40), years, x(letter), letter, dated, undated,
                    undated_top, axis_y, legend_y, lo, hi)


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
    begin, until = g.value(event, DCO.startDate), g.value(event, DCO.endDate)
    if value is None and begin is None:
        m.when = model.labels[qualifier] if qualifier is not None else None
        return m
    opened = value is None and until is None
    derived = _derived(g, event)
    if derived is not None:
        start, last = derived
    else:
        start, last = extent(value if value is not None else begin, season_key)
        if until is not None and value is None:
            last = extent(until, season_key)[1]
    if qualifier_key == "after":  # "after the summer": from the season's end on
        start, opened = last + timedelta(days=1), True
    m.start, m.end = start, last + timedelta(days=1)
    # "the end of 2018" sits at the end of the year, after May 2018
    m.key = last if qualifier_key == "end-of" else start
    m.shape = "open" if opened else "day" if start == last else "span"
    return m


def _derived(g, event: URIRef) -> tuple[date, date] | None:
    """The derived day interval of an event, where the graph holds one."""
    a, b = g.value(event, EARLIEST), g.value(event, LATEST)
    if isinstance(a, Literal) and isinstance(b, Literal):
        return a.toPython(), b.toPython()
    return None


def _month(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
