"""rudof's SHACL validator (``pyrudof``, the ``bench`` extra) as a baseline.

rudof validates the same N-Triples file as Apache Jena (`jena.write_merged`: the
ontology, the data and the class and property hierarchy of ``ontology/imports``) with
the same shapes file (`jena.shapes_file`), with its native engine.

Run as a script, it validates and writes its results as JSON, one
``[focus, path, component, severity]`` per result (rudof's own strings: a path reads
``(a | b)``, ``^(p)`` or ``(a / b)``; a blank node ``_:…``)::

    python benchmarks/rudof.py DATA.nt SHAPES.ttl OUT.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def unavailable() -> str:
    """Why rudof cannot run here ("" if it can)."""
    try:
        import pyrudof  # noqa: F401  (only to see whether it is installed)
    except ImportError:
        return "pyrudof is not installed (pip install -e '.[bench]')"
    return ""


def validate(data: Path, shapes: Path) -> list[list]:
    """rudof's results for ``data`` against ``shapes``: [focus, path, component, severity] each."""
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(str(data), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(str(shapes), format=pyrudof.ShaclFormat.Turtle)
    report = rudof.validate_shacl(mode=pyrudof.ShaclValidationMode.Native)
    return [[e.focus_node, e.path, e.constraint_component, e.severity] for e in report.violations]


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python benchmarks/rudof.py DATA.nt SHAPES.ttl OUT.json", file=sys.stderr)
        return 2
    data, shapes, out = (Path(a) for a in argv)
    results = validate(data, shapes)
    out.write_text(json.dumps(results) + "\n", encoding="utf-8")
    print(json.dumps({"results": len(results)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
