"""The search index of the site, built at `defcoop site` time and written into the site
as a script (``search-index.js``), so that searching works from ``file://`` and from
any web server with nothing fetched: per entity its page, labels in English and Dutch,
alternative labels, the quotes of the letter that source it, its name in the IRI, and
its facets (kind, status, partners, years) for the filters."""

from __future__ import annotations

import json

from rdflib.namespace import SKOS

from defcoop.site.facets import Facets
from defcoop.site.model import SiteModel


def index(model: SiteModel, facets: Facets) -> dict:
    entries = []
    for e in model.entities:
        f = facets.of[e.iri]
        entries.append({
            "href": e.path,
            "key": e.iri.rsplit("/", 1)[-1],
            "en": e.label.en,
            "nl": e.label.nl,
            "alt": sorted({o.text for p, o in e.about if p.text == str(SKOS.altLabel)}),
            "quotes": [q.exact for q in e.quotes],
            "kind": f["kind"],
            "status": f["status"],
            "partner": f["partner"],
            "year": f["year"],
        })
    return {
        "entries": entries,
        "facets": {
            "partner": [[p.rsplit("/", 1)[-1], lab.en, lab.nl] for p, lab in facets.partners],
            "kind": [[k, lab.en, lab.nl] for k, lab in facets.kinds],
            "status": [[k, lab.en, lab.nl] for k, lab in facets.statuses],
            "year": [[str(y), str(y), str(y)] for y in facets.years],
        },
    }


def script(data: dict) -> str:
    """The index as a script that sets ``window.DEFCOOP_INDEX`` (no fetch: works from disk)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return "window.DEFCOOP_INDEX = " + text.replace("</", "<\\/") + ";\n"
