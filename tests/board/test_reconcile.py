"""`./inv reconcile ENV`: drifted pointers back to the manifest, one invalidation of exactly those paths."""

from __future__ import annotations

import boto3
import pytest
from board_world import held_elsewhere, inject_drift
from release_world import invalidated_paths

from orchestrator.board import reconcile, status
from orchestrator.engine import lease as lock
from orchestrator.errors import UserError


def test_reconcile_restores_drifted_pointers_with_one_invalidation_and_records_it(released):
    repo, dev = released
    inject_drift(dev)
    before = invalidated_paths(dev.distribution_id)
    result = reconcile.run(repo.path, "dev", tgt=dev, echo=lambda s: None)
    assert result.moves == {"latest": "1.0.0", "stable": "1.0.0"}
    assert invalidated_paths(dev.distribution_id) == [
        *before,
        ["/latest/chat-widget.js", "/stable/chat-widget.js"],
    ]
    (row,) = status.collect(repo.path, ["dev"], resolve=lambda env: dev)
    assert [d.name for d in row.drift] == ["canary"]  # unknown to the manifest: reported, left alone
    served = (
        boto3.client("s3").get_object(Bucket=dev.widget_bucket, Key="latest/chat-widget.js")["Body"].read()
    )
    loader = (
        boto3.client("s3").get_object(Bucket=dev.widget_bucket, Key="v1.0.0/chat-widget.js")["Body"].read()
    )
    assert served == loader
    event = repo.manifest()["events"][-1]
    assert event["action"] == "reconcile" and event["details"]["restored"] == result.moves
    assert not repo.git.is_dirty()
    assert lock.read(dev.artifact_bucket, "dev") is None


def test_reconcile_dry_run_changes_nothing(released):
    repo, dev = released
    inject_drift(dev)
    head = repo.git.head.commit.hexsha
    before = invalidated_paths(dev.distribution_id)
    result = reconcile.run(repo.path, "dev", dry_run=True, tgt=dev)
    assert result.moves == {"latest": "1.0.0", "stable": "1.0.0"} and not result.applied
    assert invalidated_paths(dev.distribution_id) == before
    assert boto3.client("s3").list_objects_v2(Bucket=dev.widget_bucket, Prefix="stable/")["KeyCount"] == 0
    assert repo.git.head.commit.hexsha == head


def test_reconcile_with_nothing_drifted_neither_invalidates_nor_commits(released):
    repo, dev = released
    head, before = repo.git.head.commit.hexsha, invalidated_paths(dev.distribution_id)
    assert reconcile.run(repo.path, "dev", tgt=dev).moves == {}
    assert invalidated_paths(dev.distribution_id) == before and repo.git.head.commit.hexsha == head


def test_reconcile_refuses_while_another_process_holds_the_lock(released):
    repo, dev = released
    inject_drift(dev)
    held_elsewhere(dev.artifact_bucket, "dev", "bob")
    with pytest.raises(UserError, match="dev is locked by bob"):
        reconcile.run(repo.path, "dev", tgt=dev)
    assert boto3.client("s3").list_objects_v2(Bucket=dev.widget_bucket, Prefix="stable/")["KeyCount"] == 0
    assert lock.read(dev.artifact_bucket, "dev").holder == "bob"


def test_reconcile_never_points_a_channel_at_a_version_that_is_not_published(released):
    repo, dev = released
    s3 = boto3.client("s3")
    s3.delete_object(Bucket=dev.widget_bucket, Key="v1.0.0/chat-widget.app.js")
    s3.delete_object(Bucket=dev.widget_bucket, Key="stable/chat-widget.js")
    with pytest.raises(UserError, match="not fully published"):
        reconcile.run(repo.path, "dev", tgt=dev)
    assert s3.list_objects_v2(Bucket=dev.widget_bucket, Prefix="stable/")["KeyCount"] == 0
