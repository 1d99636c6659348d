"""Writing an export: its format (from ``--format`` or the suffix of ``-o``) and the file.

The serialisers are in `defcoop.graph.serialize`; `write_atomic` is the one atomic
file writer of the package.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from defcoop.errors import DefcoopError
from defcoop.graph import rdf_formats


def output_format(output: str | Path | None, fmt: str | None) -> str:
    """The export format for ``-o OUTPUT`` and ``--format FMT`` (either may be missing).

    Without ``--format`` the suffix of OUTPUT says it (Turtle on standard output); a
    suffix that means another RDF format than ``--format`` is refused, as is a format
    `defcoop export` cannot write.
    """
    wanted = rdf_formats.by_name(fmt) if fmt else None
    implied = rdf_formats.of_path(output) if output else None
    suffix = Path(output).suffix if output else ""
    if wanted and implied and wanted is not implied:
        raise DefcoopError(
            f"-o {output}: the suffix {suffix} means {implied.label}, "
            f"but --format is {wanted.name} ({wanted.label}); change one of them"
        )
    chosen = wanted or implied
    if chosen is None:
        if output:
            raise DefcoopError(
                f"-o {output}: cannot tell the RDF format from the suffix "
                f"{suffix or '(none)'}; give --format "
                f"({', '.join(rdf_formats.EXPORTED)}) or a suffix "
                f"({', '.join(rdf_formats.by_name(n).suffix for n in rdf_formats.EXPORTED)})"
            )
        return "ttl"
    if not chosen.exported:
        source = f"-o {output}" if wanted is None else f"--format {chosen.name}"
        raise DefcoopError(
            f"{source}: defcoop export cannot write {chosen.label} "
            f"(formats: {', '.join(rdf_formats.EXPORTED)})"
        )
    return chosen.name


def write_atomic(data: bytes, path: str | Path) -> None:
    """Write ``data`` to ``path`` so that a reader never sees half a file.

    A new file gets the usual mode (0666 less the umask), an existing one keeps its
    mode. Any failure raises `DefcoopError` naming ``path``, and leaves no file behind.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise DefcoopError(f"{path}: folder {directory} does not exist")
    if path.is_dir():
        raise DefcoopError(f"{path}: is a folder; give a file name")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            os.fchmod(f.fileno(), _mode_for(path))
        os.replace(tmp, path)
    except OSError as exc:
        raise DefcoopError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None and os.path.lexists(tmp):
            Path(tmp).unlink(missing_ok=True)


def _mode_for(path: Path) -> int:
    """The mode of the file at ``path`` if there is one, else 0666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
