"""Real git repositories in temp folders, shaped like the monorepo."""

from __future__ import annotations

import shutil

import pytest
from gitrepo import MONOREPO, Repo


@pytest.fixture
def repo(tmp_path) -> Repo:
    r = Repo(tmp_path / "repo")
    (r.path / "releases").mkdir(parents=True)
    shutil.copy(MONOREPO / "releases/components.toml", r.path / "releases/components.toml")
    r.commit("chore: start", "releases/components.toml", (MONOREPO / "releases/components.toml").read_text())
    r.commit("feat: widget skeleton", "widget/src/app.js")
    r.commit("feat: backend skeleton", "packages/backend/src/backend/app.py")
    return r
