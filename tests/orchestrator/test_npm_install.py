"""adapters/npm.ensure_node_modules: `npm ci` only when there is something to install."""

from __future__ import annotations

import json

import pytest

from orchestrator.adapters.npm import ensure_node_modules
from orchestrator.errors import UserError


def _project(tmp_path, packages: dict):
    lock = {"name": "p", "version": "0.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}
    (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    return tmp_path


def test_a_project_without_dependencies_never_runs_npm(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))  # npm cannot be found: it must not be needed
    ensure_node_modules(_project(tmp_path, {"": {"name": "p"}}))
    assert not (tmp_path / "node_modules").exists()


def test_a_project_with_dependencies_runs_npm_ci(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    project = _project(tmp_path, {"": {"name": "p"}, "node_modules/left-pad": {"version": "1.3.0"}})
    with pytest.raises(UserError, match="npm is not installed"):
        ensure_node_modules(project)
