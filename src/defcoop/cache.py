"""An on-disk cache of built artefacts (the engine's indexed stores), keyed by content.

An entry is a folder ``<cache dir>/<key>/`` that holds what a builder wrote and, last,
a marker file ``entry.json``. The key is computed by the caller from the *content* it
depends on (so a changed file is a new key: an entry is never stale), and an entry is
never modified once published:

- it is built in a private temporary folder beside it and published with one
  ``rename``; a folder without a valid marker (a crash half-way, a copy gone wrong) is
  not an entry: it is ignored and removed;
- two processes building the same key at once both build, the first rename wins and
  the other discards its copy; readers only ever see whole entries;
- old entries are pruned (least recently used first, beyond `KEEP` entries), except
  those used in the last `GRACE` seconds, which another process may have open;
- a builder may `claim` a key first (a file ``.writing-<key>`` holding its process
  id), so that one process, not every one that finds no entry, builds it; a claim
  whose process has ended, or older than `STALE_BUILD`, is void.

Where: ``$DEFCOOP_CACHE_DIR``, else ``$XDG_CACHE_HOME/defcoop``, else
``~/.cache/defcoop``. ``DEFCOOP_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

MARKER = "entry.json"
#: entries kept when pruning (the newest by last use)
KEEP = 4
#: seconds during which a used entry is never pruned (another process may read it)
GRACE = 600
#: seconds after which an abandoned temporary build folder is removed
STALE_BUILD = 3600
_BUILD_PREFIX = ".build-"
_TRASH_PREFIX = ".trash-"
_CLAIM_PREFIX = ".writing-"


def enabled() -> bool:
    return os.environ.get("DEFCOOP_NO_CACHE", "").strip().lower() not in ("1", "true", "yes")


def directory() -> Path:
    """The cache folder (not created here)."""
    override = os.environ.get("DEFCOOP_CACHE_DIR")
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "defcoop"


def lookup(key: str) -> Path | None:
    """The folder of the complete entry for ``key``, or None (a broken one is removed)."""
    path = directory() / key
    if not path.is_dir():
        return None
    meta = _read_marker(path)
    if meta is None or meta.get("key") != key:
        discard(path)
        return None
    _touch(path)
    return path


def metadata(path: Path) -> dict:
    """What the builder recorded for an entry (its marker), {} if unreadable."""
    return _read_marker(path) or {}


def build(key: str, builder: Callable[[Path], dict]) -> Path:
    """Build the entry for ``key`` with ``builder(folder) -> metadata`` and publish it.

    ``builder`` fills the empty folder it is given and returns a JSON-able dict, stored
    in the marker. If it raises, nothing is published and the exception propagates.
    Returns the published entry's folder (possibly another process's, if it won).
    """
    root = directory()
    root.mkdir(parents=True, exist_ok=True)
    final = root / key
    tmp = Path(tempfile.mkdtemp(prefix=f"{_BUILD_PREFIX}{key[:16]}-", dir=root))
    try:
        meta = dict(builder(tmp) or {})
        meta.update(key=key, built=time.time())
        marker = tmp / MARKER
        with open(marker, "w", encoding="utf-8") as f:
            json.dump(meta, f)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.rename(tmp, final)
        except OSError:
            # another process published the same key first (or a broken folder is in
            # the way): use a complete entry if there is one, else replace the folder
            if lookup(key) is None:
                discard(final)
                try:
                    os.rename(tmp, final)
                except OSError:
                    if lookup(key) is None:
                        raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    prune(keep_also=final)
    return final


def claimed(key: str) -> bool:
    """Whether a live process has claimed ``key`` to build it."""
    path = directory() / f"{_CLAIM_PREFIX}{key}"
    try:
        pid = int(path.read_text(encoding="ascii").strip() or 0)
        age = time.time() - path.stat().st_mtime
    except (OSError, ValueError):
        return False
    return age < STALE_BUILD and _alive(pid)


def claim(key: str) -> bool:
    """Claim ``key`` for this process; False if a live process holds it already."""
    root = directory()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    path = root / f"{_CLAIM_PREFIX}{key}"
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if claimed(key):
                return False
            path.unlink(missing_ok=True)  # void: its process ended
            continue
        except OSError:
            return False
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(str(os.getpid()))
        return True
    return False


def release(key: str) -> None:
    """Give up this process's claim on ``key`` (another process's stays)."""
    path = directory() / f"{_CLAIM_PREFIX}{key}"
    try:
        if int(path.read_text(encoding="ascii").strip() or 0) == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def discard(path: Path) -> None:
    """Remove an entry (moved aside first, so no reader finds it half-deleted)."""
    path = Path(path)
    if not path.exists():
        return
    trash = path.parent / f"{_TRASH_PREFIX}{path.name}-{os.getpid()}-{time.monotonic_ns()}"
    try:
        os.rename(path, trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def prune(keep: int = KEEP, grace: float = GRACE, keep_also: Path | None = None) -> None:
    """Remove entries beyond the ``keep`` most recently used, and abandoned builds."""
    root = directory()
    if not root.is_dir():
        return
    now = time.time()
    entries = []
    for child in root.iterdir():
        try:
            age = now - child.stat().st_mtime
        except OSError:
            continue
        if child.name.startswith(_CLAIM_PREFIX):
            continue  # a claim (`claim`): its owner removes it
        if child.name.startswith((_BUILD_PREFIX, _TRASH_PREFIX)):
            if age > STALE_BUILD:
                shutil.rmtree(child, ignore_errors=True)
            continue
        if child.is_dir():
            entries.append((_last_used(child), child))
    entries.sort(reverse=True)
    for used, child in entries[keep:]:
        if keep_also is not None and child == keep_also:
            continue
        if now - used > grace:
            discard(child)


def _read_marker(path: Path) -> dict | None:
    try:
        with open(path / MARKER, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _touch(path: Path) -> None:
    try:
        os.utime(path / MARKER)
    except OSError:
        pass  # a read-only cache still serves


def _last_used(path: Path) -> float:
    try:
        return (path / MARKER).stat().st_mtime
    except OSError:
        return 0.0
