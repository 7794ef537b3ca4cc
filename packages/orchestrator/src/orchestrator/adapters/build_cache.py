"""The widget builds this machine already made, kept by the digest of their inputs.

A release builds the widget once per version, but the same sources are built again and again
on one machine: `inv local-dev` on every start, `inv rehearse` in its throwaway clone, the test
suite in each of its temporary repositories. The build is deterministic (byte-identical for the
same sources — its debug IDs are content hashes), so a build whose inputs were already built is
copied from here instead of run again. Like the Lambda packages (deploy/packaging.py), nothing
is trusted by name: the key is a digest of everything the build reads.

The inputs: every file under the project except build/ and node_modules/ (node_modules is
fixed by package-lock.json, which is one of those files), the version, the environment variables
a build may read (`WIDGET_*`, `VITE_*`, `MINI_WIDGET_*` — the build contract in widget/README.md),
the Node version and the machine. A cache that is not there (a fresh CI runner) only builds.

`BOOKINGCHAT_BUILD_CACHE=0` turns it off; it lives in `BOOKINGCHAT_BUILD_CACHE_DIR`, else
`$XDG_CACHE_HOME/bookingchat/widget-builds` (~/.cache by default).
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

ENV_PREFIXES = ("WIDGET_", "VITE_", "MINI_WIDGET_")
SKIP_DIRS = {"build", "node_modules"}
KEEP = 40  # entries; the oldest go first (a real widget build is ~3 MB with its source maps)


def enabled(env: dict[str, str]) -> bool:
    return env.get("BOOKINGCHAT_BUILD_CACHE", "1") != "0"


def root(env: dict[str, str]) -> Path:
    if env.get("BOOKINGCHAT_BUILD_CACHE_DIR"):
        return Path(env["BOOKINGCHAT_BUILD_CACHE_DIR"])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bookingchat" / "widget-builds"


def key(project: Path, env: dict[str, str]) -> str:
    """The digest of everything the build reads (see the module's docstring)."""
    h = hashlib.sha256()
    for path in _inputs(project):
        h.update(path.relative_to(project).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    for name in sorted(n for n in env if n.startswith(ENV_PREFIXES)):
        h.update(f"env {name}={env[name]}\0".encode())
    h.update(f"node {_node_version()}\0{platform.system()} {platform.machine()}".encode())
    return h.hexdigest()


def restore(project: Path, digest: str, env: dict[str, str]) -> bool:
    """Put the cached build of these inputs in project/build; False when there is none."""
    entry = root(env) / digest
    if not entry.is_dir():
        return False
    build = project / "build"
    shutil.rmtree(build, ignore_errors=True)
    try:
        shutil.copytree(entry, build)
        os.utime(entry)  # recently used: pruned last
    except OSError:  # pruned by another process meanwhile: build instead
        shutil.rmtree(build, ignore_errors=True)
        return False
    return True


def store(project: Path, digest: str, env: dict[str, str]) -> None:
    """Keep project/build under its digest. Written aside and renamed: a reader never sees half
    of an entry, and two processes storing the same build at once leave one."""
    cache = root(env)
    cache.mkdir(parents=True, exist_ok=True)
    entry = cache / digest
    if entry.exists():
        return
    staging = Path(tempfile.mkdtemp(dir=cache, prefix=".staging-"))
    try:
        shutil.copytree(project / "build", staging, dirs_exist_ok=True)
        os.rename(staging, entry)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another process stored it first: keep theirs
        return
    _prune(cache)


def _inputs(project: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(project):
        dirnames[:] = sorted(d for d in dirnames if not (Path(dirpath) == project and d in SKIP_DIRS))
        files += [Path(dirpath) / f for f in sorted(filenames)]
    return files


@functools.cache
def _node_version() -> str:
    try:
        return subprocess.run(
            ["node", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "none"


def _prune(cache: Path) -> None:
    entries = sorted(
        (p for p in cache.iterdir() if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime
    )
    for old in entries[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
