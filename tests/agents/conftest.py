"""The agent tests' world: a temp git repo holding infra/agents/ as the monorepo does, and dev's target."""

from __future__ import annotations

import shutil

import pytest
from gitrepo import MONOREPO, Repo

from orchestrator.adapters import bedrock_agent
from orchestrator.local import sandbox


@pytest.fixture
def agent_repo(tmp_path) -> Repo:
    repo = Repo(tmp_path / "repo")
    shutil.copytree(MONOREPO / "infra/agents", repo.path / "infra/agents")
    (repo.path / "releases").mkdir()
    repo.git.index.add(["infra/agents"])
    repo.git.index.commit("feat(agents): the booking agent")
    return repo


@pytest.fixture
def dev(aws):
    bedrock_agent._client_for.cache_clear()
    return sandbox.bare_environment("dev")
