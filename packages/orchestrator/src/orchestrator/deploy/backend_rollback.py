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
from orchestrator.engine.target import Target
from orchestrator.errors import UserError
from orchestrator.local import sandbox


def records(t: Target) -> list[dict]:
    """Deploy records of the environment, oldest first."""
    prefix = f"deployments/{t.env}/"
    found = []
    for page in t.s3.get_paginator("list_objects_v2").paginate(Bucket=t.artifact_bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            found.append(json.loads(t.s3.get_object(Bucket=t.artifact_bucket, Key=obj["Key"])["Body"].read()))
    return sorted(found, key=lambda r: r["deployed_at"])


def _packaged(t: Target, key: str, sha256: str) -> dp.PackagedTemplate:
    from orchestrator.adapters import s3 as s3a

    body = json.loads(t.s3.get_object(Bucket=t.artifact_bucket, Key=key)["Body"].read())
    children = {}
    for logical, res in body.get("Resources", {}).items():
        url = res.get("Properties", {}).get("TemplateURL", "")
        if res.get("Type") == "AWS::CloudFormation::Stack" and url.startswith(
            f"https://{t.artifact_bucket}."
        ):
            child_key = url.split(".amazonaws.com/", 1)[1]
            children[logical] = _packaged(t, child_key, child_key.rsplit("/", 1)[1].split(".")[0])
    return dp.PackagedTemplate(s3a.https_url(t.artifact_bucket, key), key, sha256, body, children)


def rollback_choice(env_name: str, *, to: str = "", echo=print) -> dict:
    """What a backend rollback would do now: switch back to the previous colour (prod, while it
    exists) or redeploy a recorded release. Decided under the lease, applied by `apply_rollback`."""
    t = rollout.target(env_name, echo)
    if t.config.blue_green and not to:
        live = rollout.live_colour(t)
        previous = "green" if live == "blue" else "blue"
        desc = cf.describe(t.cfn, t.config.stack_name(f"app-{previous}"))
        if (
            live
            and desc
            and desc["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE")
        ):
            tags = {t["Key"]: t["Value"] for t in desc.get("Tags", [])}
            return {
                "mode": "switch",
                "from": live,
                "to": previous,
                "version": tags.get("bookingchat:version"),
            }
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
    return {"mode": "redeploy", "version": record["version"]}


def apply_rollback(
    env_name: str, choice: dict, *, dry_run=False, smoke=None, echo=print, poll=cf.POLL_SECONDS
):
    """Carry out a `rollback_choice`: the instant colour switch, or the redeploy by digest."""
    t = rollout.target(env_name, echo)
    if choice["mode"] == "switch":
        previous, live = choice["to"], choice["from"]
        desc = cf.describe(t.cfn, t.config.stack_name(f"app-{previous}"))
        if desc is None:
            raise UserError(f"the {previous} colour is gone", "roll back with --to VERSION (a redeploy)")
        outs = rollout._outputs(t, "app", desc)
        echo(f"{previous} colour still exists: switching back from {live} (instant)")
        if dry_run:
            return {"env": env_name, "switched_to": previous, "dry_run": True}
        rollout._smoke(smoke, outs, f"{previous} colour's own endpoint", dp.Options(echo=echo))
        rollout.switch_colour(t, previous, outs["ApiId"], echo)
        return {"env": env_name, "switched_to": previous, "live_colour": previous}
    record = [r for r in records(t) if r["version"] == choice["version"]][-1]
    echo(f"redeploying {record['version']} (its own templates and artifacts, by digest)")
    templates = {k: _packaged(t, v["key"], v["sha256"]) for k, v in record["templates"].items()}
    pkg = dp.Package(t.artifact_bucket, templates, record["artifacts"], record["artifact_digests"])
    opts = rollout._options(t, False, dry_run, echo, poll)
    return rollout._roll_out(t, pkg, record["version"], opts, smoke)


def rollback_backend(
    env_name: str, *, to: str = "", dry_run: bool = False, smoke=None, echo=print, poll=cf.POLL_SECONDS
):
    """Prod: switch back to the previous colour while it exists. Elsewhere: redeploy a record.

    The bare deploy-engine action; `./inv rollback-backend` runs it through the engine
    (`backend_commands.rollback_backend`), which also records it in the manifest.
    """
    choice = rollback_choice(env_name, to=to, echo=echo)
    return apply_rollback(env_name, choice, dry_run=dry_run, smoke=smoke, echo=echo, poll=poll)


def retire_choice(env_name: str, echo=print) -> dict:
    """Which colour retiring would delete now (never the live one); `retired` None: already gone."""
    t = rollout.target(env_name, echo)
    if not t.config.blue_green:
        raise UserError(f"{env_name} has no colours", "retire-colour is for blue/green environments (prod)")
    live = rollout.live_colour(t)
    if live is None:
        raise UserError("no colour is live yet", "deploy first; nothing was deleted")
    old = "green" if live == "blue" else "blue"
    stack = t.config.stack_name(f"app-{old}")
    gone = cf.describe(t.cfn, stack) is None
    return {"env": env_name, "live_colour": live, "retire": None if gone else old, "stack": stack}


def retire(env_name: str, choice: dict, echo=print, poll=cf.POLL_SECONDS) -> None:
    """Delete the colour `choice` names — after checking, right before, that it is still not live."""
    t = rollout.target(env_name, echo)
    live = rollout.live_colour(t)
    if live != choice["live_colour"] or live == choice["retire"]:
        raise UserError(
            f"the live colour changed since the plan (now {live}, planned with {choice['live_colour']} live)",
            "nothing was deleted; run retire-colour again to plan afresh",
        )
    echo(f"retiring {choice['stack']} (live colour is {live})")
    _delete(t, "app", choice["stack"], poll, echo)


def retire_colour(env_name: str, *, dry_run: bool = False, echo=print, poll=cf.POLL_SECONDS) -> dict:
    """Delete the colour that is not live (after the bake). Never the live one."""
    choice = retire_choice(env_name, echo)
    if choice["retire"] is None:
        echo(f"{choice['stack']}: already gone")
    elif not dry_run:
        retire(env_name, choice, echo, poll)
    retired = None if dry_run else choice["retire"]
    return {"env": env_name, "retired": retired, "live_colour": choice["live_colour"]}


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
    env = check_teardown(env_name, include_data, allow_prod, confirm, dry_run)
    t = rollout.target(env_name, echo)
    deleted = []
    for kind, stack in existing_stacks(t, include_data):
        echo(f"{'would delete' if dry_run else 'deleting'} {stack}")
        if not dry_run:
            delete_stack(env_name, kind, stack, echo, poll)
        deleted.append(stack)
    if not include_data:
        echo(
            f"{env.stack_name('data')} kept (its table and user pool are retained; --include-data to delete the stack)"
        )
    return deleted


def check_teardown(
    env_name: str, include_data: bool, allow_prod: bool, confirm: str, dry_run: bool
) -> environments.Environment:
    """The flags and typed confirmation a teardown needs, checked before anything is touched."""
    env = environments.load(env_name)
    if env.is_prod and not allow_prod:
        raise UserError(
            "teardown of prod is refused", "pass --allow-prod and type the confirmation if you really mean it"
        )
    expected = f"bookingchat-{env_name}"
    if (env.is_prod or include_data) and confirm != expected and not dry_run:
        raise UserError(f"teardown needs the typed confirmation {expected!r}", f"--confirm {expected}")
    return env


def existing_stacks(t: Target, include_data: bool) -> list[tuple[str, str]]:
    return [(k, s) for k, s in teardown_plan(t.config, include_data) if cf.describe(t.cfn, s) is not None]


def delete_stack(env_name: str, kind: str, stack: str, echo=print, poll=cf.POLL_SECONDS) -> None:
    t = rollout.target(env_name, lambda s: None)
    if cf.describe(t.cfn, stack) is not None:
        _delete(t, kind, stack, poll, echo)


def _delete(t: Target, kind: str, stack: str, poll: float, echo) -> None:
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
        sandbox.forget(t.env, kind, stack, outs)
