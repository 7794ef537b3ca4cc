"""The layer contracts (`lint-imports`, pyproject.toml) hold, and break on a wrong import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from orchestrator.paths import ROOT

LINT_IMPORTS = [
    sys.executable,
    "-c",
    "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
]


def _lint(src_root, cwd) -> subprocess.CompletedProcess:
    """lint-imports over the packages under `src_root` (first on the path, so a scratch copy wins)."""
    paths = [str(src_root / "orchestrator" / "src"), str(src_root / "backend" / "src")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    return subprocess.run(LINT_IMPORTS, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_layers_hold():
    done = _lint(ROOT / "packages", ROOT)
    assert done.returncode == 0, done.stdout[-3000:]


def test_a_core_module_importing_boto3_breaks_the_core_contract(tmp_path):
    scratch = tmp_path / "packages"
    for package in ("orchestrator", "backend"):
        shutil.copytree(ROOT / "packages" / package / "src", scratch / package / "src")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    versioning = scratch / "orchestrator" / "src" / "orchestrator" / "core" / "versioning.py"
    versioning.write_text(versioning.read_text() + "\nimport boto3  # noqa\n")

    done = _lint(scratch, tmp_path)

    assert done.returncode != 0
    assert "orchestrator.core.versioning -> boto3" in done.stdout
