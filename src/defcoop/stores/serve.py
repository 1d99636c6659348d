"""Where the Oxigraph server program (PyPI ``oxigraph``) is, for the tests and benchmarks
that run one. `defcoop serve` itself is the HTTP application of `defcoop.web`.
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
from pathlib import Path

from defcoop.errors import DefcoopError


def oxigraph_binary() -> str:
    """The ``oxigraph`` program installed with this Python, or on PATH."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / "oxigraph"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("oxigraph")
    if not found:
        raise DefcoopError("the oxigraph server is not installed (pip install oxigraph)")
    return found
