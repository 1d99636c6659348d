"""Where each page lives in the site, and how one page links to another.

Every link in the site is relative, so that the site works opened from disk and
published under any path. Hrefs are kept relative to the site root ("id/NL.html",
"ontology.html#dco-State"); a template prefixes them with ``root`` ("../" per level).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from defcoop.namespaces import ID
from defcoop.query.formats import shorten

ANNOTATION_BASE = str(ID) + "annotation/"
_UNSAFE = re.compile(r"[^A-Za-z0-9._~/-]")

def qname(iri: str) -> str:
    """``dco:State`` for the IRI of dco:State; the IRI itself where no prefix fits.

    The project's one shortener (`defcoop.query.formats.shorten`), with the IRI as it
    is, not in ``<...>``, where it gives no prefixed name:

    >>> qname("https://w3id.org/defcoop/ontology#State")
    'dco:State'
    >>> qname("https://example.org/x")
    'https://example.org/x'
    """
    short = shorten(iri)
    return iri if short.startswith("<") or short.endswith(":") else short


def is_ours(iri: str) -> bool:
    return iri.startswith(str(ID))


def entity_path(iri: str) -> str:
    """The page of an entity: its IRI path under ``id/``, e.g. ``id/agreement/ten-mou.html``."""
    rest = iri[len(str(ID)):]
    return "id/" + _UNSAFE.sub(lambda m: quote(m.group(0), safe=""), rest) + ".html"


def anchor(iri: str) -> str:
    """An HTML id for a term of the ontology reference: ``dco-State``, ``status-done``."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", qname(iri))


def quote_anchor(annotation: str, index: int = 0) -> str:
    """The id of a quote on the letter page: ``q-<annotation name>`` (``-2``... for more targets)."""
    name = annotation[len(ANNOTATION_BASE):] if annotation.startswith(ANNOTATION_BASE) else qname(annotation)
    name = re.sub(r"[^A-Za-z0-9_-]", "-", name)
    return f"q-{name}" + (f"-{index + 1}" if index else "")


def root_of(path: str) -> str:
    """The prefix that leads from the page at ``path`` back to the site root."""
    return "../" * path.count("/")
