"""The journaled steps of `agent import` and `agent rollback` (engine.runner's Step protocol).

Each checks the live agent before acting, so a rerun after a crash resumes to the same end
state: the definition, the action group, prepare, the version cut through the environment's
alias, and the manifest record. The plan carries the desired definition (as it was when the
import started), so a resume never picks up files edited in between.
"""

from __future__ import annotations

from datetime import UTC, datetime

from orchestrator.adapters import bedrock_agent as ba
from orchestrator.core import agent_definition as ad
from orchestrator.core import manifest as mf
from orchestrator.engine import manifest_store
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError


def desired(ctx: Ctx) -> ad.Definition:
    return ad.Definition.model_validate(ctx.plan["definition"])


def agent_id(ctx: Ctx) -> str:
    found = ctx.plan.get("agent_id") or ctx.journal.outputs("agent-definition").get("agent_id")
    if found:
        return found
    agent = ba.find_agent(ctx.plan["agent_name"])
    if agent is None:
        raise UserError(f"agent {ctx.plan['agent_name']} does not exist", "run the import again")
    return agent["agentId"]


def alias_description(digest: str, git_sha: str) -> str:
    """The alias says which definition its version was cut from (how a rerun knows it is done)."""
    return f"definition {digest} from git {git_sha[:12]}"


def _same_agent(live: dict, want: ad.Definition) -> bool:
    return ad.from_live(want.name, live, None, want.action_group) == want


class AgentDefinition:
    name = "agent-definition"

    def describe(self, ctx: Ctx) -> str:
        verb = "update (UpdateAgent, whole definition)" if ctx.plan.get("agent_id") else "create"
        return f"{verb} agent {ctx.plan['agent_name']} (DRAFT)"

    def done(self, ctx: Ctx) -> bool:
        live = ba.find_agent(ctx.plan["agent_name"])
        return live is not None and _same_agent(live, desired(ctx))

    def apply(self, ctx: Ctx) -> dict:
        body = ad.agent_body(desired(ctx), ctx.plan["agent_name"], ctx.plan["role_arn"])
        live = ba.find_agent(ctx.plan["agent_name"])
        if live is None:
            return {"agent_id": ba.create_agent(body)["agentId"]}
        return {"agent_id": ba.update_agent(live["agentId"], body)["agentId"]}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError(f"agent {ctx.plan['agent_name']} does not match the definition", "run it again")


class AgentActionGroup:
    name = "agent-action-group"

    def describe(self, ctx: Ctx) -> str:
        return f"action group {desired(ctx).action_group.name} (return of control) on DRAFT"

    def _live(self, ctx: Ctx) -> dict | None:
        return ba.find_action_group(agent_id(ctx), desired(ctx).action_group.name)

    def done(self, ctx: Ctx) -> bool:
        group, want = self._live(ctx), desired(ctx)
        return (
            group is not None and ad.from_live(want.name, _agent_of(want), group, want.action_group) == want
        )

    def apply(self, ctx: Ctx) -> dict:
        body = ad.action_group_body(desired(ctx))
        group = self._live(ctx)
        if group is None:
            return {"action_group_id": ba.create_action_group(agent_id(ctx), body)["actionGroupId"]}
        ids = ad.action_group_update(group)
        return {
            "action_group_id": ba.update_action_group(
                agent_id(ctx), ids.pop("actionGroupId"), {**body, **ids}
            )["actionGroupId"]
        }

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("the action group does not match the definition", "run it again")


def _agent_of(d: ad.Definition) -> dict:
    """A GetAgent-shaped view of the definition, to compare an action group alone."""
    return ad.agent_body(d, d.name, "")


class AgentPrepare:
    name = "agent-prepare"

    def describe(self, ctx: Ctx) -> str:
        return "prepare the DRAFT (PrepareAgent, poll until PREPARED)"

    def done(self, ctx: Ctx) -> bool:
        return ctx.journal.is_done(self.name)  # a prepare is cheap and the only proof of a fresh DRAFT

    def apply(self, ctx: Ctx) -> dict:
        try:
            agent = ba.prepare(agent_id(ctx), tick=lambda s: ctx.echo(f"  agent: {s}"))
        except ba.AgentFailed as err:
            raise UserError(
                str(err), "fix the definition (see the failure reasons), then import again"
            ) from None
        return {"prepared_at": str(agent.get("preparedAt", ""))}

    def verify(self, ctx: Ctx) -> None:
        status = ba.get_agent(agent_id(ctx))["agentStatus"]
        if status != "PREPARED":
            raise UserError(f"the agent is {status}, not PREPARED", "run the import again")


class AgentAlias:
    """Cut a version (alias WITHOUT routing) or route to one (rollback); record which."""

    name = "agent-alias"

    def describe(self, ctx: Ctx) -> str:
        to = ctx.plan.get("to_version")
        what = f"route to version {to}" if to else "cut a new version from DRAFT"
        return f"alias {ctx.plan['alias']}: {what}"

    def _alias(self, ctx: Ctx) -> dict | None:
        return ba.find_alias(agent_id(ctx), ctx.plan["alias"])

    def done(self, ctx: Ctx) -> bool:
        alias = self._alias(ctx)
        if alias is None or alias.get("agentAliasStatus") != "PREPARED":
            return False
        if ctx.plan.get("to_version"):
            return ba.alias_version(alias) == ctx.plan["to_version"]
        return ctx.plan["digest"] in (alias.get("description") or "")

    def apply(self, ctx: Ctx) -> dict:
        alias = ba.point_alias(
            agent_id(ctx),
            ctx.plan["alias"],
            alias_description(ctx.plan["digest"], ctx.plan["git_sha"]),
            ctx.plan.get("to_version"),
        )
        try:
            alias = ba.wait_alias(agent_id(ctx), alias["agentAliasId"])
        except ba.AgentFailed as err:
            raise UserError(str(err), "see the alias in the Bedrock console, then run it again") from None
        return {
            "alias_id": alias["agentAliasId"],
            "alias_arn": alias.get("agentAliasArn", ""),
            "version": ba.alias_version(alias),
        }

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError(f"alias {ctx.plan['alias']} does not serve the planned version", "run it again")


class RecordAgent:
    """The manifest: what the environment's agent alias serves now, and the event (one commit)."""

    name = "record-agent"

    def describe(self, ctx: Ctx) -> str:
        return f"record {ctx.plan['kind']} in releases/manifest.json"

    def done(self, ctx: Ctx) -> bool:
        return any(e.details.get("id") == ctx.journal.id for e in manifest_store.load(ctx.root).events)

    def apply(self, ctx: Ctx) -> dict:
        plan = ctx.plan
        cut = ctx.journal.outputs("agent-alias")
        version = cut.get("version") or plan.get("to_version")
        now = datetime.now(UTC).replace(microsecond=0)
        served = {"digest": plan["digest"], "version": version, "alias": plan["alias"]}

        def change(manifest: mf.Manifest) -> mf.Manifest:
            earlier = manifest.environments.get(plan["env"], mf.Environment()).agents.get(plan["agent"])
            alias_arn = cut.get("alias_arn") or (earlier.alias_arn if earlier else "")
            deployment = mf.AgentDeployment(**served, alias_arn=alias_arn, git_sha=plan["git_sha"], at=now)
            manifest = mf.with_agent(manifest, plan["env"], plan["agent"], deployment)
            details = {
                "id": ctx.journal.id,
                "agents": {plan["agent"]: served},
                "skipped": plan.get("skipped", []),
            }
            return mf.with_event(
                manifest,
                mf.Event(
                    at=now,
                    by=ctx.journal.by,
                    action=plan["kind"],
                    env=plan["env"],
                    component=f"agent:{plan['agent']}",
                    version=version,
                    plan_hash=ctx.journal.plan_hash,
                    details=details,
                ),
            )

        return {"commit": manifest_store.commit_change(ctx.root, change, plan["summary"], push=ctx.push)}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("the manifest change was not committed", "run the command again")


STEPS = {
    s.name: s for s in (AgentDefinition(), AgentActionGroup(), AgentPrepare(), AgentAlias(), RecordAgent())
}
