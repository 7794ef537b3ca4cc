"""Steps of the commands that change an environment's stacks and parameters, not its channels:
deploy, rollback-backend, retire-colour, teardown — and the manifest record most of them end with.

Each checks the real system first (`done`), so a rerun after a crash neither redoes nor undoes
work: a colour switch already made is not switched again, a stack already deleted is skipped.
Test hooks (`zips`, `smoke`, `poll`) are constructor arguments, never part of the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestrator.adapters import cloudformation as cf
from orchestrator.adapters import git as gitx
from orchestrator.core import manifest as mf
from orchestrator.engine import manifest_store
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError


def _recorded(ctx: Ctx) -> bool:
    return any(e.details.get("id") == ctx.journal.id for e in manifest_store.load(ctx.root).events)


@dataclass
class DeployStacks:
    """Package the backend and deploy every stack in order (change sets: unchanged = up to date)."""

    zips: dict[str, bytes] | None = None
    smoke: Callable | None = None
    poll: float = cf.POLL_SECONDS
    name: str = "deploy"

    def describe(self, ctx: Ctx) -> str:
        return f"deploy {ctx.plan['env']}'s stacks as {ctx.plan['version'] or 'a digest of the templates'}"

    def done(self, ctx: Ctx) -> bool:
        return False  # the deploy engine itself finds an unchanged stack up to date

    def apply(self, ctx: Ctx) -> dict:
        from orchestrator.deploy import rollout

        result = rollout.deploy(
            ctx.plan["env"],
            version=ctx.plan["version"],
            allow_data_loss=ctx.plan["allow_data_loss"],
            zips=self.zips,
            smoke=self.smoke,
            echo=ctx.echo,
            poll=self.poll,
        )
        data = result.to_json()
        return {k: data[k] for k in ("version", "stacks", "live_colour", "switched", "record_key")}

    def verify(self, ctx: Ctx) -> None:
        return None


@dataclass
class RollBackBackend:
    """The colour switch back, or the redeploy of an earlier release by digest (the plan says which)."""

    smoke: Callable | None = None
    poll: float = cf.POLL_SECONDS
    name: str = "rollback-backend"

    def describe(self, ctx: Ctx) -> str:
        c = ctx.plan["choice"]
        if c["mode"] == "switch":
            return f"switch {ctx.plan['env']} back from {c['from']} to {c['to']}"
        return f"redeploy backend {c['version']} in {ctx.plan['env']} (its own templates, by digest)"

    def done(self, ctx: Ctx) -> bool:
        from orchestrator.deploy import rollout

        c = ctx.plan["choice"]
        if c["mode"] != "switch":
            return False  # a redeploy of the same record finds its stacks up to date
        return rollout.live_colour(rollout.target(ctx.plan["env"], lambda s: None)) == c["to"]

    def apply(self, ctx: Ctx) -> dict:
        from orchestrator.deploy import backend_rollback

        result = backend_rollback.apply_rollback(
            ctx.plan["env"], ctx.plan["choice"], smoke=self.smoke, echo=ctx.echo, poll=self.poll
        )
        data = result if isinstance(result, dict) else result.to_json()
        return {k: data.get(k) for k in ("version", "switched_to", "live_colour")}

    def verify(self, ctx: Ctx) -> None:
        if ctx.plan["choice"]["mode"] == "switch" and not self.done(ctx):
            raise UserError(
                f"{ctx.plan['env']} does not serve the {ctx.plan['choice']['to']} colour", "run again"
            )


class RecordBackendRollback:
    """What runs now, in the manifest: the version and colour, and the event (with the journal id)."""

    name = "record-environment"

    def describe(self, ctx: Ctx) -> str:
        return "record rollback-backend in releases/manifest.json"

    def done(self, ctx: Ctx) -> bool:
        return _recorded(ctx)

    def apply(self, ctx: Ctx) -> dict:
        choice = ctx.plan["choice"]
        result = {
            "version": choice.get("version"),
            "live_colour": choice.get("to"),
            **{k: v for k, v in ctx.journal.outputs("rollback-backend").items() if v},
        }
        sha = record_backend_rollback(
            ctx.root, ctx.plan["env"], result, push=ctx.push, journal_id=ctx.journal.id
        )
        return {"commit": sha}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("the manifest change was not committed", "run the command again")


@dataclass
class RetireColour:
    poll: float = cf.POLL_SECONDS
    name: str = "retire-colour"

    def describe(self, ctx: Ctx) -> str:
        return f"delete {ctx.plan['choice']['stack']} (live colour: {ctx.plan['choice']['live_colour']})"

    def done(self, ctx: Ctx) -> bool:
        from orchestrator.deploy import rollout

        t = rollout.target(ctx.plan["env"], lambda s: None)
        return cf.describe(t.cfn, ctx.plan["choice"]["stack"]) is None

    def apply(self, ctx: Ctx) -> dict:
        from orchestrator.deploy import backend_rollback

        backend_rollback.retire(ctx.plan["env"], ctx.plan["choice"], ctx.echo, self.poll)
        return {"retired": ctx.plan["choice"]["retire"]}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError(f"{ctx.plan['choice']['stack']} still exists", "look at its events; run again")


@dataclass
class DeleteStack:
    kind: str
    stack: str
    poll: float = cf.POLL_SECONDS

    @property
    def name(self) -> str:
        return f"delete {self.stack}"

    def describe(self, ctx: Ctx) -> str:
        return f"delete {self.stack}"

    def done(self, ctx: Ctx) -> bool:
        from orchestrator.deploy import rollout

        return cf.describe(rollout.target(ctx.plan["env"], lambda s: None).cfn, self.stack) is None

    def apply(self, ctx: Ctx) -> dict:
        from orchestrator.deploy import backend_rollback

        backend_rollback.delete_stack(ctx.plan["env"], self.kind, self.stack, ctx.echo, self.poll)
        return {"deleted": self.stack}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError(f"{self.stack} still exists", "look at its events; retained resources stay")


class RecordEvent:
    """An event alone in the manifest (ia, seed, teardown, deploy…): the plan's `event`, plus the
    journal id that makes the record step idempotent, plus the outputs of the steps before it."""

    name = "record-environment"

    def describe(self, ctx: Ctx) -> str:
        return f"record {ctx.plan['kind']} in releases/manifest.json"

    def done(self, ctx: Ctx) -> bool:
        return _recorded(ctx)

    def apply(self, ctx: Ctx) -> dict:
        plan = ctx.plan
        details = {"id": ctx.journal.id, **plan.get("event", {})}
        for step in plan["steps"]:
            if step != self.name and ctx.journal.outputs(step):
                details.setdefault("outputs", {})[step] = ctx.journal.outputs(step)

        def change(m: mf.Manifest) -> mf.Manifest:
            now = datetime.now(UTC).replace(microsecond=0)
            for component, version, reason in plan.get("yank", []):
                m = mf.with_yank(m, component, version, mf.Yank(at=now, by=ctx.journal.by, reason=reason))
            event = mf.Event(
                at=now,
                by=ctx.journal.by,
                action=plan["kind"],
                env=plan.get("record_env", plan["env"]),
                plan_hash=ctx.journal.plan_hash,
                details=details,
                **plan.get("event_fields", {}),
            )
            return mf.with_event(m, event)

        return {"commit": manifest_store.commit_change(ctx.root, change, plan["summary"], push=ctx.push)}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("the manifest change was not committed", "run the command again")


# ── the manifest record of a backend rollback ─────────────────────────────────────────────


def _backend_history(manifest: mf.Manifest, env: str) -> list[str]:
    history: list[str] = []
    for event in manifest.events:
        version = (event.details.get("versions") or {}).get("backend") if event.env == env else None
        if version and (not history or history[-1] != version):
            history.append(version)
    return history


def record_backend_rollback(
    root: Path, env: str, result: dict, push: bool = False, journal_id: str | None = None
) -> str | None:
    """Record what runs after `backend_ops.apply_rollback` (a colour switch or a redeploy).

    Called by the rollback-backend operation's last step (`steps.environment`), with its journal id.
    """
    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    manifest = manifest_store.load(root)
    current = manifest.environments.get(env, mf.Environment()).backend
    version = result.get("version")
    if not version:  # a colour switch: the colour runs the version this environment ran before
        history = _backend_history(manifest, env)
        version = history[-2] if len(history) > 1 else (current.version if current else None)
    colour = result.get("live_colour") or result.get("switched_to") or (current.colour if current else None)
    now = datetime.now(UTC).replace(microsecond=0)
    who = gitx.who(repo)

    def change(m: mf.Manifest) -> mf.Manifest:
        if version:  # unknown (a colour deployed before versions were tagged): the event alone
            m = mf.with_backend(m, env, mf.BackendDeployment(version=version, colour=colour, at=now))
        details = {
            "versions": {"backend": version},
            "colour": colour,
            "from": current.version if current else None,
            **({"id": journal_id} if journal_id else {}),
        }
        return mf.with_event(
            m, mf.Event(at=now, by=who, action="rollback-backend", env=env, version=version, details=details)
        )

    return manifest_store.commit_change(
        root, change, f"rollback-backend {env} → {version or colour}", push=push
    )
