"""The Jinja2 environment: templates from this package, HTML-escaped everywhere."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from defcoop.site.paths import qname, root_of

#: The pages of the site's navigation: (file, English, Dutch).
NAVIGATION = [
    ("index.html", "Home", "Start"),
    ("network.html", "Partner network", "Partnernetwerk"),
    ("timeline.html", "Timeline", "Tijdlijn"),
    ("entities.html", "Entities & search", "Entiteiten & zoeken"),
    ("letter.html", "The letter", "De brief"),
    ("queries.html", "Queries", "Zoekvragen"),
    ("ontology.html", "Ontology", "Ontologie"),
]


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("defcoop.site", "templates"),
        autoescape=True,  # every template, HTML and SVG alike
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["qname"] = qname
    env.globals["navigation"] = NAVIGATION
    return env


def render(template: str, path: str, **context) -> str:
    """Render ``template`` for the page at ``path`` (which sets ``root`` for its links)."""
    return environment().get_template(template).render(page=path, root=root_of(path), **context)
