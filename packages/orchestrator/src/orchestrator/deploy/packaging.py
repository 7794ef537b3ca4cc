"""Packaging the Lambdas: one deterministic zip per function, keyed by content.

Each zip holds the `backend` package and its third-party runtime dependencies installed for the
Lambda platform (Python 3.12, manylinux2014 wheels, x86_64 or arm64) from the hash-pinned
`packages/backend/requirements.lock`. boto3 is in the Lambda runtime and is not shipped.
Fixed timestamps, sorted entries and fixed permissions make the same inputs give the same bytes,
so an unchanged backend means an unchanged S3 key and no Lambda update. The installed
dependencies are cached under `build/.cache/backend-deps/<digest>` (lock + platform), so only
the first build downloads anything.

A build is also keyed by the digest of its inputs (the dependency set, and every source file's
name, mode and bytes): when `<out_dir>/.inputs` names the same digest and the zips still match
their `.sha256`, nothing is re-compressed. A no-op deploy then costs a hash of the sources, not
a zip of thousands of files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestrator.errors import UserError
from orchestrator.paths import BACKEND, ROOT

LOCK = BACKEND / "requirements.lock"
SOURCE = BACKEND / "src" / "backend"
CACHE = ROOT / "build" / ".cache" / "backend-deps"
PYTHON_VERSION = "3.12"
ARCHITECTURES = {"x86_64": "x86_64-manylinux2014", "arm64": "aarch64-manylinux2014"}
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
ZIP_FORMAT = "1"  # bump when write_zip's output changes for the same inputs
SKIP_DIRS = {"__pycache__", "bin"}
SKIP_SUFFIXES = (".pyc", ".pyo")


@dataclass(frozen=True)
class PackagedFunction:
    name: str
    path: Path
    sha256: str
    handler: str = ""


def deps_digest(arch: str, lock: Path = LOCK) -> str:
    h = hashlib.sha256()
    h.update(lock.read_bytes())
    h.update(f"\0{ARCHITECTURES[arch]}\0{PYTHON_VERSION}".encode())
    return h.hexdigest()[:16]


def install_deps(arch: str, echo: Callable[[str], None] = print, lock: Path = LOCK) -> Path:
    """Install the locked runtime deps for Lambda into the cache (once per lock digest)."""
    if arch not in ARCHITECTURES:
        raise UserError(f"unknown architecture {arch!r}", f"choose one of: {', '.join(ARCHITECTURES)}")
    target = CACHE / f"{arch}-{deps_digest(arch, lock)}"
    if (target / ".complete").exists():
        echo(f"deps: cached {target.relative_to(ROOT)}")
        return target
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    cmd = [uv, "pip"] if uv else [sys.executable, "-m", "uv", "pip"]
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")  # private: builds may run at once
    shutil.rmtree(partial, ignore_errors=True)
    echo(f"deps: installing {lock.relative_to(ROOT)} for Python {PYTHON_VERSION} {ARCHITECTURES[arch]}")
    proc = subprocess.run(
        [
            *cmd,
            "install",
            "--quiet",
            "--target",
            str(partial),
            "--python-platform",
            ARCHITECTURES[arch],
            "--python-version",
            PYTHON_VERSION,
            "--only-binary",
            ":all:",
            "--require-hashes",
            "--no-deps",
            "-r",
            str(lock),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise UserError(
            "installing the backend's Lambda dependencies failed: "
            + (proc.stderr.strip().splitlines() or ["?"])[-1],
            "check the network to PyPI, or refresh the lock with "
            "`uv pip compile packages/backend/requirements.in --generate-hashes --python-version 3.12 --universal "
            "-o packages/backend/requirements.lock`",
        )
    (partial / ".complete").write_text(deps_digest(arch, lock))
    try:
        partial.rename(target)
    except OSError:  # another build finished first with the same digest: same content, keep it
        shutil.rmtree(partial, ignore_errors=True)
    return target


def _files(root: Path, prefix: str = "") -> list[tuple[str, Path]]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in filenames:
            if name.endswith(SKIP_SUFFIXES) or name in (".complete", ".lock"):
                continue
            path = Path(dirpath) / name
            out.append((prefix + path.relative_to(root).as_posix(), path))
    return out


def _temp_beside(path: Path) -> Path:
    """A private temp name in the same folder: concurrent builds never see a half-written file."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def write_zip(entries: list[tuple[str, Path]], out: Path) -> str:
    """Write a zip with sorted entries, a fixed timestamp and fixed permissions; return its sha256."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_beside(out)
    with zipfile.ZipFile(tmp, "w") as zf:
        for arcname, path in sorted(entries):
            info = zipfile.ZipInfo(arcname, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100755 if os.access(path, os.X_OK) else 0o100644) << 16
            info.create_system = 3  # unix, so the permissions above are honoured
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(out)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def package_backend(
    out_dir: Path,
    *,
    arch: str | None = None,
    deps_dir: Path | None = None,
    echo: Callable[[str], None] = print,
) -> dict[str, PackagedFunction]:
    """Build `<out_dir>/<function>.zip` and `<function>.zip.sha256` for every Lambda function."""
    from backend.functions import FUNCTIONS

    arch = arch or os.environ.get("BACKEND_ARCH", "x86_64")
    deps = deps_dir if deps_dir is not None else install_deps(arch, echo)
    out_dir = Path(out_dir)
    source = _files(SOURCE, "backend/")
    key = inputs_digest(deps, source)
    reused = _reuse(out_dir, key, FUNCTIONS)
    if reused is not None:
        echo(
            f"backend: unchanged inputs {key[:16]}…, zips reused (sha256 {next(iter(reused.values())).sha256[:16]}…)"
        )
        return reused
    entries = _files(deps) + source
    packaged, first = {}, None
    # Every function ships the same code today (one handler module each, shared package), so the
    # zip is built once and copied: same bytes, same digest, a quarter of the time.
    for name, handler in sorted(FUNCTIONS.items()):
        path = out_dir / f"{name}.zip"
        if first is None:
            digest, first = write_zip(entries, path), path
        else:
            tmp = _temp_beside(path)
            shutil.copyfile(first, tmp)
            tmp.replace(path)
        sums = _temp_beside(path)
        sums.write_text(f"{digest}  {path.name}\n")
        sums.replace(path.with_name(path.name + ".sha256"))
        packaged[name] = PackagedFunction(name=name, path=path, sha256=digest, handler=handler)
        echo(
            f"{name}: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  sha256 {digest[:16]}…"
        )
    stamp = _temp_beside(out_dir / ".inputs")
    stamp.write_text(key + "\n")
    stamp.replace(out_dir / ".inputs")
    return packaged


def inputs_digest(deps: Path, source: list[tuple[str, Path]]) -> str:
    """What a build's bytes depend on. The deps folder is named by its own digest when it comes
    from the cache (`install_deps`); another folder (tests) is hashed file by file."""
    h = hashlib.sha256(f"zip-format {ZIP_FORMAT}\0".encode())
    complete = deps / ".complete"
    deps_files = [] if complete.exists() else _files(deps)
    h.update(f"deps {deps.name} {complete.read_text() if complete.exists() else ''}\0".encode())
    for arcname, path in sorted(deps_files + source):
        mode = "755" if os.access(path, os.X_OK) else "644"
        h.update(f"{arcname}\0{mode}\0".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _reuse(out_dir: Path, key: str, functions: dict[str, str]) -> dict[str, PackagedFunction] | None:
    """The zips of an earlier build with the same inputs, if every one is still intact."""
    stamp = out_dir / ".inputs"
    if not stamp.exists() or stamp.read_text().strip() != key:
        return None
    found = {}
    for name, handler in sorted(functions.items()):
        path, sums = out_dir / f"{name}.zip", out_dir / f"{name}.zip.sha256"
        if not path.exists() or not sums.exists():
            return None
        digest = sums.read_text().split()[0]
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return None  # edited or truncated since: rebuild
        found[name] = PackagedFunction(name=name, path=path, sha256=digest, handler=handler)
    return found
