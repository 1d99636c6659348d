"""Where the project's files are: the ontology, the data, the sources and the queries.

In a source checkout they are the top-level folders of the repository; in an
installed wheel they travel inside the package (``defcoop/_project``). Every other
module asks here, so the two layouts behave the same.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

_FOLDERS = ("ontology", "data", "queries")


@lru_cache(maxsize=None)
def root() -> Path:
    """The folder that holds ``ontology/``, ``data/`` and ``queries/``.

    ``DEFCOOP_HOME`` overrides it (for a checkout of the data elsewhere).
    """
    override = os.environ.get("DEFCOOP_HOME")
    candidates = [Path(override)] if override else []
    here = Path(__file__).resolve().parent
    candidates += [here / "_project", here.parent.parent]
    for candidate in candidates:
        if all((candidate / name).is_dir() for name in _FOLDERS):
            return candidate
    raise FileNotFoundError(
        "defcoop cannot find its ontology, data and queries "
        f"(looked in: {', '.join(str(c) for c in candidates)}); "
        "set DEFCOOP_HOME to the folder that holds them"
    )


def ontology_files(home: Path | None = None) -> list[Path]:
    """The ontology and its vocabularies (not the SHACL shapes, which check them).

    ``home``: another project folder laid out like this one (default: `root()`).
    """
    return sorted(
        p for p in ((home or root()) / "ontology").glob("*.ttl") if not p.name.startswith("shapes")
    )


def reference_files(home: Path | None = None) -> list[Path]:
    return sorted(((home or root()) / "data" / "reference").glob("*.ttl"))


def document_files(home: Path | None = None) -> list[Path]:
    return sorted(((home or root()) / "data" / "documents").glob("*.ttl"))


def entailed_file(home: Path | None = None) -> Path:
    """The derived graph that ``defcoop entail`` writes (`defcoop.graph.entailment`)."""
    return (home or root()) / "data" / "derived" / "entailed.ttl"


def data_files() -> list[Path]:
    return reference_files() + document_files()


def query_dir() -> Path:
    return root() / "queries"


def resolve(relative: str) -> Path:
    """A project-relative path (as stored in ``dco:filePath``) made absolute."""
    return root() / relative
