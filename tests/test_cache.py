"""The on-disk cache of the engine's store: reused, never stale, robust to damage and races.

The cache is written by a detached background process after the first answer
(`engine.start_cache_write`); the tests wait for it (`engine.wait_for_cache_writes`)
where they look at what it wrote. The project's graph is under
`engine.CACHE_MIN_BYTES` (it parses as fast as a cache opens), so the tests lower
the threshold to cache it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from defcoop import cache
from defcoop.query import engine
from defcoop.graph.files import default_sources, user_sources

pytestmark = pytest.mark.slow  # subprocesses, servers or builds: `pytest -m "not slow"` skips them

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PARTNERS = (
    "PREFIX dco: <https://w3id.org/defcoop/ontology#>\n"
    "SELECT ?x ?p WHERE { ?x a dco:StrategicPartnership ; dco:partner ?p }"
)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("DEFCOOP_CACHE_DIR", str(folder))
    monkeypatch.delenv("DEFCOOP_NO_CACHE", raising=False)
    monkeypatch.delenv("DEFCOOP_CACHE_WRITE", raising=False)
    monkeypatch.setattr(engine, "CACHE_MIN_BYTES", 0)
    engine.forget()
    yield folder
    engine.wait_for_cache_writes()
    engine.forget()


@pytest.fixture
def parses(monkeypatch):
    """How many times the engine parsed the sources (the real parser runs)."""
    calls = []
    real = engine._fill

    def counting(store, sources, **kw):
        calls.append(len(sources))
        return real(store, sources, **kw)

    monkeypatch.setattr(engine, "_fill", counting)
    return calls


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def answers(text, sources=None):
    engine.forget()  # as a new process would: nothing held in memory
    rows = sorted(tuple(map(str, r)) for r in engine.execute(text, sources).rows)
    engine.wait_for_cache_writes()
    return rows


def test_a_hit_gives_the_same_answers_without_parsing(cache_dir, parses):
    first = answers(PARTNERS)
    assert parses == [len(default_sources())]
    assert len(entries(cache_dir)) == 1
    second = answers(PARTNERS)
    assert parses == [len(default_sources())]  # not parsed again
    assert second == first and len(first) == 14
    assert answers(COUNT) == answers(COUNT)
    assert parses == [len(default_sources())]


def test_the_cache_survives_a_new_process(cache_dir):
    code = (
        "from defcoop.query import engine\n"
        "engine.CACHE_MIN_BYTES = 0\n"
        "real, calls = engine._fill, []\n"
        "engine._fill = lambda *a, **k: calls.append(1) or real(*a, **k)\n"
        f"r = engine.execute({COUNT!r})\n"
        "print(r.rows[0][0], len(calls))\n"
        "engine.wait_for_cache_writes()"
    )
    env = dict(os.environ, DEFCOOP_CACHE_DIR=str(cache_dir))
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    (count, first_parses), (count2, second_parses) = (r.stdout.split() for r in runs)
    assert count == count2 and (first_parses, second_parses) == ("1", "0")
    (entry,) = entries(cache_dir)
    assert cache.metadata(entry)["quads"] == 2 * int(count)  # named graphs + their merge


def test_editing_a_file_invalidates(cache_dir, tmp_path, parses):
    data = tmp_path / "data.ttl"
    data.write_text('<http://example.org/a> <http://example.org/p> "1" .\n')
    sources = user_sources([data])
    assert answers(COUNT, sources) == [("1",)]
    data.write_text(
        '<http://example.org/a> <http://example.org/p> "1" .\n'
        '<http://example.org/a> <http://example.org/p> "2" .\n'
    )
    assert answers(COUNT, sources) == [("2",)]
    assert len(parses) == 2
    assert len(entries(cache_dir)) == 2
    # the same content again is the same key: no parse
    data.write_text('<http://example.org/a> <http://example.org/p> "1" .\n')
    assert answers(COUNT, sources) == [("1",)]
    assert len(parses) == 2


def test_the_key_depends_on_content_not_time(tmp_path):
    data = tmp_path / "data.ttl"
    data.write_text('<http://example.org/a> <http://example.org/p> "1" .\n')
    sources = user_sources([data])
    key = engine.cache_key(sources)
    os.utime(data, (0, 0))
    assert engine.cache_key(sources) == key
    data.write_text('<http://example.org/a> <http://example.org/p> "2" .\n')
    assert engine.cache_key(sources) != key


def _store(entry: Path) -> Path:
    return entry / "store"


def _sst_files(entry: Path) -> list[Path]:
    return sorted(_store(entry).glob("*.sst"))


DAMAGE = {
    # a build that stopped before its marker was written
    "no-marker": lambda e: (e / cache.MARKER).unlink(),
    "garbage-marker": lambda e: (e / cache.MARKER).write_text("{not json"),
    "marker-of-another-key": lambda e: (e / cache.MARKER).write_text(json.dumps({"key": "x"})),
    "sst-deleted": lambda e: _sst_files(e)[-1].unlink(),
    "sst-truncated": lambda e: os.truncate(_sst_files(e)[-1], 100),
    "sst-zeroed": lambda e: [f.write_bytes(b"\0" * f.stat().st_size) for f in _sst_files(e)],
    "manifest-deleted": lambda e: [f.unlink() for f in _store(e).glob("MANIFEST-*")],
    "store-emptied": lambda e: (shutil.rmtree(_store(e)), _store(e).mkdir()),
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_entry_is_ignored_and_rebuilt(cache_dir, parses, kind):
    expected = answers(PARTNERS)
    (entry,) = entries(cache_dir)
    DAMAGE[kind](entry)
    assert answers(PARTNERS) == expected
    assert len(parses) == 2  # rebuilt
    (rebuilt,) = entries(cache_dir)
    assert cache.metadata(rebuilt)["key"] == rebuilt.name
    assert answers(PARTNERS) == expected
    assert len(parses) == 2  # and the rebuilt entry is used


def test_an_abandoned_build_folder_is_not_used_and_is_cleared(cache_dir, parses):
    key = engine.cache_key(default_sources())
    cache_dir.mkdir(parents=True)
    abandoned = cache_dir / f".build-{key[:16]}-crashed"
    abandoned.mkdir()
    (abandoned / "half").write_text("x")
    old = time.time() - cache.STALE_BUILD - 10
    os.utime(abandoned, (old, old))
    assert len(answers(COUNT)) == 1
    assert parses  # built afresh
    assert not abandoned.exists()


def test_two_processes_at_once(cache_dir):
    code = (
        "from defcoop.query import engine;"
        "engine.CACHE_MIN_BYTES = 0;"
        f"print(sorted(tuple(map(str, r)) for r in engine.execute({PARTNERS!r}).rows));"
        "engine.wait_for_cache_writes()"
    )
    env = dict(os.environ, DEFCOOP_CACHE_DIR=str(cache_dir))
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1] for o in outs]
    assert len({o[0] for o in outs}) == 1
    assert outs[0][0].strip() == str(answers(PARTNERS))
    assert len(entries(cache_dir)) == 1
    assert [p.name for p in cache_dir.iterdir() if p.name.startswith(".")] == []


def test_old_entries_are_pruned(cache_dir):
    def builder(folder):
        (folder / "payload").write_text("x")
        return {}

    old = time.time() - cache.GRACE - 100
    for i in range(cache.KEEP + 2):
        entry = cache.build(f"key{i}", builder)
        os.utime(entry / cache.MARKER, (old + i, old + i))
    newest = cache.build("newest", builder)
    kept = entries(cache_dir)
    assert len(kept) == cache.KEEP
    assert newest in kept
    assert cache_dir / "key0" not in kept  # the least recently used went first


def test_recently_used_entries_are_not_pruned(cache_dir):
    for i in range(cache.KEEP + 2):
        cache.build(f"key{i}", lambda folder: {})
    assert len(entries(cache_dir)) == cache.KEEP + 2  # all used within the grace period


def test_no_cache_writes_nothing(cache_dir, monkeypatch, parses):
    monkeypatch.setenv("DEFCOOP_NO_CACHE", "1")
    assert answers(COUNT) == answers(COUNT)
    assert len(parses) == 2
    assert not cache_dir.exists()


def test_where_the_cache_lives(monkeypatch, tmp_path):
    monkeypatch.delenv("DEFCOOP_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.directory() == tmp_path / "xdg" / "defcoop"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.directory() == tmp_path / "home" / ".cache" / "defcoop"
    monkeypatch.setenv("DEFCOOP_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.directory() == tmp_path / "mine"


def test_an_unwritable_cache_still_answers(tmp_path, monkeypatch, parses):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    monkeypatch.setenv("DEFCOOP_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(engine, "CACHE_MIN_BYTES", 0)
    engine.forget()
    assert len(answers(PARTNERS)) == 14


# ------------------------------------------------------------------ the background writer


def test_the_cache_is_written_by_a_background_process(cache_dir):
    engine.forget()
    first = sorted(tuple(map(str, r)) for r in engine.execute(PARTNERS).rows)
    (writer,) = engine._writers  # the answer came first; the writer is its own process
    assert writer.pid != os.getpid()
    engine.wait_for_cache_writes()
    assert writer.returncode == 0
    (entry,) = entries(cache_dir)
    assert cache.metadata(entry)["key"] == engine.cache_key(default_sources())
    assert answers(PARTNERS) == first
    assert [p.name for p in cache_dir.iterdir() if p.name.startswith(".")] == []  # claim released


def test_a_writer_killed_half_way_leaves_no_entry(cache_dir, parses):
    engine.forget()
    expected = sorted(tuple(map(str, r)) for r in engine.execute(PARTNERS).rows)
    (writer,) = engine._writers
    os.killpg(writer.pid, signal.SIGKILL)  # a crash (or a power cut) while writing
    engine.wait_for_cache_writes()
    assert writer.returncode == -signal.SIGKILL
    assert entries(cache_dir) == [] if cache_dir.exists() else True
    key = engine.cache_key(default_sources())
    assert cache.lookup(key) is None
    assert not cache.claimed(key)  # the dead writer's claim is void
    # the next run answers the same, from a parse, and its writer completes the entry
    assert answers(PARTNERS) == expected
    assert len(parses) == 2
    (entry,) = entries(cache_dir)
    assert cache.metadata(entry)["key"] == key
    assert answers(PARTNERS) == expected
    assert len(parses) == 2  # and it is used


def test_a_failing_writer_publishes_nothing(cache_dir, monkeypatch):
    def half_then_crash(folder, sources, data):
        (folder / "store").mkdir()
        (folder / "store" / "000001.sst").write_bytes(b"half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "_write_entry", half_then_crash)
    monkeypatch.setenv("DEFCOOP_CACHE_WRITE", "inline")
    with pytest.raises(RuntimeError):
        engine.execute(PARTNERS)
    assert not cache_dir.exists() or entries(cache_dir) == []
    assert [p.name for p in cache_dir.iterdir()] == []  # no build folder, no claim


def test_inline_writing_publishes_before_answering(cache_dir, monkeypatch):
    monkeypatch.setenv("DEFCOOP_CACHE_WRITE", "inline")
    engine.forget()
    engine.execute(COUNT)
    assert engine._writers == []
    (entry,) = entries(cache_dir)
    assert entry.name == engine.cache_key(default_sources())


def test_a_writer_publishes_only_the_content_of_its_key(cache_dir, tmp_path):
    data = tmp_path / "data.ttl"
    data.write_text('<http://example.org/a> <http://example.org/p> "1" .\n')
    sources = user_sources([data])
    key = engine.cache_key(sources)
    data.write_text('<http://example.org/a> <http://example.org/p> "2" .\n')  # edited meanwhile
    assert engine.write_cache(key, sources) is None
    assert not cache_dir.exists() or entries(cache_dir) == []
    assert engine.write_cache(engine.cache_key(sources), sources) is not None


def test_one_claim_per_key(cache_dir):
    assert not cache.claimed("k")
    assert cache.claim("k")
    assert cache.claimed("k")
    assert not cache.claim("k")  # held by a live process (this one)
    cache.release("k")
    assert not cache.claimed("k")
    (cache_dir / ".writing-k").write_text("999999999")  # a process that is gone
    assert not cache.claimed("k")
    assert cache.claim("k")
    cache.release("k")


def test_small_graphs_are_not_cached(tmp_path, monkeypatch):
    """Under CACHE_MIN_BYTES a parse is as fast as opening a cache: nothing is written."""
    monkeypatch.setenv("DEFCOOP_CACHE_DIR", str(tmp_path / "cache"))
    engine.forget()
    assert sum(p.path.stat().st_size for p in default_sources()) < engine.CACHE_MIN_BYTES
    assert len(engine.execute(PARTNERS).rows) == 14
    assert engine._writers == []
    assert not (tmp_path / "cache").exists()
