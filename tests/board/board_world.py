"""The board's world (imported by conftest.py and the tests): the release tests' temp repo and environment (tests/release_world.py),
plus what `target.resolve` needs to find an environment the way the CLI does — an `edge` stack
with the widget bucket, deployed through the embedded AWS's CloudFormation."""

from __future__ import annotations

import json

import boto3
import pytest
import release_world

from orchestrator.engine import lease as lock
from orchestrator.engine import target
from orchestrator.release import release

make_target = release_world.make_target
new_release_repo = release_world.new_release_repo
REQ = release.Request(env="dev", component="widget")


@pytest.fixture
def release_repo(tmp_path):
    return new_release_repo(tmp_path / "repo")


@pytest.fixture
def dev(aws) -> target.Target:
    return make_target("dev")


EDGE = """
Resources:
  WidgetBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: {bucket}
Outputs:
  WidgetBucketName:
    Value: !Ref WidgetBucket
"""


def deploy_edge(env: str = "dev") -> target.Target:
    """An environment as `./inv deploy` leaves it (edge stack + artifact bucket), resolved like the CLI."""
    account = boto3.client("sts").get_caller_identity()["Account"]
    boto3.client("s3").create_bucket(Bucket=f"bookingchat-{env}-artifacts-{account}")
    boto3.client("cloudformation").create_stack(
        StackName=f"bookingchat-{env}-edge",
        TemplateBody=EDGE.format(bucket=f"bookingchat-{env}-widget-{account}"),
    )
    return target.resolve(env)


def inject_drift(tgt) -> None:
    s3 = boto3.client("s3")
    s3.put_object(Bucket=tgt.widget_bucket, Key="latest/chat-widget.js", Body=b"console.log('by hand')")
    s3.delete_object(Bucket=tgt.widget_bucket, Key="stable/chat-widget.js")
    s3.copy_object(
        Bucket=tgt.widget_bucket,
        Key="canary/chat-widget.js",
        CopySource={"Bucket": tgt.widget_bucket, "Key": "v1.0.0/chat-widget.js"},
    )


def held_elsewhere(bucket: str, env: str, holder: str) -> None:
    """A lease written by a process on another machine (the second process of the lock tests)."""
    lease = {
        "env": env,
        "holder": holder,
        "operation": "release",
        "host": "ci-runner-7",
        "pid": 4242,
        "since": "2026-11-27T10:00:00+00:00",
        "until": "2099-01-01T00:00:00+00:00",
        "token": "t0k3n",
    }
    boto3.client("s3").put_object(Bucket=bucket, Key=lock.key(env), Body=json.dumps(lease).encode())


APP = """
Resources:
  DisableIaParameter:
    Type: AWS::SSM::Parameter
    Properties:
      Name: {name}
      Type: String
      Value: "false"
"""


def deploy_app_stack(env: str = "dev", colour: str | None = None) -> str:
    """An app stack that owns its DISABLE_IA parameter, as infra/app.yaml's DisableIaParameter does."""
    suffix = f"app-{colour}" if colour else "app"
    name = f"/bookingchat/{env}/{colour}/DISABLE_IA" if colour else f"/bookingchat/{env}/DISABLE_IA"
    boto3.client("cloudformation").create_stack(
        StackName=f"bookingchat-{env}-{suffix}", TemplateBody=APP.format(name=name)
    )
    return name
