"""`./inv smoke ENV`: CDN files against the manifest's digests, and the API with the smoke tenant's
key — GraphQL served by the local AppSync (`orchestrator.local.appsync`, the real schema and the
real Lambda handlers in-process), since the embedded AWS executes no resolver."""

from __future__ import annotations

import boto3
import pytest

from backend import runtime, seed
from orchestrator import paths
from orchestrator.board import smoke
from orchestrator.local import appsync as local_appsync

TABLE = "bookingchat-dev"


@pytest.fixture(autouse=True)
def _no_local_dev(tmp_path, monkeypatch):
    """Whatever a developer's ./inv local-dev wrote to .local/ is not this test's world."""
    monkeypatch.setattr(paths, "LOCAL", tmp_path / "local")
    for var in ("BOOKINGCHAT_GRAPHQL_URL", "BOOKINGCHAT_SMOKE_API_KEY"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def api(aws, monkeypatch):
    """The demo tenants in dev's table, the guided flow on, and the local AppSync serving them."""
    for key, value in {
        "TABLE_NAME": TABLE,
        "ENV_NAME": "dev",
        "DISABLE_IA_PARAM": "/bookingchat/dev/DISABLE_IA",
        "POWERTOOLS_SERVICE_NAME": "bookingchat-smoke-test",
    }.items():
        monkeypatch.setenv(key, value)
    runtime.reset()
    seed.seed(TABLE)
    boto3.client("ssm").put_parameter(Name="/bookingchat/dev/DISABLE_IA", Value="true", Type="String")
    server = local_appsync.start(0)
    monkeypatch.setenv("BOOKINGCHAT_GRAPHQL_URL", server.url)
    yield server
    server.stop()
    runtime.reset()


def smoke_key(value: str) -> None:
    boto3.client("ssm").put_parameter(
        Name="/bookingchat/dev/smoke-api-key", Value=value, Type="SecureString", Overwrite=True
    )


def test_smoke_checks_every_channel_and_version_file_and_records_a_passed_event(released):
    repo, dev = released
    run = smoke.run(repo.path, "dev", tgt=dev)
    assert run.report.ok, run.report.problems
    assert sorted(run.report.checked) == [
        "latest/chat-widget.js",
        "stable/chat-widget.js",
        "v1.0.0/build-info.json",
        "v1.0.0/chat-widget.app.js",
        "v1.0.0/chat-widget.js",
        "v1.0.0/chat-widget.umd.js",
    ]
    assert run.report.skipped == ["GraphQL: nothing serves the API (start ./inv local-dev)"]
    event = repo.manifest()["events"][-1]
    assert (event["action"], event["env"]) == ("smoke", "dev")
    assert event["details"]["smoke"]["passed"] is True
    assert event["details"]["versions"] == {"widget": "1.0.0"}
    assert not repo.git.is_dirty()


def test_a_version_file_serving_other_bytes_fails_the_smoke_and_is_recorded_as_failed(released):
    repo, dev = released
    boto3.client("s3").put_object(Bucket=dev.widget_bucket, Key="v1.0.0/chat-widget.app.js", Body=b"evil()")
    run = smoke.run(repo.path, "dev", tgt=dev)
    assert run.report.problems == ["/v1.0.0/chat-widget.app.js serves other bytes than released"]
    assert repo.manifest()["events"][-1]["details"]["smoke"]["passed"] is False


def test_a_missing_pointer_fails_the_smoke(released):
    repo, dev = released
    boto3.client("s3").delete_object(Bucket=dev.widget_bucket, Key="stable/chat-widget.js")
    run = smoke.run(repo.path, "dev", tgt=dev, record=False)
    assert run.report.problems == ["/stable/chat-widget.js is not served"]
    assert run.commit is None and repo.manifest()["events"][-1]["action"] == "release"


def test_the_api_answers_health_tenant_config_and_one_chat_turn_with_the_smoke_key(released, api):
    repo, dev = released
    smoke_key(seed.api_keys()[seed.load()[0]["id"]])
    run = smoke.run(repo.path, "dev", tgt=dev)
    assert run.report.ok, run.report.problems
    assert [c for c in run.report.checked if c.startswith("GraphQL")] == [
        "GraphQL health",
        "GraphQL TenantConfig",
        "GraphQL SendMessage",
    ]
    assert repo.manifest()["events"][-1]["details"]["smoke"]["graphql"] == api.url


def test_a_wrong_smoke_key_fails_the_api_checks(released, api):
    repo, dev = released
    smoke_key("bc_not_a_real_key")
    run = smoke.run(repo.path, "dev", tgt=dev, record=False)
    assert not run.report.ok
    assert all("HTTP 401" in p for p in run.report.problems) and len(run.report.problems) == 3


def test_without_a_smoke_key_the_api_check_fails_and_says_where_the_key_goes(released, api):
    repo, dev = released
    run = smoke.run(repo.path, "dev", tgt=dev, record=False)
    assert any("/bookingchat/dev/smoke-api-key" in p for p in run.report.problems)


def test_through_a_cdn_a_missing_pointer_is_reported_not_raised(released):
    """CloudFront with origin access control (and the local CDN) answers 403 for a missing key."""
    import dataclasses

    from orchestrator.local import cdn as local_cdn

    repo, dev = released
    cdn = local_cdn.start(local_cdn.Site(bucket=dev.widget_bucket, graphql_url=""), port=0)
    try:
        boto3.client("s3").delete_object(Bucket=dev.widget_bucket, Key="stable/chat-widget.js")
        run = smoke.run(repo.path, "dev", tgt=dataclasses.replace(dev, cdn_url=cdn.url), record=False)
        assert run.report.problems == ["/stable/chat-widget.js is not served"]
        assert run.report.via == cdn.url
    finally:
        cdn.stop()
