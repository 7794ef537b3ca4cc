"""`./inv status`: the board and its drift, against the embedded AWS (real S3, CloudFront, CFN)."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3

from orchestrator.board import status
from orchestrator.core import manifest as mf
from orchestrator.engine import journal
from orchestrator.engine import lease as lock
from orchestrator.engine.manifest_store import commit_change

KEYS = {
    "authorizer": "AuthorizerCodeKey",
    "chat": "ChatCodeKey",
    "bookings": "BookingsCodeKey",
    "admin": "AdminCodeKey",
}


def board(repo, tgt):
    (row,) = status.collect(repo.path, ["dev"], resolve=lambda env: tgt)
    return row


def test_after_a_release_the_board_shows_each_channel_and_no_drift(released):
    repo, dev = released
    row = board(repo, dev)
    assert row.reachable and row.drift == []
    assert {(c.channel, c.manifest, c.pointer) for c in row.channels} == {
        ("latest", "1.0.0", "1.0.0"),
        ("stable", "1.0.0", "1.0.0"),
    }
    assert row.events[-1]["action"] == "release"
    assert row.unfinished == [] and row.lock is None


def test_a_pointer_moved_removed_or_added_by_hand_is_drift(released):
    repo, dev = released
    s3 = boto3.client("s3")
    s3.put_object(
        Bucket=dev.widget_bucket, Key="latest/chat-widget.js", Body=b"console.log('hotfix by hand')"
    )
    s3.delete_object(Bucket=dev.widget_bucket, Key="stable/chat-widget.js")
    s3.copy_object(
        Bucket=dev.widget_bucket,
        Key="canary/chat-widget.js",
        CopySource={"Bucket": dev.widget_bucket, "Key": "v1.0.0/chat-widget.js"},
    )
    drift = {d.name: d for d in board(repo, dev).drift}
    assert sorted(drift) == ["canary", "latest", "stable"]
    assert drift["stable"].reason == "pointer missing"
    assert drift["latest"].manifest == "1.0.0" and drift["latest"].real == "?"
    assert drift["canary"].manifest is None and drift["canary"].reason == "pointer not in the manifest"


def test_a_pointer_naming_the_right_version_but_serving_other_bytes_is_drift(released):
    repo, dev = released
    boto3.client("s3").put_object(
        Bucket=dev.widget_bucket,
        Key="latest/chat-widget.js",
        Body=b"tampered",
        Metadata={"version": "1.0.0", "sha256": "0" * 64},
    )
    (d,) = board(repo, dev).drift
    assert (d.name, d.reason) == ("latest", "serves other bytes than released")


def test_unfinished_releases_and_the_lock_are_on_the_board(released):
    repo, dev = released
    j = journal.Journal(dev.artifact_bucket, "release-x-1", "dev", "release", {}, {}, "sha256:0", "ana")
    j.record("build-widget")
    lease = lock.acquire(dev.artifact_bucket, "dev", "ana", "release")
    row = board(repo, dev)
    assert [(u["id"], u["by"], u["steps_done"]) for u in row.unfinished] == [
        ("release-x-1", "ana", ["build-widget"])
    ]
    assert row.lock["holder"] == "ana" and row.lock["token"] == lease.lease.token


def _app_stack(name: str, code: str) -> None:
    """An app stack carrying code keys as parameters, like rollout.py deploys it."""
    params = {p: f"backend/sha256/{code}-{fn}.zip" for fn, p in KEYS.items()}
    template = "Parameters:\n" + "".join(f"  {p}:\n    Type: String\n" for p in [*params, "SchemaS3Location"])
    template += "Resources:\n  Marker:\n    Type: AWS::SNS::Topic\n"
    cfn = boto3.client("cloudformation")
    kwargs = dict(
        StackName=name,
        TemplateBody=template,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()]
        + [{"ParameterKey": "SchemaS3Location", "ParameterValue": f"s3://x/backend/sha256/{code}.graphql"}],
    )
    try:
        cfn.describe_stacks(StackName=name)
        cfn.update_stack(**kwargs)
    except cfn.exceptions.ClientError:
        cfn.create_stack(**kwargs)


def _deploy_record(bucket: str, version: str, code: str) -> None:
    import json

    artifacts = {fn: f"backend/sha256/{code}-{fn}.zip" for fn in KEYS} | {
        "schema": f"backend/sha256/{code}.graphql"
    }
    boto3.client("s3").put_object(
        Bucket=bucket,
        Key=f"deployments/dev/{version}.json",
        Body=json.dumps({"version": version, "artifacts": artifacts}).encode(),
    )


def test_the_backend_version_the_stacks_carry_is_compared_with_the_manifest(released):
    repo, dev = released
    _deploy_record(dev.artifact_bucket, "2.0.0", "aaa")
    _deploy_record(dev.artifact_bucket, "2.1.0", "bbb")
    _app_stack("bookingchat-dev-app", "aaa")
    commit_change(
        repo.path,
        lambda m: mf.with_backend(m, "dev", mf.BackendDeployment(version="2.0.0", at=datetime.now(UTC))),
        "record backend",
    )
    row = board(repo, dev)
    assert row.backend.manifest == "2.0.0" and row.backend.stacks == ["2.0.0"]
    assert row.drift == []

    _app_stack("bookingchat-dev-app", "bbb")  # someone deployed 2.1.0 by hand, the manifest still says 2.0.0
    (d,) = board(repo, dev).drift
    assert (d.what, d.manifest, d.real) == ("backend", "2.0.0", "2.1.0")


def test_carried_versions_needs_every_code_key_and_the_schema_to_match():
    record = {"artifacts": {fn: f"k-{fn}" for fn in KEYS} | {"schema": "s.graphql"}}
    params = {p: f"k-{fn}" for fn, p in KEYS.items()} | {"SchemaS3Location": "s3://b/s.graphql"}
    assert status.carried_versions(params, {"1.0.0": record}) == ["1.0.0"]
    assert status.carried_versions({**params, "ChatCodeKey": "other"}, {"1.0.0": record}) == []
    assert (
        status.carried_versions({**params, "SchemaS3Location": "s3://b/t.graphql"}, {"1.0.0": record}) == []
    )


def test_an_environment_that_cannot_be_read_still_shows_what_the_manifest_says(released):
    repo, _ = released
    from orchestrator.errors import UserError

    def unreachable(env):
        raise UserError("stack bookingchat-dev-edge is not deployed", "deploy it")

    (row,) = status.collect(repo.path, ["dev"], resolve=unreachable)
    assert not row.reachable and row.problem == "stack bookingchat-dev-edge is not deployed"
    assert {c.channel: c.manifest for c in row.channels} == {"latest": "1.0.0", "stable": "1.0.0"}
    assert row.to_json()["drift"] == []


def test_the_canary_is_on_the_board_and_in_its_json(released, capsys):
    """Version, how many tenants, percent, since and state: from the routing object loaders read."""
    from orchestrator import ui
    from orchestrator.release import canary, release, rollback

    repo, dev = released
    assert board(repo, dev).canary["state"] == "idle"  # a release leaves an idle routing object
    repo.commit("feat: quick replies", "widget/src/app.js", "console.log('quick replies');\n")
    release.run(repo.path, release.Request(env="dev", component="widget"), tgt=dev, echo=lambda s: None)
    rollback.run(repo.path, "set-channel", "dev", "latest", to="1.0.0", tgt=dev)
    rollback.run(repo.path, "set-channel", "dev", "stable", to="1.0.0", tgt=dev)
    canary.run(repo.path, "start", "dev", "1.1.0", tenants="salon-luna,demo-clinic", percent="12.5", tgt=dev)

    row = board(repo, dev)
    since = row.canary["since"]
    assert since and since.endswith("Z")
    expected = {"state": "active", "version": "1.1.0", "tenants": 2, "percent": 12.5, "since": since}
    assert row.canary == {**expected, "source": "cdn"}
    assert row.to_json()["canary"] == row.canary
    ui.render_status([row])
    assert f"canary routing: 1.1.0 for 2 tenant(s) + 12.5 % since {since} (active)" in capsys.readouterr().err

    canary.run(repo.path, "abort", "dev", tgt=dev)
    assert board(repo, dev).canary == {
        "state": "aborted", "version": None, "tenants": 0, "percent": 0, "since": None, "source": "cdn",
    }  # fmt: skip
    # Unreachable: what the manifest's newest canary command left.
    offline = status.env_status(
        mf.parse((repo.path / "releases/manifest.json").read_text(), "m"), "dev", None
    )
    assert offline.canary["state"] == "aborted" and offline.canary["source"] == "manifest"
