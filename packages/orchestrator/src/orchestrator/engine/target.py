"""Where an environment's release goes: its account, buckets, distribution and CDN URL.

Resolved from the environment config, the caller's identity and the `edge` stack's outputs —
so a missing credential or an environment that was never deployed is a clear refusal here,
before any step acts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import cached_property

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from orchestrator import environments
from orchestrator.adapters import cdn, cloudformation, s3, sts
from orchestrator.errors import UserError
from orchestrator.local import endpoints, sandbox


@dataclass(frozen=True)
class Target:
    """One environment as the orchestrator acts on it. Resolved without the edge stack
    (`locate`/`place`: deploy, teardown, ia, seed…) the CDN fields are empty; `resolve` fills them."""

    env: str
    account: str
    artifact_bucket: str
    widget_bucket: str = ""
    distribution_id: str = ""
    cdn_url: str | None = None  # None: nothing serves the bucket (the embedded AWS without local-dev)
    sandbox: bool = False

    # Config and clients are made on first use: most commands need only a few of them.
    @cached_property
    def config(self) -> environments.Environment:
        return environments.load(self.env)

    @property
    def region(self) -> str:
        return self.config.region

    @cached_property
    def cfn(self):
        return cloudformation.client(self.region)

    @cached_property
    def s3(self):
        return s3.client(self.region)


def locate(env_name: str) -> Target:
    """The environment's account and artifact bucket name, the account checked; nothing
    deployed required (bootstrap creates the bucket)."""
    env = environments.load(env_name)
    account = account_id(env.region)
    in_sandbox = sandbox.active()
    if not in_sandbox:  # the embedded AWS has one fixed account; real accounts are pinned
        environments.check_account(env, account)
    return Target(env_name, account, env.artifact_bucket(account), sandbox=in_sandbox)


def _require_bucket(t: Target) -> None:
    if not cdn.bucket_exists(t.artifact_bucket):
        raise UserError(
            f"the artifact bucket {t.artifact_bucket} does not exist", f"run ./inv bootstrap {t.env}"
        )


def place(env_name: str) -> Target:
    """Where an environment's lease and journals live: its account and (existing) artifact bucket."""
    t = locate(env_name)
    _require_bucket(t)
    return t


def account_id(region: str | None = None) -> str:
    try:
        return sts.client(region).get_caller_identity()["Account"]
    except (NoCredentialsError, ClientError, BotoCoreError) as err:
        raise UserError(
            f"no usable AWS credentials ({err.__class__.__name__})",
            "configure credentials (OIDC in CI, a profile locally), or target the sandbox with ./inv local-dev",
        ) from None


def stack_outputs(stack_name: str) -> dict[str, str]:
    try:
        stack = cloudformation.client().describe_stacks(StackName=stack_name)["Stacks"][0]
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
    return endpoints.get("cdn")


def resolve(env_name: str) -> Target:
    t = locate(env_name)
    outputs = stack_outputs(t.config.stack_name("edge"))
    if t.sandbox:
        outputs = sandbox.emulate("edge", t.config.stack_name("edge"), {"EnvName": env_name}, outputs)
    _require_bucket(t)
    domain = outputs.get("DistributionDomainName")
    return replace(
        t,
        widget_bucket=outputs["WidgetBucketName"],
        distribution_id=outputs["DistributionId"],
        cdn_url=local_cdn_url() if t.sandbox else (f"https://{domain}" if domain else None),
    )
