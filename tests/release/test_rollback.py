"""rollback-widget, set-channel and yank against the embedded AWS and a real git repo."""

from __future__ import annotations

import boto3
import pytest
from release_world import invalidated_paths, objects, world

from orchestrator.adapters import cdn
from orchestrator.errors import UserError
from orchestrator.release import release, rollback
from orchestrator.release.yank import yank

REQ = release.Request(env="dev", component="widget")


@pytest.fixture
def two_versions(release_repo, dev):
    def build(repo, tgt):
        release.run(repo.path, REQ, tgt=tgt)
        repo.commit("feat: quick replies", "widget/src/app.js", "console.log('quick replies');\n")
        release.run(repo.path, REQ, tgt=tgt)

    return world("two releases", release_repo, dev, build)


class WriteCounter:
    """Counts the S3 and CloudFront calls that change something, as they leave botocore."""

    WRITES = ("PutObject", "CopyObject", "DeleteObject", "CreateInvalidation")

    def __init__(self):
        self.calls: list[str] = []

    def __call__(self, model, **kwargs):
        if model.name in self.WRITES:
            self.calls.append(model.name)


@pytest.fixture
def writes(dev):
    """Hooks the very clients the orchestrator uses (one per service and target)."""
    counter = WriteCounter()
    for client in (cdn.s3(), cdn.cloudfront()):
        client.meta.events.register("before-call", counter)
    yield counter
    for client in (cdn.s3(), cdn.cloudfront()):
        client.meta.events.unregister("before-call", counter)


def test_rollback_moves_the_pointers_back_with_a_constant_number_of_writes(two_versions, dev, writes):
    plan, outcome = rollback.run(two_versions.path, "rollback-widget", "dev", "latest", tgt=dev)
    assert plan["channels"] == {"latest": "1.0.0", "stable": "1.0.0"}
    assert outcome.journal.status == "done"
    published = objects(dev.widget_bucket)
    assert published["latest/chat-widget.js"]["version"] == "1.0.0"
    assert published["latest/chat-widget.js"]["sha256"] == published["v1.0.0/chat-widget.js"]["sha256"]
    assert invalidated_paths(dev.distribution_id)[-1] == ["/latest/chat-widget.js", "/stable/chat-widget.js"]
    # Two pointer copies (latest and stable are two objects), one invalidation; the rest is the
    # lease (put + delete) and the journal (one write per step) — none of it per widget file.
    assert writes.calls.count("CopyObject") == 2
    assert writes.calls.count("CreateInvalidation") == 1
    manifest = two_versions.manifest()
    assert manifest["environments"]["dev"]["channels"]["latest"] == "1.0.0"
    event = manifest["events"][-1]
    assert (event["action"], event["details"]["from"]["latest"]) == ("rollback-widget", "1.1.0")
    assert two_versions.git.head.commit.message.startswith("chore(release): rollback-widget widget dev")


def test_rollback_dry_run_changes_nothing(two_versions, dev):
    plan, outcome = rollback.run(two_versions.path, "rollback-widget", "dev", "latest", dry_run=True, tgt=dev)
    assert outcome is None and plan["channels"]["latest"] == "1.0.0"
    assert objects(dev.widget_bucket)["latest/chat-widget.js"]["version"] == "1.1.0"


def test_rollback_skips_yanked_versions_and_refuses_when_none_is_left(two_versions, dev):
    yank(two_versions.path, "1.0.0", "broke booking on Safari")
    with pytest.raises(UserError, match="no earlier good version"):
        rollback.run(two_versions.path, "rollback-widget", "dev", "latest", tgt=dev)
    with pytest.raises(UserError, match="widget 1.0.0 is yanked"):
        rollback.run(two_versions.path, "rollback-widget", "dev", "latest", to="1.0.0", tgt=dev)


def test_rollback_to_a_version_that_does_not_exist_is_refused(two_versions, dev):
    with pytest.raises(UserError, match="widget 9.9.9 was never released"):
        rollback.run(two_versions.path, "rollback-widget", "dev", "latest", to="9.9.9", tgt=dev)


def test_set_channel_points_canary_at_an_existing_version(two_versions, dev):
    rollback.run(two_versions.path, "set-channel", "dev", "canary", to="1.0.0", reason="tenant acme", tgt=dev)
    published = objects(dev.widget_bucket)
    assert published["canary/chat-widget.js"]["version"] == "1.0.0"
    assert published["latest/chat-widget.js"]["version"] == "1.1.0"
    assert invalidated_paths(dev.distribution_id)[-1] == ["/canary/chat-widget.js"]
    assert two_versions.manifest()["environments"]["dev"]["channels"]["canary"] == "1.0.0"


def test_set_channel_refuses_unknown_channels_and_prereleases_on_stable(two_versions, dev):
    with pytest.raises(UserError, match="unknown channel 'nightly'"):
        rollback.run(two_versions.path, "set-channel", "dev", "nightly", to="1.0.0", tgt=dev)


def test_a_channel_never_points_at_a_version_that_is_not_published_there(two_versions, dev):
    boto3.client("s3").delete_object(Bucket=dev.widget_bucket, Key="v1.0.0/chat-widget.app.js")
    with pytest.raises(
        UserError, match=r"widget 1.0.0 is not fully published \(chat-widget.app.js missing\)"
    ):
        rollback.run(two_versions.path, "rollback-widget", "dev", "latest", tgt=dev)
    assert objects(dev.widget_bucket)["latest/chat-widget.js"]["version"] == "1.1.0"


def test_yank_is_recorded_and_names_the_channels_still_serving_it(two_versions):
    still = yank(two_versions.path, "1.1.0", "double bookings")
    assert still == ["dev/latest", "dev/stable"]
    manifest = two_versions.manifest()
    assert manifest["components"]["widget"]["yanked"]["1.1.0"]["reason"] == "double bookings"
    with pytest.raises(UserError, match="already yanked"):
        yank(two_versions.path, "1.1.0", "again")
