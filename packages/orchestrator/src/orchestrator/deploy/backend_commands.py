"""`./inv deploy | rollback-backend | retire-colour | teardown` as operations of the one engine.

Each is planned under the environment's lease, journaled step by step and resumable; while
another command holds the environment each is refused naming the holder (exit 2). The deploy
engine's own functions (`rollout`, `backend_ops`) do the work; this module only says which
steps, in which order, with which plan. `rollback-backend` rolls back *and* records in one
operation, so the CLI, the ladder test and the rehearsal all run the same thing.

Every function returns the JSON the CLI prints with --json: the dry run's plan, or the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from orchestrator.adapters import cloudformation as cf
from orchestrator.adapters import identity
from orchestrator.core import sentry_calls
from orchestrator.deploy import backend_rollback, rollout
from orchestrator.deploy.environment_steps import DeleteStack, DeployStacks, RetireColour, RollBackBackend
from orchestrator.engine import lease as lock
from orchestrator.engine import operation, runner, target
from orchestrator.observability import steps as sentry_steps


def execute(
    root: Path,
    op: operation.Operation,
    place: target.Target,
    *,
    dry_run: bool = False,
    resume: str | None = None,
    push: bool = False,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
    confirm: Callable[[dict], None] = lambda plan: None,
    records: bool = True,
) -> dict:
    """Preview (--dry-run) or run an operation; what --json prints. `records`: it commits the manifest."""
    if dry_run:
        return {"dry_run": True, **operation.preview(op, place)}
    if records:
        # GitPython and the manifest model load only for commands that record (~0.25 s a no-op
        # deploy does not pay).
        from orchestrator.adapters import git as gitx

        repo = gitx.open_repo(root)
        gitx.require_up_to_date(repo)  # its record commit must land on the latest main
        root = Path(repo.working_tree_dir)
    outcome = operation.run(root, op, place, identity.who(root), resume, push, True, echo, on_event, confirm)
    return {"dry_run": False, **outcome.to_json()}


# ── deploy ──────────────────────────────────────────────────────────────────────────────


def deploy(
    root: Path,
    env: str,
    *,
    version: str = "",
    allow_data_loss: bool = False,
    dry_run: bool = False,
    zips: dict[str, bytes] | None = None,
    smoke=None,
    poll: float = cf.POLL_SECONDS,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
) -> dict:
    """Package and deploy an environment's stacks. Its journal is its record (no manifest commit:
    an ad-hoc deploy is not a release; `./inv release` records the backend it deploys)."""
    place = target.place(env)
    if dry_run:
        # The preview creates (then deletes) change sets: under the lease, so it never races a deploy.
        with lock.hold(place.artifact_bucket, env, identity.who(root), "deploy --dry-run"):
            result = rollout.deploy(
                env,
                version=version,
                allow_data_loss=allow_data_loss,
                dry_run=True,
                zips=zips,
                echo=echo,
                poll=poll,
            )
        return {"dry_run": True, "plan": result.to_json(), "locked_by": None}
    op = operation.Operation(
        kind="deploy",
        env=env,
        request={"env": env, "version": version, "allow_data_loss": allow_data_loss},
        make_plan=lambda: {
            "kind": "deploy",
            "env": env,
            "version": version,
            "allow_data_loss": allow_data_loss,
            "steps": ["deploy"],
            "summary": f"deploy {env}",
        },
        steps_for=lambda plan: [DeployStacks(zips=zips, smoke=smoke, poll=poll)],
        needs_cdn=False,
    )
    return execute(root, op, place, echo=echo, on_event=on_event, records=False)


# ── rollback-backend ────────────────────────────────────────────────────────────────────


def rollback_backend(
    root: Path,
    env: str,
    *,
    to: str = "",
    dry_run: bool = False,
    push: bool = False,
    resume: str | None = None,
    smoke=None,
    poll: float = cf.POLL_SECONDS,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
) -> dict:
    """Prod: switch back to the previous colour. Elsewhere: redeploy an earlier release by digest.
    Then tell Sentry (a deploy of the backend release rolled back to) and record what runs in the
    manifest — one operation, one journal."""
    from orchestrator.deploy import environment_records as records  # see execute()

    place = target.place(env)

    def make_plan() -> dict:
        choice = backend_rollback.rollback_choice(env, to=to, echo=echo)
        what = f"{choice['from']} → {choice['to']}" if choice["mode"] == "switch" else choice["version"]
        plan = {
            "kind": "rollback-backend",
            "env": env,
            "choice": choice,
            "steps": ["rollback-backend", "record-environment"],
            "summary": f"rollback-backend {env} ({what})",
        }
        # A colour without a version tag (deployed ad hoc) has no Sentry release to name.
        versions = {"backend": choice["version"]} if choice.get("version") else {}
        return sentry_steps.with_calls(plan, sentry_calls.calls("rollback-backend", env, versions))

    def steps_for(plan: dict) -> list:
        sentry = {s.name: s for s in sentry_steps.steps_for(plan)}
        return (
            [RollBackBackend(smoke=smoke, poll=poll)]
            + [sentry[n] for n in plan["steps"] if n in sentry]
            + [records.RecordBackendRollback()]
        )

    op = operation.Operation(
        kind="rollback-backend",
        env=env,
        request={"env": env, "to": to},
        make_plan=make_plan,
        steps_for=steps_for,
        needs_cdn=False,
    )
    if not dry_run:
        sentry_steps.preflight(env)
    return execute(root, op, place, dry_run=dry_run, resume=resume, push=push, echo=echo, on_event=on_event)


# ── retire-colour ───────────────────────────────────────────────────────────────────────


def retire_colour(
    root: Path,
    env: str,
    *,
    dry_run: bool = False,
    push: bool = False,
    resume: str | None = None,
    poll: float = cf.POLL_SECONDS,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
) -> dict:
    """Delete the colour that is not live. Planned under the lease: a promotion cannot switch
    colours between reading which one is live and deleting the other."""
    from orchestrator.deploy import environment_records as records  # see execute()

    place = target.place(env)

    def make_plan() -> dict | None:
        choice = backend_rollback.retire_choice(env, echo)
        if choice["retire"] is None:
            echo(f"{choice['stack']}: already gone")
            return None
        return {
            "kind": "retire-colour",
            "env": env,
            "choice": choice,
            "event": {"retired": choice["retire"], "live_colour": choice["live_colour"]},
            "steps": ["retire-colour", "record-environment"],
            "summary": f"retire-colour {env}: delete {choice['retire']} ({choice['live_colour']} is live)",
        }

    op = operation.Operation(
        kind="retire-colour",
        env=env,
        request={"env": env},
        make_plan=make_plan,
        steps_for=lambda plan: [RetireColour(poll=poll), records.RecordEvent()],
        needs_cdn=False,
    )
    return execute(root, op, place, dry_run=dry_run, resume=resume, push=push, echo=echo, on_event=on_event)


# ── teardown ────────────────────────────────────────────────────────────────────────────


def teardown(
    root: Path,
    env: str,
    *,
    include_data: bool = False,
    allow_prod: bool = False,
    confirm: str = "",
    dry_run: bool = False,
    push: bool = False,
    resume: str | None = None,
    poll: float = cf.POLL_SECONDS,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
) -> dict:
    """Delete an environment's stacks in reverse order, one journaled step per stack.
    The artifact bucket (the lease's and the journal's home) is kept."""
    from orchestrator.deploy import environment_records as records  # see execute()

    environment = backend_rollback.check_teardown(env, include_data, allow_prod, confirm, dry_run)
    place = target.place(env)

    def make_plan() -> dict | None:
        stacks = backend_rollback.existing_stacks(rollout.target(env, echo), include_data)
        if not stacks:
            return None
        return {
            "kind": "teardown",
            "env": env,
            "stacks": [[kind, stack] for kind, stack in stacks],
            "event": {"deleted": [s for _, s in stacks], "include_data": include_data},
            "steps": [f"delete {s}" for _, s in stacks] + ["record-environment"],
            "summary": f"teardown {env}: " + ", ".join(s for _, s in stacks),
        }

    op = operation.Operation(
        kind="teardown",
        env=env,
        request={"env": env, "include_data": include_data},
        make_plan=make_plan,
        steps_for=lambda plan: [DeleteStack(k, s, poll) for k, s in plan["stacks"]] + [records.RecordEvent()],
        needs_cdn=False,
    )
    result = execute(root, op, place, dry_run=dry_run, resume=resume, push=push, echo=echo, on_event=on_event)
    if not include_data:
        echo(
            f"{environment.stack_name('data')} kept (its table and user pool are retained; --include-data deletes the stack)"
        )
    return result
