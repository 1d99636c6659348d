"""defcoop: a sourced knowledge graph of the Netherlands' bilateral defence cooperation.

The Python API, for notebooks and pipelines: the same graph, queries and checks as the
``defcoop`` command. Each function reads the project's own files unless given others.

>>> import defcoop
>>> result = defcoop.run_query("partners")
>>> result.variables, len(result)
(['relation', 'partner', 'name'], 11)

The modules behind it, by job: `defcoop.graph` (the files), `defcoop.query` (asking
it), `defcoop.stores` (triple stores over HTTP), `defcoop.validation`, `defcoop.site`
and `defcoop.web`. Each function below imports its module when called, so that
``import defcoop`` (and the CLI's start-up) stays fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph

    from defcoop.graph.files import Source
    from defcoop.query.results import QueryResult
    from defcoop.stores.load import Report
    from defcoop.validation.report.model import ValidationReport

__version__ = "0.1.0"

__all__ = ["export", "load", "load_graph", "run_query", "sources", "validate", "__version__"]


def sources(paths: Iterable[str | Path] | None = None, *, entailed: bool = True) -> list[Source]:
    """The files of a graph: the project's own, or the ontology plus ``paths`` (files or folders).

    ``entailed``: with the entailed graph (the project's ``data/derived/entailed.ttl``;
    for ``paths``, derived from them and cached by content), as the ``defcoop`` commands.
    A file that is missing, not RDF or empty raises `defcoop.errors.DataError` naming it.

    >>> [s.kind for s in sources()]
    ['ontology', 'ontology', 'reference', 'reference', 'document', 'entailed']
    """
    from defcoop.graph.selection import select  # kept out of `import defcoop`

    return select(list(paths) if paths is not None else None, entailed=entailed)


def load_graph(paths: Iterable[str | Path] | None = None, *, entailed: bool = False) -> Graph:
    """The graph merged into one rdflib `Graph` (asserted triples only, unless ``entailed``).

    >>> g = load_graph()
    >>> from rdflib import URIRef
    >>> g.value(URIRef("https://w3id.org/defcoop/id/NO"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    rdflib.term.Literal('Norway', lang='en')
    """
    from defcoop.graph.files import load_graph as merged  # rdflib: ~0.3 s, only when asked

    return merged(sources(paths, entailed=entailed))


def run_query(
    text_or_name: str,
    params: Mapping[str, str] | None = None,
    *,
    paths: Iterable[str | Path] | None = None,
) -> QueryResult:
    """Run a stored query (by name, with ``params`` bound as typed RDF terms) or SPARQL text.

    SPARQL text may use the project's prefixes (``dco:``, ``id:``, ...) without declaring
    them. Rows are pyoxigraph terms in ``result.terms``, rdflib terms in ``result.rows``.
    (Not called ``query``: that name is the subpackage `defcoop.query`, which an import
    of any of its modules binds on the package.)

    >>> r = run_query("partner", {"country": "id:NO"})
    >>> len(r) > 0
    True
    >>> run_query("SELECT (COUNT(*) AS ?n) WHERE { ?e a dco:Event }").terms[0][0].value
    '38'
    """
    from defcoop.query.library import bind, find, parse  # the query layer, loaded when used
    from defcoop.query.runner import execute
    from defcoop.query.syntax import declare_prefixes

    if params is not None or (text_or_name.strip() and "{" not in text_or_name):
        stored = find(text_or_name)
        text = bind(stored, dict(params or {}))
        name = stored.name
    else:
        declared, _ = declare_prefixes(text_or_name)
        stored = parse(declared, Path("<query>"), name="<query>")
        text, name = bind(stored, {}), "<query>"
    return execute(text, sources(paths), name=name)


def validate(paths: Iterable[str | Path] | None = None, *, strict: bool = False,
             inference: str = "none") -> ValidationReport:
    """Validate the project (or the ontology plus ``paths``): SHACL, terms, quotes.

    >>> report = validate()
    >>> report.exit_code, len(report.findings)
    (0, 0)
    """
    from defcoop.validation.validate import validate as run  # pySHACL and friends: when used

    return run(sources(paths), strict=strict, inference=inference)


def export(fmt: str = "ttl", paths: Iterable[str | Path] | None = None) -> bytes:
    """The graph in a readable, byte-stable serialisation (``ttl``, ``trig``, ``nt``, ``nq``, ``jsonld``).

    >>> export("nq").count(b"<https://w3id.org/defcoop/graph/entailed>") > 0
    True
    """
    from defcoop.graph import serialize  # the writers and the engine, when used
    from defcoop.query.engine import load_store

    store = load_store(sources(paths))
    return serialize.serialize(serialize.store_statements(store, fmt), fmt)


def load(
    endpoint: str,
    *,
    update: str | None = None,
    gsp: str | None = None,
    paths: Iterable[str | Path] | None = None,
    entailed: bool = True,
    auth: str | None = None,
    preemptive_auth: bool = False,
    timeout: float = 60,
    lock_wait: float = 60,
    dry_run: bool = False,
) -> list[Report]:
    """Load the graph into a triple store, one named graph per file, and verify it, as
    ``defcoop load`` does: every graph replaced in one SPARQL Update request (or, with
    ``gsp``, staged by the Graph Store Protocol and swapped in by one guarded request),
    under the store's load lock, then counted on the store.

    ``endpoint`` is the query URL, ``update`` the SPARQL Update URL (default: the query
    URL). Credentials come from ``DEFCOOP_STORE_USER`` / ``DEFCOOP_STORE_PASSWORD``
    only, and go only where the store asks for them (`defcoop.stores.client`).
    Returns one `Report` per graph (``local`` and ``store`` counts); raises
    `defcoop.errors.DefcoopError` saying what is left on the store if a request fails
    or a count differs. ``dry_run``: plan only, send nothing (``store`` counts None).

    >>> reports = load("http://127.0.0.1:7878/query", update="http://127.0.0.1:7878/update", dry_run=True)
    >>> [(r.key, r.store) for r in reports][:2]
    [('ontology/defcoop', None), ('ontology/vocabularies', None)]
    """
    from defcoop.errors import DefcoopError
    from defcoop.stores import load as loading  # the HTTP client and the parsers, when used
    from defcoop.stores.client import Store, credentials_from_env

    store = Store(endpoint, update, gsp, credentials_from_env(auth, preemptive_auth), timeout=timeout)
    planned = loading.plan(store, loading.targets(sources(paths, entailed=entailed)), use_gsp=gsp is not None,
                           batch_size=loading.BATCH_SIZE, lock=loading.lock_graph(), lock_wait=lock_wait,
                           cleanup=loading.cleanup_command(endpoint, update, data_files=paths or (),
                                                           entailed=entailed))
    if dry_run:
        return planned.reports
    reports = loading.run(store, planned)
    bad = [r for r in reports if not r.ok]
    if bad:
        raise DefcoopError(f"verification failed: <{bad[0].graph}> holds {bad[0].store} triples on the store, "
                           f"the local file {bad[0].local}")
    return reports
