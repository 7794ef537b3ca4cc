"""Promotion of a backend release: the same zips and templates, copied between artifact buckets.

The source environment's deploy record (`deployments/<env>/<version>.json`, kept by the deploy
engine) pins the exact zips and packaged templates. They are copied server-side and checked
by digest; only the TemplateURLs of nested stacks change, to point at the target's bucket.
Nothing is rebuilt.
"""

from __future__ import annotations

import json

from orchestrator.adapters import s3 as s3a
from orchestrator.deploy import backend_rollback, rollout
from orchestrator.deploy import stacks as dp
from orchestrator.engine.target import Target
from orchestrator.errors import UserError


def record(source: Target, version: str) -> dict:
    found = [r for r in backend_rollback.records(source) if r["version"] == version]
    if not found:
        raise UserError(
            f"{source.env} has no deploy record of backend {version}",
            f"promote only what ran in {source.env} (see ./inv status)",
        )
    return found[-1]


def _copy_verbatim(source: Target, target: Target, key: str) -> bytes:
    body = source.s3.get_object(Bucket=source.artifact_bucket, Key=key)["Body"].read()
    if not s3a.exists(target.s3, target.artifact_bucket, key):
        target.s3.copy_object(
            Bucket=target.artifact_bucket, Key=key, CopySource={"Bucket": source.artifact_bucket, "Key": key}
        )
    return body


def _copy_template(source: Target, target: Target, key: str) -> str:
    """Copy a packaged template (children first); returns its key in the target bucket."""
    body = json.loads(source.s3.get_object(Bucket=source.artifact_bucket, Key=key)["Body"].read())
    nested = False
    for res in body.get("Resources", {}).values():
        url = res.get("Properties", {}).get("TemplateURL", "")
        if res.get("Type") == "AWS::CloudFormation::Stack" and url.startswith(
            f"https://{source.artifact_bucket}."
        ):
            child_key = _copy_template(source, target, url.split(".amazonaws.com/", 1)[1])
            res["Properties"]["TemplateURL"] = s3a.https_url(target.artifact_bucket, child_key)
            nested = True
    if not nested:
        _copy_verbatim(source, target, key)
        return key
    return s3a.upload_if_absent(
        target.s3, target.artifact_bucket, dp.canonical(body), "templates/", ".json", "application/json"
    ).key


def copy_release(source: Target, target: Target, version: str) -> dp.Package:
    """Copy one backend release's artifacts and templates; verify every artifact digest."""
    rec = record(source, version)
    for name, key in rec["artifacts"].items():
        body = _copy_verbatim(source, target, key)
        if s3a.sha256(body) != rec["artifact_digests"][name]:
            raise UserError(
                f"backend {version} artifact {name} does not match its recorded digest",
                "investigate the source bucket",
            )
    templates = {}
    for kind, tpl in rec["templates"].items():
        key = _copy_template(source, target, tpl["key"])
        templates[kind] = backend_rollback._packaged(target, key, key.rsplit("/", 1)[1].split(".")[0])
    return dp.Package(target.artifact_bucket, templates, rec["artifacts"], rec["artifact_digests"])


def deploy_copied(
    source_env: str, target_env: str, version: str, echo=print, dry_run: bool = False
) -> rollout.DeployResult:
    source, target = rollout.target(source_env, echo), rollout.target(target_env, echo)
    pkg = copy_release(source, target, version)
    opts = rollout._options(target, False, dry_run, echo, rollout.cf.POLL_SECONDS)
    return rollout._roll_out(target, pkg, version, opts, None)
