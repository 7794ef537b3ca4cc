"""A crash at every step boundary, then the same command again: it resumes and ends exactly
where an uninterrupted release ends — same objects, same manifest, same tags, one version."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import time
from pathlib import Path

import forked
import pytest
from release_world import make_target, new_release_repo, objects

from orchestrator.engine.lease import TTL_ENV
from orchestrator.engine.runner import CRASH_ENV

RUNNER = Path(__file__).with_name("run_release.py")
STEPS = ["build-widget", "upload-widget", "publish-widget", "move-channels", "invalidate", "smoke", "record"]


def run(repo, tgt, crash: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    # A killed run's lease is never taken over while it lasts (not even on the same host): it
    # frees itself when it expires, as its holder no longer renews it. A 1 s lease keeps this quick.
    env[TTL_ENV] = "1"
    if crash:
        env[CRASH_ENV] = crash
    return forked.run(
        RUNNER, [str(repo.path), json.dumps(dataclasses.asdict(tgt)), "widget"], env, timeout=180
    )


def end_state(repo, tgt) -> dict:
    """What a release leaves behind, minus what differs between two worlds (shas, times, ids)."""
    manifest = json.dumps(repo.manifest(), sort_keys=True)
    manifest = re.sub(r'"(git_sha|at|date|plan_hash|id)": "[^"]*"', r'"\1": "…"', manifest)
    manifest = re.sub(r"\(\w{7}\)", "(sha)", manifest)
    artifacts = {
        k: v for k, v in objects(tgt.artifact_bucket).items() if not k.startswith(("journal/", "locks/"))
    }
    return {
        "widget bucket": objects(tgt.widget_bucket),
        "artifact bucket": artifacts,
        "manifest": json.loads(manifest),
        "changelog": re.sub(r"\(\w{7}\)", "(sha)", (repo.path / "CHANGELOG.md").read_text()),
        "tags": repo.tags(),
        "commits": len(list(repo.git.iter_commits())),
        "dirty": repo.git.is_dirty(untracked_files=True),
    }


@pytest.fixture(scope="module")
def reference(embedded, tmp_path_factory):
    """The same release, never interrupted, in a fresh world of its own."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in embedded.env.items():
            mp.setenv(key, value)
        embedded.reset()
        repo = new_release_repo(tmp_path_factory.mktemp("reference") / "repo")
        tgt = make_target("dev")
        result = run(repo, tgt)
        assert result.returncode == 0, result.stderr
        return end_state(repo, tgt)


@pytest.mark.parametrize("when", ["applied", "journaled"])
@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_any_step_boundary_resumes_to_the_uninterrupted_end_state(
    reference, release_repo, dev, step, when
):
    crashed = run(release_repo, dev, crash=f"{when}:{step}")
    assert crashed.returncode == 137, crashed.stderr
    time.sleep(1.2)  # the dead run's lease expires (tests/release/test_lease.py: never before)
    resumed = run(release_repo, dev)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["resumed"] is True
    assert end_state(release_repo, dev) == reference
    again = run(release_repo, dev)
    assert json.loads(again.stdout) == {"resumed": False, "id": None}, "a third run has nothing to do"
