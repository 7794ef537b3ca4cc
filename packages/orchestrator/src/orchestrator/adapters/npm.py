"""npm in widget/: install exactly the lock file when node_modules is missing or stale."""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import tempfile
from pathlib import Path

from orchestrator.errors import UserError
from orchestrator.paths import WIDGET


def ensure_node_modules(project: Path = WIDGET) -> None:
    """Run `npm ci` when node_modules does not match package-lock.json (checked by digest)."""
    lock = project / "package-lock.json"
    if not lock.exists():
        raise UserError(f"{lock} is missing", "run `npm install` in widget/ and commit the lock file")
    if _has_no_dependencies(lock):
        return  # nothing to install: `npm ci` would only cost ~0.5 s of node start-up
    stamp = project / "node_modules" / ".inv-lock-sha256"
    want = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return
    # Parallel test workers (pytest-xdist) and commands may ask at once: one `npm ci` at a time,
    # and the others find it done once they get the lock.
    # The lock file lives outside the tree: npm ci empties node_modules, and the tree stays clean.
    guard_path = (
        Path(tempfile.gettempdir())
        / f"inv-npm-{hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:16]}.lock"
    )
    with open(guard_path, "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == want:
            return
        try:
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=project, check=True)
        except FileNotFoundError as exc:
            raise UserError("npm is not installed", "install Node 20 with npm") from exc
        stamp.parent.mkdir(exist_ok=True)  # a project without dependencies gets no node_modules
        stamp.write_text(want)


def _has_no_dependencies(lock: Path) -> bool:
    """True when package-lock.json lists no package but the project itself."""
    import json

    try:
        packages = json.loads(lock.read_text()).get("packages", {})
    except ValueError:
        return False  # let `npm ci` say what is wrong with it
    return set(packages) <= {""}


def run_script(script: str, *args: str, project: Path = WIDGET, env: dict | None = None) -> None:
    ensure_node_modules(project)
    cmd = ["npm", "run", "--silent", script]
    if args:
        cmd += ["--", *args]
    subprocess.run(cmd, cwd=project, check=True, env=env)
