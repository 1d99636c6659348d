"""The package works installed from a wheel: ontology, data and queries travel with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # subprocesses, servers or builds: `pytest -m "not slow"` skips them

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-w", str(work / "dist"), "-q"],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr
    wheel = next((work / "dist").glob("defcoop-*.whl"))
    target = work / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel), "-q"],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr
    return target


def run_installed(target, *args):
    env = {k: v for k, v in os.environ.items() if k != "DEFCOOP_HOME"}
    env["PYTHONPATH"] = str(target)
    return subprocess.run(
        [sys.executable, "-c", "import sys; from defcoop.cli import main; main(sys.argv[1:])", *args],
        capture_output=True, text=True, cwd=target.parent, env=env, timeout=120,
    )


def test_wheel_carries_its_files(installed):
    project = installed / "defcoop" / "_project"
    assert (project / "ontology" / "defcoop.ttl").is_file()
    assert (project / "data" / "sources" / "kst-33279-29.txt").is_file()
    assert (project / "data" / "documents" / "kst-33279-29.ttl").is_file()
    assert (project / "queries").is_dir()


def test_installed_info_reads_the_packaged_files(installed):
    out = run_installed(installed, "info", "--json")
    assert out.returncode == 0, out.stderr
    files = [f["path"] for f in json.loads(out.stdout)["files"]]
    assert files and all(str(installed) in f for f in files)
