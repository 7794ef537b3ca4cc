"""The deploy engine against the embedded AWS (moto server over HTTP).

moto's CloudFormation is synchronous and skips AppSync, CloudFront, Cognito and alarms, so
these tests assert what it really creates (tables, functions, roles, buckets, parameters)
and the outputs sandbox.py supplies for the rest.
"""

from __future__ import annotations

import boto3
import pytest

from orchestrator.adapters import aws as aws_clients
from orchestrator.deploy import rollout
from orchestrator.errors import UserError


def test_bootstrap_is_idempotent(aws, lines):
    first = rollout.bootstrap("dev", echo=lines.append)
    second = rollout.bootstrap("dev", echo=lines.append)
    assert first["created"] is True and second["created"] is False
    account = boto3.client("sts").get_caller_identity()["Account"]
    assert first["artifact_bucket"] == f"bookingchat-dev-artifacts-{account}"
    assert boto3.client("s3").head_bucket(Bucket=first["artifact_bucket"])


def test_deploy_without_bootstrap_is_refused(aws, zips):
    with pytest.raises(UserError, match="run ./inv bootstrap dev first"):
        rollout.deploy("dev", zips=zips, echo=lambda _l: None, poll=0)


def test_first_deploy_creates_every_stack_and_wires_outputs(dev, zips, lines):
    result = rollout.deploy("dev", zips=zips, echo=lines.append, poll=0)
    assert [s.outcome for s in result.stacks] == ["created"] * 4
    assert (
        boto3.client("dynamodb").describe_table(TableName="bookingchat-dev")["Table"]["KeySchema"][0][
            "AttributeName"
        ]
        == "pk"
    )
    fn = boto3.client("lambda").get_function(FunctionName="bookingchat-dev-chat")["Configuration"]
    assert fn["Handler"] == "backend.chat.handler"
    assert fn["Environment"]["Variables"]["DISABLE_IA_PARAM"] == "/bookingchat/dev/DISABLE_IA"
    assert fn["Environment"]["Variables"]["TABLE_NAME"] == "bookingchat-dev"
    assert (
        boto3.client("ssm").get_parameter(Name="/bookingchat/dev/DISABLE_IA")["Parameter"]["Value"] == "false"
    )
    # Skipped by moto's CloudFormation, supplied by sandbox.py through the service APIs:
    assert boto3.client("appsync").get_graphql_api(apiId=result.outputs["app"]["ApiId"])
    assert boto3.client("cognito-idp").describe_user_pool(UserPoolId=result.outputs["data"]["UserPoolId"])
    assert boto3.client("cloudfront").get_distribution(Id=result.outputs["edge"]["DistributionId"])
    assert result.record_key == f"deployments/dev/{result.version}.json"
    assert set(result.artifact_digests) == {"authorizer", "chat", "bookings", "admin", "schema"}
    assert "SANDBOX http://127.0.0.1" in lines[0]


def test_second_deploy_is_up_to_date_and_uploads_nothing(dev, zips, lines):
    rollout.deploy("dev", zips=zips, echo=lines.append, poll=0)
    keys_before = {
        o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=dev.artifact_bucket)["Contents"]
    }
    again = rollout.deploy("dev", zips=zips, echo=lines.append, poll=0)
    assert [s.outcome for s in again.stacks] == ["up to date"] * 4
    keys_after = {
        o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=dev.artifact_bucket)["Contents"]
    }
    assert keys_after == keys_before


def test_a_deploy_with_nothing_to_do_makes_no_change_set(dev, zips, lines):
    """The stacks already run these exact templates and parameters: no change set to create,
    wait for and delete (what made a no-op deploy slow)."""
    rollout.deploy("dev", zips=zips, echo=lines.append, poll=0)
    operations: list[str] = []
    boto3.DEFAULT_SESSION.events.register(
        "before-call.cloudformation.*", lambda model, **_: operations.append(model.name)
    )
    aws_clients.forget_clients()  # the shared clients were made before the hook
    try:
        again = rollout.deploy("dev", zips=zips, echo=lines.append, poll=0)
    finally:
        boto3.DEFAULT_SESSION.events.unregister("before-call.cloudformation.*")
    assert [s.outcome for s in again.stacks] == ["up to date"] * 4
    assert operations and "CreateChangeSet" not in operations, operations


def test_a_code_change_updates_only_the_app_stack(dev, zips, lines):
    rollout.deploy("dev", zips=zips, echo=lines.append, poll=0)
    changed = {**zips, "chat": zips["chat"] + b"\0"}  # other bytes, other sha256 key
    result = rollout.deploy("dev", zips=changed, echo=lines.append, poll=0)
    assert {s.kind: s.outcome for s in result.stacks} == {
        "data": "up to date",
        "app": "updated",
        "edge": "up to date",
        "monitoring": "up to date",
    }


def test_bootstrap_with_oidc_deploys_the_accounts_github_stack(aws, lines, monkeypatch):
    from orchestrator import environments

    real = environments.load

    def with_repo(name, *args):
        env = real(name, *args)
        values = dict(env.values)
        values["github.owner"] = environments.Value("example-org", "test")
        values["github.repo"] = environments.Value("booking-chat", "test")
        return environments.Environment(env.name, values)

    monkeypatch.setattr(environments, "load", with_repo)
    result = rollout.bootstrap("dev", oidc=True, echo=lines.append)
    assert result["oidc"] == "created"
    params = {
        p["ParameterKey"]: p["ParameterValue"]
        for p in boto3.client("cloudformation").describe_stacks(StackName="bookingchat-github-oidc")[
            "Stacks"
        ][0]["Parameters"]
    }
    assert (params["GitHubOwner"], params["GitHubRepo"]) == ("example-org", "booking-chat")
    assert rollout.bootstrap("dev", oidc=True, echo=lines.append)["oidc"] == "up to date"


def test_bootstrap_with_oidc_needs_the_repository(aws, lines):
    with pytest.raises(UserError, match="--oidc needs github.owner and github.repo"):
        rollout.bootstrap("dev", oidc=True, echo=lines.append)


def test_allow_data_loss_is_never_honoured_in_prod(aws, zips, lines):
    rollout.bootstrap("prod", echo=lines.append)
    with pytest.raises(UserError, match="never honoured in prod"):
        rollout.deploy("prod", zips=zips, allow_data_loss=True, echo=lines.append, poll=0)
