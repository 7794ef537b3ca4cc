"""Rollback, colour retirement and teardown of an environment's stacks.

Rollback is a redeploy of an earlier release's own packaged templates and artifacts (by the
record `rollout` keeps in the artifact bucket), never `update-stack --use-previous-template`:
that reuses the *current* template and only reverts parameters. In prod, while the previous
colour still exists, rollback is the instant switch back to it.
"""

from __future__ import annotations

import json

from orchestrator import environments
from orchestrator.adapters import cloudformation as cf
from orchestrator.deploy import rollout
from orchestrator.deploy import stacks as dp
from orchestrator.errors import UserError
from orchestrator.local import sandbox


def records(t: rollout.Target) -> list[dict]:
    """Deploy records of the environment, oldest first."""
    prefix = f"deployments/{t.env.name}/"
    found = []
    for page in t.s3.get_paginator("list_objects_v2").paginate(Bucket=t.bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            found.append(json.loads(t.s3.get_object(Bucket=t.bucket, Key=obj["Key"])["Body"].read()))
    return sorted(found, key=lambda r: r["deployed_at"])


def _packaged(t: rollout.Target, key: str, sha256: str) -> dp.PackagedTemplate:
    from orchestrator.adapters import s3 as s3a

    body = json.loads(t.s3.get_object(Bucket=t.bucket, Key=key)["Body"].read())
    children = {}
    for logical, res in body.get("Resources", {}).items():
        url = res.get("Properties", {}).get("TemplateURL", "")
        if res.get("Type") == "AWS::CloudFormation::Stack" and url.startswith(f"https://{t.bucket}."):
            child_key = url.split(".amazonaws.com/", 1)[1]
            children[logical] = _packaged(t, child_key, child_key.rsplit("/", 1)[1].split(".")[0])
    return dp.PackagedTemplate(s3a.https_url(t.bucket, key), key, sha256, body, children)


def rollback_backend(
    env_name: str, *, to: str = "", dry_run: bool = False, smoke=None, echo=print, poll=cf.POLL_SECONDS
):
    """Prod: switch back to the previous colour while it exists. Elsewhere: redeploy a record."""
    t = rollout.target(env_name, echo)
    if t.env.blue_green and not to:
        live = rollout.live_colour(t)
        previous = "green" if live == "blue" else "blue"
        desc = cf.describe(t.cfn, t.env.stack_name(f"app-{previous}"))
        if (
            live
            and desc
            and desc["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE")
        ):
            outs = rollout._outputs(t, "app", desc)
            echo(f"{previous} colour still exists: switching back from {live} (instant)")
            if dry_run:
                return {"env": env_name, "switched_to": previous, "dry_run": True}
            rollout._smoke(smoke, outs, f"{previous} colour's own endpoint", dp.Options(echo=echo))
            rollout.switch_colour(t, previous, outs["ApiId"], echo)
            return {"env": env_name, "switched_to": previous, "live_colour": previous}
        echo("no previous colour to switch back to: redeploying the previous release")
    history = records(t)
    if to:
        chosen = [r for r in history if r["version"] == to]
        if not chosen:
            known = ", ".join(r["version"] for r in history) or "none"
            raise UserError(f"no deploy record of {to!r} in {env_name}", f"recorded versions: {known}")
        record = chosen[-1]
    else:
        earlier = [r for r in history if r["version"] != (history[-1]["version"] if history else None)]
        if not earlier:
            raise UserError(f"{env_name} has no earlier release to roll back to", "nothing was changed")
        record = earlier[-1]
    echo(f"redeploying {record['version']} (its own templates and artifacts, by digest)")
    templates = {k: _packaged(t, v["key"], v["sha256"]) for k, v in record["templates"].items()}
    pkg = dp.Package(t.bucket, templates, record["artifacts"], record["artifact_digests"])
    opts = rollout._options(t, False, dry_run, echo, poll)
    return rollout._roll_out(t, pkg, record["version"], opts, smoke)


def retire_colour(env_name: str, *, dry_run: bool = False, echo=print, poll=cf.POLL_SECONDS) -> dict:
    """Delete the colour that is not live (after the bake). Never the live one."""
    t = rollout.target(env_name, echo)
    if not t.env.blue_green:
        raise UserError(f"{env_name} has no colours", "retire-colour is for blue/green environments (prod)")
    live = rollout.live_colour(t)
    if live is None:
        raise UserError("no colour is live yet", "deploy first; nothing was deleted")
    old = "green" if live == "blue" else "blue"
    stack = t.env.stack_name(f"app-{old}")
    if cf.describe(t.cfn, stack) is None:
        echo(f"{stack}: already gone")
        return {"env": env_name, "retired": None, "live_colour": live}
    echo(f"retiring {stack} (live colour is {live})" + (" — dry run" if dry_run else ""))
    if not dry_run:
        _delete(t, "app", stack, poll, echo)
    return {"env": env_name, "retired": None if dry_run else old, "live_colour": live}


def teardown_plan(env: environments.Environment, include_data: bool) -> list[tuple[str, str]]:
    """(kind, stack) in reverse deploy order: monitoring, edge, app(s), then data if asked."""
    plan = [("monitoring", env.stack_name("monitoring")), ("edge", env.stack_name("edge"))]
    plan += [("app", s) for s in env.app_stacks()]
    return plan + ([("data", env.stack_name("data"))] if include_data else [])


def teardown(
    env_name: str,
    *,
    include_data: bool = False,
    allow_prod: bool = False,
    confirm: str = "",
    dry_run: bool = False,
    echo=print,
    poll=cf.POLL_SECONDS,
) -> list[str]:
    """Delete an environment's stacks. Prod and the data stack need flags and a typed confirmation."""
    env = environments.load(env_name)
    if env.is_prod and not allow_prod:
        raise UserError(
            "teardown of prod is refused", "pass --allow-prod and type the confirmation if you really mean it"
        )
    expected = f"bookingchat-{env_name}"
    if (env.is_prod or include_data) and confirm != expected and not dry_run:
        raise UserError(f"teardown needs the typed confirmation {expected!r}", f"--confirm {expected}")
    t = rollout.target(env_name, echo)
    deleted = []
    for kind, stack in teardown_plan(env, include_data):
        if cf.describe(t.cfn, stack) is None:
            continue
        echo(f"{'would delete' if dry_run else 'deleting'} {stack}")
        if not dry_run:
            _delete(t, kind, stack, poll, echo)
        deleted.append(stack)
    if not include_data:
        echo(
            f"{env.stack_name('data')} kept (its table and user pool are retained; --include-data to delete the stack)"
        )
    return deleted


def _delete(t: rollout.Target, kind: str, stack: str, poll: float, echo) -> None:
    desc = cf.describe(t.cfn, stack)
    outs = rollout._outputs(t, kind, desc) if kind == "app" else cf.outputs(t.cfn, stack)
    if desc.get("EnableTerminationProtection") and not sandbox.active():
        cf.set_termination_protection(t.cfn, stack, False)
    token = dp._token(stack, desc["StackId"], "delete")
    cf.delete_stack(t.cfn, desc["StackId"], token)
    status = cf.wait_stack(t.cfn, desc["StackId"], None, lambda e: None, poll)
    if status != "DELETE_COMPLETE":
        raise dp.DeployFailed(f"{stack} ended {status}", "look at its events; retained resources stay")
    if sandbox.active():
        sandbox.forget(t.env.name, kind, stack, outs)
