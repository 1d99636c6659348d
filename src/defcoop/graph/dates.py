"""Day-precision intervals of the letter's dates, so that every engine filters alike.

The letter dates things to a day, a month, a season, a part of a year or a year, and
the graph states each as written: ``dco:date`` (or ``dco:startDate`` and
``dco:endDate``) typed ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear``, with
``dco:datePrecision``, ``dco:season`` and ``dco:dateQualifier``. Engines compare those
types differently (rdflib and Oxigraph disagree on ``YEAR()`` of a ``gYear``, and no
engine orders a ``gYear`` against an ``xsd:date``), so `interval` turns them into the
first and last day they can mean (``dco:earliestDate``, ``dco:latestDate``, both
``xsd:date``). The rules (docs/dates.md):

- a day is itself; a month or a year runs from its first to its last day;
- a season is meteorological, as the vocabulary defines it: spring March-May, summer
  June-August, autumn September-November, winter December of the year to February
  of the next;
- "eind" (``datequal:end-of``) of a year is its last quarter (1 October-31 December),
  of a month its last ten days (from the 21st);
- "na" (``datequal:after``) a season of a year: from the day after the season to the
  end of that year (the letter dates it to the year);
- a span: from the first day of its start to the last day of its end; a span the
  letter gives only a start for ("vanaf 2021") has no latest day: it is open.

A combination without a rule (a qualifier the letter has not used on a dated node yet)
raises `DataError` naming the node, so that no interval is ever guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from defcoop.errors import DataError
from defcoop.namespaces import PREFIXES
from defcoop.query.formats import shorten

SEASON = PREFIXES["season"]
DATEQUAL = PREFIXES["datequal"]
PRECISION = PREFIXES["precision"]

#: season -> (first month, last month); winter runs into the next year
SEASONS = {
    SEASON.spring: (3, 5),
    SEASON.summer: (6, 8),
    SEASON.autumn: (9, 11),
    SEASON.winter: (12, 2),
}

#: the datatype each precision is stated in (part of a year and season: the year)
DATATYPES = {
    PRECISION.day: XSD.date,
    PRECISION.month: XSD.gYearMonth,
    PRECISION.season: XSD.gYear,
    PRECISION["part-of-year"]: XSD.gYear,
    PRECISION.year: XSD.gYear,
}


@dataclass(frozen=True)
class Interval:
    earliest: dt.date
    latest: dt.date | None  # None: open (a span with only a start)


def period(value: Literal, node: str = "") -> tuple[dt.date, dt.date]:
    """The first and last day of an ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear``."""
    text = str(value)
    try:
        if value.datatype == XSD.date:
            day = dt.date.fromisoformat(text)
            return day, day
        if value.datatype == XSD.gYearMonth:
            year, month = (int(x) for x in text.split("-"))
            return dt.date(year, month, 1), _last_day(year, month)
        if value.datatype == XSD.gYear:
            year = int(text)
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        raise DataError(f"{node}: {value.n3()} is not a valid date") from None
    raise DataError(f"{node}: a date must be an xsd:date, xsd:gYearMonth or xsd:gYear, not {value.n3()}")


def interval(
    node: str,
    *,
    date: Literal | None = None,
    start: Literal | None = None,
    end: Literal | None = None,
    precision: URIRef | None = None,
    season: URIRef | None = None,
    qualifier: URIRef | None = None,
) -> Interval | None:
    """The days a stated date can mean; None for an undated node (no date, no start)."""
    stated = date if date is not None else start
    if stated is None:
        return None
    want = DATATYPES.get(precision) if precision is not None else None
    if want is not None and stated.datatype != want:
        raise DataError(f"{node}: precision {_short(precision)} is stated as {_short(want)}, "
                        f"not {stated.n3()}")
    last: dt.date | None  # None: open
    first, last = period(stated, node)
    if season is not None:
        if season not in SEASONS:
            raise DataError(f"{node}: no interval rule for the season {_short(season)}")
        if stated.datatype != XSD.gYear:
            raise DataError(f"{node}: a season needs a year (xsd:gYear), not {stated.n3()}")
        first, last = _season(first.year, season)
    if qualifier is not None:
        first, last = _qualified(node, qualifier, first, last, stated, season)
    if end is not None:
        last = period(end, node)[1]
    elif date is None:
        last = None  # only a start
    if last is not None and last < first:
        raise DataError(f"{node}: the end {last} comes before the start {first}")
    return Interval(first, last)


def _qualified(node, qualifier, first, last, stated, season) -> tuple[dt.date, dt.date]:
    if qualifier == DATEQUAL["end-of"]:
        if season is None and stated.datatype == XSD.gYear:
            return dt.date(first.year, 10, 1), last
        if season is None and stated.datatype == XSD.gYearMonth:
            return dt.date(first.year, first.month, 21), last
    if qualifier == DATEQUAL.after and season is not None:
        year_end = period(stated, node)[1]
        after = last + dt.timedelta(days=1)
        if after <= year_end:
            return after, year_end
    raise DataError(f"{node}: no interval rule for the qualifier {_short(qualifier)} "
                    f"on {stated.n3()}" + (f" with the season {_short(season)}" if season else ""))


def _season(year: int, season: URIRef) -> tuple[dt.date, dt.date]:
    first_month, last_month = SEASONS[season]
    last_year = year + 1 if last_month < first_month else year
    return dt.date(year, first_month, 1), _last_day(last_year, last_month)


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _short(iri) -> str:
    return shorten(str(iri))
