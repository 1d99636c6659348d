"""Caches as objects keyed by content: `ContentCache` and the digest of files it is keyed by.

A cache here is an instance of `ContentCache` (never a module dict keyed by ``id()``):
its keys are digests of what the value was computed from (the bytes of files, a
shapes graph's digest), so a changed file is a new key and an unchanged one is
never computed twice in a process. It keeps the ``size`` most recently used values.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Generic, Hashable, Iterable, TypeVar

from defcoop.digest import file_digest
from defcoop.errors import DataError

T = TypeVar("T")


def digest_files(paths: Iterable[Path | str]) -> str:
    """The SHA-256 of the files' names and digests (`defcoop.digest`; a missing file counts as missing)."""
    h = hashlib.sha256()
    for p in paths:
        h.update(str(p).encode() + b"\0")
        try:
            h.update(file_digest(p))
        except DataError:
            h.update(b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


class ContentCache(Generic[T]):
    """Values computed once per key (a digest of their inputs); the least recently used go first."""

    def __init__(self, size: int = 32):
        self.size = size
        self._values: OrderedDict[Hashable, T] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        if key in self._values:
            self._values.move_to_end(key)
            return self._values[key]
        value = compute()
        self._values[key] = value
        while len(self._values) > self.size:
            self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        self._values.clear()
