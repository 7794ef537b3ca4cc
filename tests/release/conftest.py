"""Fixtures of the release tests; the world they build is in tests/release_world.py."""

from __future__ import annotations

import pytest
from release_world import make_target, new_release_repo

from orchestrator.engine.target import Target


@pytest.fixture
def release_repo(tmp_path):
    return new_release_repo(tmp_path / "repo")


@pytest.fixture
def dev(aws) -> Target:
    return make_target("dev")
