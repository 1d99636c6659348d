"""The one entry point: `validate(sources, ...)`.

It picks the engine and passes the shapes index down:

* ``"oxigraph"`` (default; ``$DEFCOOP_VALIDATE_ENGINE`` overrides it): document by
  document, results cached by content (`defcoop.validation.incremental`), each unit by
  the compiled engine (`defcoop.validation.shacl.compiled`);
* ``"oxigraph-whole"``: the compiled engine on the whole graph, no cache;
* ``"pyshacl"``: pySHACL on the whole graph (the reference the others are tested against).

All three give the same findings (`ValidationReport.rows`). With ``inference``, the
closure is of the whole graph: ``"oxigraph"`` validates it whole.
"""

from __future__ import annotations

import os
from typing import Iterable

from defcoop.graph.files import Source, default_sources
from defcoop.validation import incremental
from defcoop.validation import inference as inferring
from defcoop.validation.report.model import ValidationReport
from defcoop.validation.shapes.index import ShapesIndex
from defcoop.validation.whole import validate_whole

#: the SHACL engines `validate` can use (see its docstring)
ENGINES = ("oxigraph", "oxigraph-whole", "pyshacl")
DEFAULT_ENGINE = "oxigraph"


def validate(
    sources: Iterable[Source] | None = None,
    *,
    strict: bool = False,
    inference: str = "none",
    engine: str | None = None,
    jobs: int | None = None,
    shapes: ShapesIndex | None = None,
) -> ValidationReport:
    """Validate ``sources`` (default: the project's own files) against the shapes and checks.

    The ontology sources (kind ``"ontology"``) and the local imports are the schema;
    everything else is data. Raises `DataError` if any file cannot be parsed.

    ``jobs``: processes that validate documents in parallel (engine ``"oxigraph"``;
    default ``$DEFCOOP_JOBS``, else the CPUs available). ``shapes``: the shapes index
    (default: that of ``ontology/shapes*.ttl``).
    """
    if inference not in inferring.KINDS:
        raise ValueError(f"inference must be one of {', '.join(inferring.KINDS)}, not {inference!r}")
    engine = engine or os.environ.get("DEFCOOP_VALIDATE_ENGINE", "").strip() or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    chosen = default_sources() if sources is None else list(sources)
    index = ShapesIndex.load() if shapes is None else shapes
    if engine == "oxigraph" and inference == "none" and shapes is None:
        return incremental.validate(chosen, index, strict=strict, jobs=jobs)
    whole_engine = "pyshacl" if engine == "pyshacl" else "oxigraph-whole"
    return validate_whole(chosen, index, strict=strict, inference=inference, engine=whole_engine)
