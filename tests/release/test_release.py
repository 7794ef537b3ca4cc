"""`inv release` against the embedded AWS: real S3 and CloudFront APIs, real git, real npm build."""

from __future__ import annotations

import json

import boto3
import pytest
from release_world import invalidated_paths, objects

from orchestrator.adapters import cdn
from orchestrator.engine import lease as lock
from orchestrator.errors import UserError
from orchestrator.release import release

REQ = release.Request(env="dev", component="widget")


def test_first_release_publishes_an_immutable_version_moves_latest_and_stable_and_records_it(
    release_repo, dev
):
    outcome = release.run(release_repo.path, REQ, tgt=dev)
    assert outcome.journal.status == "done"
    published = objects(dev.widget_bucket)
    version_files = {k: v for k, v in published.items() if k.startswith("v1.0.0/")}
    assert sorted(version_files) == [
        "v1.0.0/build-info.json",
        "v1.0.0/chat-widget.app.js",
        "v1.0.0/chat-widget.js",
        "v1.0.0/chat-widget.umd.js",
    ]
    assert all(v["cache"] == "public, max-age=31536000, immutable" for v in version_files.values())
    assert published["v1.0.0/chat-widget.js"]["type"] == "text/javascript; charset=utf-8"
    for channel in ("latest", "stable"):
        pointer = published[f"{channel}/chat-widget.js"]
        assert (pointer["version"], pointer["cache"]) == ("1.0.0", "public, max-age=300")
        assert pointer["sha256"] == published["v1.0.0/chat-widget.js"]["sha256"]
    assert invalidated_paths(dev.distribution_id) == [["/latest/chat-widget.js", "/stable/chat-widget.js"]]
    manifest = release_repo.manifest()
    assert manifest["environments"]["dev"]["channels"] == {"latest": "1.0.0", "stable": "1.0.0"}
    artifacts = manifest["components"]["widget"]["releases"]["1.0.0"]["artifacts"]
    assert artifacts["chat-widget.js"]["sha256"] == published["v1.0.0/chat-widget.js"]["sha256"]
    assert artifacts["chat-widget.js"]["sha384"].startswith("sha384-")
    assert manifest["events"][-1]["action"] == "release"
    assert manifest["events"][-1]["plan_hash"] == outcome.journal.plan_hash
    assert release_repo.tags() == ["widget/v1.0.0"]
    assert not release_repo.git.is_dirty(untracked_files=True)


def test_a_second_release_adds_a_version_and_leaves_the_first_untouched(release_repo, dev):
    release.run(release_repo.path, REQ, tgt=dev)
    before = {k: v for k, v in objects(dev.widget_bucket).items() if k.startswith("v1.0.0/")}
    release_repo.commit("feat: quick replies", "widget/src/app.js", "console.log('quick replies');\n")
    release.run(release_repo.path, REQ, tgt=dev)
    after = objects(dev.widget_bucket)
    assert {k: v for k, v in after.items() if k.startswith("v1.0.0/")} == before
    assert after["latest/chat-widget.js"]["version"] == "1.1.0"
    assert release_repo.tags() == ["widget/v1.0.0", "widget/v1.1.0"]


def test_rerunning_a_finished_release_changes_nothing(release_repo, dev):
    release.run(release_repo.path, REQ, tgt=dev)
    state = objects(dev.widget_bucket), objects(dev.artifact_bucket), release_repo.git.head.commit.hexsha
    outcome = release.run(release_repo.path, REQ, tgt=dev)
    assert outcome.journal is None
    assert (
        objects(dev.widget_bucket),
        objects(dev.artifact_bucket),
        release_repo.git.head.commit.hexsha,
    ) == state
    assert len(invalidated_paths(dev.distribution_id)) == 1


def test_a_beta_release_moves_only_the_beta_channel(release_repo, dev):
    release.run(release_repo.path, REQ, tgt=dev)
    release_repo.commit("feat: cards", "widget/src/app.js", "console.log('cards');\n")
    release.run(release_repo.path, release.Request(env="dev", component="widget", channel="beta"), tgt=dev)
    published = objects(dev.widget_bucket)
    assert published["beta/chat-widget.js"]["version"] == "1.1.0-beta.1"
    assert published["latest/chat-widget.js"]["version"] == "1.0.0"
    assert invalidated_paths(dev.distribution_id)[-1] in (
        ["/beta/chat-widget.js"],
        ["/latest/chat-widget.js", "/stable/chat-widget.js"],
    )
    assert ["/beta/chat-widget.js"] in invalidated_paths(dev.distribution_id)


def test_a_second_release_while_the_lock_is_held_is_refused_naming_the_holder(release_repo, dev):
    lock.acquire(dev.artifact_bucket, "dev", "ana@example.com", "promote")
    lease = lock.read(dev.artifact_bucket, "dev")
    assert lease is not None
    # Held by a live process (this one) — a second release must be refused.
    with pytest.raises(UserError, match=r"dev is locked by ana@example.com \(promote"):
        release.run(release_repo.path, REQ, tgt=dev)
    assert objects(dev.widget_bucket) == {}


def test_an_existing_version_directory_with_other_bytes_is_never_overwritten(release_repo, dev):
    boto3.client("s3").put_object(
        Bucket=dev.widget_bucket, Key="v1.0.0/chat-widget.js", Body=b"x", Metadata={"sha256": "other"}
    )
    with pytest.raises(UserError, match="exists with different bytes"):
        release.run(release_repo.path, REQ, tgt=dev)
    assert cdn.get_bytes(dev.widget_bucket, "v1.0.0/chat-widget.js") == b"x"
    assert "latest/chat-widget.js" not in objects(dev.widget_bucket), "no channel moved"
    assert release_repo.tags() == []


def test_the_dry_run_plan_needs_no_aws_and_lists_the_steps(release_repo):
    plan = release.plan(release_repo.path, REQ)
    assert plan["components"]["widget"]["version"] == "1.0.0"
    assert plan["channels"] == {"latest": "1.0.0", "stable": "1.0.0"}
    assert plan["steps"] == [
        "build-widget",
        "upload-widget",
        "publish-widget",
        "move-channels",
        "invalidate",
        "smoke",
        "record",
    ]
    assert json.loads(json.dumps(plan)) == plan
