"""The one content digest: the SHA-256 of a file's bytes, for every cache keyed by content.

The engine's on-disk stores (`defcoop.query.engine.cache_key`) and validation's
results (`defcoop.validation.memo`) are keyed by what their files hold, never by a
modification time (too coarse to see a rewrite), through this function.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     p = pathlib.Path(d, "a.ttl"); _ = p.write_bytes(b"<a> <b> <c> .")
...     file_digest(p).hex()[:12]
'b2ea068271f4'
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from defcoop.errors import DataError


def file_digest(path: str | Path) -> bytes:
    """The SHA-256 of the bytes of the file at ``path``; `DataError` naming it if there is none."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not an RDF file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    return h.digest()
