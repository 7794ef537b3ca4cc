"""A release whose push failed never blocks the environment: a real bare remote gains a commit
while the release runs, so the final atomic push is refused. The rerun — on the same runner, or
on a fresh clone after the first runner died — rebuilds the release commit on top of the new
main and pushes it with its tags; or `--abandon` closes the journal and the next release runs."""

from __future__ import annotations

import git
import pytest

from orchestrator.engine import journal as journals
from orchestrator.errors import UserError
from orchestrator.release import release

REQ = release.Request(env="dev", component="widget", push=True)


@pytest.fixture
def origin(release_repo, tmp_path) -> git.Repo:
    bare = git.Repo.init(tmp_path / "origin.git", bare=True, initial_branch="main")
    release_repo.git.create_remote("origin", str(bare.working_dir))
    release_repo.git.git.push("-u", "origin", "main")
    return bare


def _clone(origin: git.Repo, where) -> git.Repo:
    clone = git.Repo.clone_from(origin.working_dir, where)
    with clone.config_writer() as cw:
        cw.set_value("user", "name", "Other Dev")
        cw.set_value("user", "email", "other@example.com")
    return clone


def _someone_pushes(origin: git.Repo, where) -> str:
    other = _clone(origin, where)
    (where / "NOTES.md").write_text("a note that landed on main mid-release\n")
    other.index.add(["NOTES.md"])
    sha = other.index.commit("docs: notes").hexsha
    other.git.push("origin", "main")
    return sha


def _release_refused_at_push(release_repo, dev, origin, tmp_path) -> str:
    """Run the release; main moves just before its push, which is refused. Returns the foreign sha."""
    moved = []

    def on_event(event):
        if event.step == "push" and event.state == "running" and not moved:
            moved.append(_someone_pushes(origin, tmp_path / "someone"))

    with pytest.raises(UserError, match="push to origin was refused"):
        release.run(release_repo.path, REQ, tgt=dev, on_event=on_event, echo=lambda s: None)
    (stuck,) = journals.unfinished(dev.artifact_bucket, "dev")
    assert stuck.is_done("record") and not stuck.is_done("push")
    return moved[0]


@pytest.mark.parametrize("where", ["same runner", "fresh clone"])
def test_the_rerun_rebuilds_the_release_commit_on_the_moved_main_and_pushes_it(
    release_repo, dev, origin, tmp_path, where
):
    foreign = _release_refused_at_push(release_repo, dev, origin, tmp_path)
    root = release_repo.path if where == "same runner" else _clone(origin, tmp_path / "runner2").working_dir
    outcome = release.run(root, REQ, tgt=dev, echo=lambda s: None)
    assert outcome.resumed and outcome.journal.status == "done"
    head = origin.commit("main")
    assert head.message.startswith("chore(release): widget 1.0.0")
    assert head.parents[0].hexsha == foreign  # on top of the commit that moved main
    assert origin.tags["widget/v1.0.0"].commit.hexsha == head.hexsha
    tree = {b.path for b in head.tree.traverse()}
    assert {"NOTES.md", "CHANGELOG.md", "releases/manifest.json"} <= tree
    changelog = head.tree["CHANGELOG.md"].data_stream.read().decode()
    assert "## widget 1.0.0 " in changelog
    manifest = head.tree["releases/manifest.json"].data_stream.read().decode()
    assert outcome.journal.id in manifest and '"latest": "1.0.0"' in manifest
    assert not journals.unfinished(dev.artifact_bucket, "dev")


def test_abandon_closes_the_journal_with_its_reason_and_the_next_release_runs(
    release_repo, dev, origin, tmp_path
):
    _release_refused_at_push(release_repo, dev, origin, tmp_path)
    (stuck,) = journals.unfinished(dev.artifact_bucket, "dev")
    with pytest.raises(UserError, match="needs a --reason"):
        release.abandon(release_repo.path, "dev", stuck.id, "", tgt=dev)
    closed = release.abandon(release_repo.path, "dev", stuck.id, "main moved; releasing again", tgt=dev)
    assert closed["live_channels"] == {"latest": "1.0.0", "stable": "1.0.0"}
    saved = journals.load(dev.artifact_bucket, "dev", stuck.id)
    assert saved.status == "abandoned" and saved.abandoned["reason"] == "main moved; releasing again"
    assert not journals.unfinished(dev.artifact_bucket, "dev")
    fresh = _clone(origin, tmp_path / "runner2")
    outcome = release.run(fresh.working_dir, REQ, tgt=dev, echo=lambda s: None)
    assert outcome.journal is not None and outcome.journal.status == "done" and not outcome.resumed
    assert origin.tags["widget/v1.0.0"].commit.hexsha == origin.commit("main").hexsha
