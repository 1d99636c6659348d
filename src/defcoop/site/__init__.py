"""A static, sourced, browsable web site of the graph (``defcoop site OUTDIR``).

`build.build_site` is the entry point; the other modules each do one job:
`paths` (where each page lives), `labels` (names in Dutch and English), `model`
(what the pages show, collected from the graph with SPARQL), `letter` (the source
text with its quotes), `network` and `timeline` (the two pictures), `facets` (kind,
status, partners and years of each entity, for the filters), `search` (the search
index), `sentences` (facts in words), `partners` (what each strategic partner's page
gathers), `ontology` (the reference of terms), `queries` (the stored query library),
`engine` (Oxigraph's WebAssembly build, the dump and the query specs of the query page)
and `render` (Jinja2 templates).
"""

from defcoop.site.build import build_site

__all__ = ["build_site"]
