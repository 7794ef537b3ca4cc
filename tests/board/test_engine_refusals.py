"""Every widget-side command that changes an environment is refused, naming the holder (exit 2),
while another process holds the environment's lease — and changes nothing."""

from __future__ import annotations

import pytest
from board_world import REQ, deploy_edge, held_elsewhere
from release_world import objects

from orchestrator.release import release


@pytest.fixture
def released_dev(release_repo, aws):
    tgt = deploy_edge("dev")
    release.run(release_repo.path, REQ, tgt=tgt, echo=lambda s: None)
    return release_repo, tgt


@pytest.mark.parametrize(
    "args",
    [
        ["set-channel", "canary", "1.0.0", "--env", "dev", "--yes"],
        ["rollback-widget", "--env", "dev", "--to", "1.0.0", "--channel", "beta", "--yes"],
        ["yank", "1.0.0", "--reason", "broken", "--yes"],
        ["reconcile", "dev", "--yes"],
        ["release", "--env", "dev", "--component", "widget", "--yes", "--bump", "patch"],
    ],
    ids=lambda a: a[0],
)
def test_refused_with_the_holder_while_another_holds_dev(released_dev, args):
    repo, tgt = released_dev
    before = (objects(tgt.widget_bucket), repo.git.head.commit.hexsha)
    held_elsewhere(tgt.artifact_bucket, "dev", "bob")
    refused = repo.inv(*args)
    assert refused.returncode == 2, refused.stderr
    assert "dev is locked by bob (release, pid 4242 on ci-runner-7)" in refused.stderr
    assert (objects(tgt.widget_bucket), repo.git.head.commit.hexsha) == before


def test_yank_dry_run_and_json(released_dev):
    repo, _ = released_dev
    dry = repo.inv("yank", "1.0.0", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert '"still_served_by": [' in dry.stdout and '"yanked": false' in dry.stdout
    done = repo.inv("yank", "1.0.0", "--reason", "broken", "--yes", "--json")
    assert done.returncode == 0, done.stderr
    event = repo.manifest()["events"][-1]
    assert (event["action"], event["version"], event["details"]["reason"]) == ("yank", "1.0.0", "broken")
    assert repo.manifest()["components"]["widget"]["yanked"]["1.0.0"]["reason"] == "broken"
