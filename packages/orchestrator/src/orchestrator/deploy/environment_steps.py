"""Steps of the commands that change an environment's stacks and parameters, not its channels:
deploy, rollback-backend, retire-colour, teardown. The manifest records most of them end with
are in `environment_records.py`: a deploy records nothing, and GitPython and the manifest
model cost a no-op deploy ~0.25 s of imports.

Each checks the real system first (`done`), so a rerun after a crash neither redoes nor undoes
work: a colour switch already made is not switched again, a stack already deleted is skipped.
Test hooks (`zips`, `smoke`, `poll`) are constructor arguments, never part of the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from orchestrator.adapters import cloudformation as cf
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError


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
            tgt=ctx.target,
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
