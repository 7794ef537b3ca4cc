"""Where an environment's release goes: its account, buckets, distribution and CDN URL.

Resolved from the environment config, the caller's identity and the `edge` stack's outputs —
so a missing credential or an environment that was never deployed is a clear refusal here,
before any step acts.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from orchestrator import environments
from orchestrator.adapters import cdn
from orchestrator.errors import UserError
from orchestrator.local import sandbox
from orchestrator.paths import LOCAL


@dataclass(frozen=True)
class Target:
    env: str
    account: str
    artifact_bucket: str
    widget_bucket: str
    distribution_id: str
    cdn_url: str | None  # None: nothing serves the bucket (the embedded AWS without local-dev)
    sandbox: bool = False


@dataclass(frozen=True)
class Place:
    """Where an environment's lease and journals live, for commands that need no CDN (deploy,
    teardown, ia, seed…): its account and artifact bucket, nothing deployed required."""

    env: str
    account: str
    artifact_bucket: str
    sandbox: bool = False


def place(env_name: str) -> Place:
    env = environments.load(env_name)
    account = account_id()
    pinned = env["aws.account"]
    if pinned and pinned != account and not sandbox.active():
        raise UserError(
            f"these credentials are for account {account}, but {env_name} lives in {pinned}",
            f"assume {env_name}'s deploy role",
        )
    bucket = env.artifact_bucket(account)
    if not cdn.bucket_exists(bucket):
        raise UserError(f"the artifact bucket {bucket} does not exist", f"run ./inv bootstrap {env_name}")
    return Place(env_name, account, bucket, sandbox.active())


def account_id() -> str:
    try:
        return boto3.client("sts").get_caller_identity()["Account"]
    except (NoCredentialsError, ClientError, BotoCoreError) as err:
        raise UserError(
            f"no usable AWS credentials ({err.__class__.__name__})",
            "configure credentials (OIDC in CI, a profile locally), or target the sandbox with ./inv local-dev",
        ) from None


def stack_outputs(stack_name: str) -> dict[str, str]:
    try:
        stack = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    except ClientError as err:
        if "does not exist" in str(err):
            raise UserError(
                f"stack {stack_name} is not deployed", "deploy it first with ./inv deploy ENV"
            ) from None
        raise
    return {o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs", [])}


def local_cdn_url() -> str | None:
    if os.environ.get("BOOKINGCHAT_CDN_URL"):
        return os.environ["BOOKINGCHAT_CDN_URL"]
    try:
        return json.loads((LOCAL / "endpoints.json").read_text()).get("cdn")
    except (OSError, ValueError):
        return None


def resolve(env_name: str) -> Target:
    env = environments.load(env_name)
    account = account_id()
    in_sandbox = sandbox.active()
    if not in_sandbox:  # the embedded AWS has one fixed account; real accounts are pinned
        environments.check_account(env, account)
    outputs = stack_outputs(env.stack_name("edge"))
    if in_sandbox:
        outputs = sandbox.emulate("edge", env.stack_name("edge"), {"EnvName": env_name}, outputs)
    artifact_bucket = env.artifact_bucket(account)
    if not cdn.bucket_exists(artifact_bucket):
        raise UserError(
            f"the artifact bucket {artifact_bucket} does not exist", f"run ./inv bootstrap {env_name}"
        )
    domain = outputs.get("DistributionDomainName")
    return Target(
        env=env_name,
        account=account,
        artifact_bucket=artifact_bucket,
        widget_bucket=outputs["WidgetBucketName"],
        distribution_id=outputs["DistributionId"],
        cdn_url=local_cdn_url() if in_sandbox else (f"https://{domain}" if domain else None),
        sandbox=in_sandbox,
    )
