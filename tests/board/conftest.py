"""Fixtures of the board tests; the world they build is in board_world.py."""

from __future__ import annotations

import board_world
import pytest
from release_world import world

from orchestrator.release import release

# the release tests' fixtures, for this folder too
release_repo = board_world.release_repo
dev = board_world.dev


@pytest.fixture
def released(release_repo, dev):
    """dev after one widget release (1.0.0 on latest and stable)."""

    def build(repo, tgt):
        release.run(repo.path, board_world.REQ, tgt=tgt, echo=lambda s: None)

    return world("one release", release_repo, dev, build), dev
