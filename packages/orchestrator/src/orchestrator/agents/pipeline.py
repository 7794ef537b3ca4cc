"""`./inv agent export|import|rollback`: carry an agent between git and an environment.

export   live DRAFT → normalized files under infra/agents/<name>/ (twice in a row: no diff).
import   files → the environment's agent: plan (a diff against the live DRAFT), then, under the
         environment's lease and journal, update the agent, its action group, prepare, cut a
         version through the environment's alias, and record it in the manifest. Nothing
         changed → no plan, no new version.
rollback the alias back to the version it served before (from the manifest), one call.

The embedded AWS (moto 5.2.5) serves create/get/list/delete of agents only. There, the parts
it lacks (UpdateAgent, action groups, PrepareAgent, aliases and the versions they cut) are not
called: the plan lists them under `skipped` and the output says "skipped (emulator)".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator import environments
from orchestrator.adapters import bedrock_agent as ba
from orchestrator.adapters import git as gitx
from orchestrator.agents import files
from orchestrator.agents.steps import STEPS
from orchestrator.core import agent_definition as ad
from orchestrator.core import manifest as mf
from orchestrator.engine import manifest_store, operation, runner, target
from orchestrator.errors import UserError
from orchestrator.local import sandbox

# What moto 5.2.5 does not serve (docs/deployment/README.md "What the emulator does not cover").
EMULATOR_LACKS = {
    "agent-definition:update": "UpdateAgent (moto serves create/get/list/delete of agents only)",
    "agent-action-group": "action groups (CreateAgentActionGroup/GetAgentActionGroup)",
    "agent-prepare": "PrepareAgent",
    "agent-alias": "agent aliases, and the versions they cut",
}


def emulator_skips(emulator: bool | None = None) -> list[str]:
    """What an import cannot do against the embedded AWS (said even when nothing else is to do)."""
    if not (sandbox.active() if emulator is None else emulator):
        return []
    return [f"{step}: {why}" for step, why in EMULATOR_LACKS.items()]


def agent_name(env: str, name: str) -> str:
    return f"{environments.PREFIX}-{env}-{name}"


def role_arn(env: environments.Environment, account: str) -> str:
    configured = env["ai.agent_role_arn"]
    return configured or f"arn:aws:iam::{account}:role/{environments.PREFIX}-{env.name}-bedrock-agent"


# Promotion of an agent is importing, into the next environment, a definition that ran in the
# previous one: nothing reaches qa or prod that did not pass through the environment below.
LADDER = {"qa": "dev", "prod": "qa"}


def check_ladder(manifest: mf.Manifest, env_name: str, name: str, digest: str) -> None:
    source = LADDER.get(env_name)
    if source is None:
        return
    ran = {
        e.details["agents"][name]["digest"]
        for e in manifest.events
        if e.env == source and name in (e.details.get("agents") or {})
    }
    if digest not in ran:
        raise UserError(
            f"agent {name} {digest[:19]} never ran in {source}",
            f"import it to {source} first (./inv agent import --env {source}); qa and prod get only what ran below them",
        )


def _name(root: Path, env: environments.Environment, agent: str) -> str:
    return files.check_name(root, agent or env["ai.agent"])


# ── export ────────────────────────────────────────────────────────────────────────────────


@dataclass
class Exported:
    agent: str
    digest: str
    changed: list[str]
    skipped: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return dict(self.__dict__)


def export(root: Path, env_name: str, agent: str = "", emulator: bool | None = None) -> Exported:
    """Write the live agent's DRAFT as files; return which files changed (none: git has it already)."""
    root = Path(gitx.open_repo(root).working_tree_dir)
    env = environments.load(env_name)
    name = _name(root, env, agent)
    emulator = sandbox.active() if emulator is None else emulator
    live = ba.find_agent(agent_name(env_name, name))
    if live is None:
        raise UserError(
            f"{env_name} has no agent {agent_name(env_name, name)}",
            f"import it first: ./inv agent import --env {env_name}",
        )
    skipped, group = [], None
    current_group = files.read(root, name).action_group if files.folder(root, name).is_dir() else None
    if emulator:
        skipped.append("action group: " + EMULATOR_LACKS["agent-action-group"] + " — the file in git is kept")
    else:
        group = ba.find_action_group(live["agentId"], (current_group or files.generated_action_group()).name)
    definition = ad.from_live(name, live, group, current_group or files.generated_action_group())
    return Exported(name, ad.digest(definition), files.write(root, definition), skipped)


# ── import ────────────────────────────────────────────────────────────────────────────────


def plan(
    root: Path, env_name: str, agent: str = "", emulator: bool | None = None, account: str | None = None
) -> dict | None:
    """What an import would do (None: the environment's agent already is this definition)."""
    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    env = environments.load(env_name)
    name = _name(root, env, agent)
    emulator = sandbox.active() if emulator is None else emulator
    want = files.read(root, name)
    files.check_tools(want, str(files.folder(Path("."), name)))
    digest = ad.digest(want)
    full_name = agent_name(env_name, name)
    manifest = manifest_store.load(root)
    check_ladder(manifest, env_name, name, digest)

    live = ba.find_agent(full_name)
    live_group = None
    steps, skipped = [], []
    if live is None:
        steps.append("agent-definition")
    elif ad.from_live(name, live, None, want.action_group) != want:
        if emulator:
            skipped.append(f"agent-definition: {EMULATOR_LACKS['agent-definition:update']}")
        else:
            steps.append("agent-definition")
    if emulator:
        skipped += [
            f"{step}: {EMULATOR_LACKS[step]}"
            for step in ("agent-action-group", "agent-prepare", "agent-alias")
        ]
    else:
        if live is not None:
            live_group = ba.find_action_group(live["agentId"], want.action_group.name)
        live_def = ad.from_live(name, live, live_group, want.action_group) if live else None
        if live_group is None or (live_def and live_def.action_group != want.action_group):
            steps.append("agent-action-group")
        alias = ba.find_alias(live["agentId"], env_name) if live else None
        if steps or alias is None or digest not in (alias.get("description") or ""):
            steps += ["agent-prepare", "agent-alias"]
    recorded = manifest.environments.get(env_name, mf.Environment()).agents.get(name)
    drifted_but_skipped = any(s.startswith("agent-definition") for s in skipped)
    if not steps and recorded is not None and recorded.digest == digest and not drifted_but_skipped:
        return None
    if steps or not drifted_but_skipped:
        steps.append("record-agent")
    live_def = ad.from_live(name, live, live_group, want.action_group) if live else None
    return {
        "kind": "agent-import",
        "env": env_name,
        "agent": name,
        "agent_name": full_name,
        "agent_id": live["agentId"] if live else None,
        "alias": env_name,
        "digest": digest,
        "git_sha": gitx.head_sha(repo),
        "role_arn": role_arn(env, account or target.account_id()),
        "definition": want.model_dump(mode="json"),
        "steps": steps,  # empty: the only change is one the emulator cannot make (see skipped)
        "skipped": skipped,
        "diff": ad.diff(want, live_def, f"{env_name} DRAFT"),
        # a tool-schema change breaks the agent for sessions in flight: said, like a GraphQL break
        "breaking": ad.tool_schema_breaks(live_def.action_group.functions, want.action_group.functions)
        if live_def and live_group is not None
        else [],
        "summary": f"agent-import {env_name} {name} {digest[:19]}",
    }


def run_import(
    root: Path,
    env_name: str,
    agent: str = "",
    dry_run: bool = False,
    push: bool = False,
    resume: str | None = None,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
    confirm: Callable[[dict], None] = lambda plan: None,
    tgt: target.Target | None = None,
    emulator: bool | None = None,
) -> tuple[dict | None, operation.Outcome | None]:
    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    the_plan = None if resume else plan(root, env_name, agent, emulator, tgt.account if tgt else None)
    if dry_run or (not resume and (the_plan is None or not the_plan["steps"])):
        return the_plan, None
    gitx.require_up_to_date(repo)
    op = operation.Operation(
        kind="agent-import",
        env=env_name,
        request={
            "env": env_name,
            "agent": the_plan["agent"] if the_plan else agent,
            "digest": (the_plan or {}).get("digest"),
        },
        make_plan=lambda: the_plan,
        steps_for=lambda p: [STEPS[name] for name in p["steps"]],
    )
    outcome = operation.run(
        root, op, tgt or target.resolve(env_name), gitx.who(repo), resume, push, True, echo, on_event, confirm
    )
    return the_plan, outcome


# ── rollback ──────────────────────────────────────────────────────────────────────────────


def rollback_plan(
    root: Path, env_name: str, agent: str = "", to: str = "", emulator: bool | None = None
) -> dict:
    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    env = environments.load(env_name)
    name = agent or env["ai.agent"]
    emulator = sandbox.active() if emulator is None else emulator
    manifest = manifest_store.load(root)
    current = manifest.environments.get(env_name, mf.Environment()).agents.get(name)
    history = mf.agent_history(manifest, env_name, name)
    if current is None or current.version is None:
        raise UserError(
            f"the manifest records no agent version for {name} in {env_name}",
            "nothing to roll back to (the embedded AWS cuts no versions)"
            if emulator
            else f"import it first: ./inv agent import --env {env_name}",
        )
    earlier = [h for h in history if h["version"] != current.version]
    chosen = next((h for h in reversed(earlier) if not to or h["version"] == to), None)
    if chosen is None:
        known = ", ".join(h["version"] for h in history) or "none"
        raise UserError(
            f"{name} in {env_name} has no earlier version {to or ''} to roll back to".replace("  ", " "),
            f"versions this alias served: {known}",
        )
    if emulator:
        raise UserError(
            "the embedded AWS serves no agent aliases",
            "roll back against AWS, or test it with the Stubber tests",
        )
    live = ba.find_agent(agent_name(env_name, name))
    if live is None:
        raise UserError(
            f"{env_name} has no agent {agent_name(env_name, name)}", f"./inv agent import --env {env_name}"
        )
    return {
        "kind": "agent-rollback",
        "env": env_name,
        "agent": name,
        "agent_name": agent_name(env_name, name),
        "agent_id": live["agentId"],
        "alias": env_name,
        "to_version": chosen["version"],
        "digest": chosen["digest"],
        "git_sha": gitx.head_sha(repo),
        "steps": ["agent-alias", "record-agent"],
        "details": {"from": current.version},
        "summary": f"agent-rollback {env_name} {name} {current.version} → {chosen['version']}",
    }


def run_rollback(
    root: Path,
    env_name: str,
    agent: str = "",
    to: str = "",
    dry_run: bool = False,
    push: bool = False,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
    confirm: Callable[[dict], None] = lambda plan: None,
    tgt: target.Target | None = None,
    emulator: bool | None = None,
) -> tuple[dict, operation.Outcome | None]:
    repo = gitx.open_repo(root)
    the_plan = rollback_plan(root, env_name, agent, to, emulator)
    if dry_run:
        return the_plan, None
    gitx.require_up_to_date(repo)
    op = operation.Operation(
        kind="agent-rollback",
        env=env_name,
        request={"env": env_name, "agent": the_plan["agent"], "to": the_plan["to_version"]},
        make_plan=lambda: the_plan,
        steps_for=lambda p: [STEPS[name] for name in p["steps"]],
    )
    root = Path(repo.working_tree_dir)
    outcome = operation.run(
        root, op, tgt or target.resolve(env_name), gitx.who(repo), None, push, True, echo, on_event, confirm
    )
    return the_plan, outcome


# ── drift (for `inv status`) ─────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class AgentDrift:
    agent: str
    recorded: str | None  # the digest the manifest says was imported
    live: str | None  # the digest of the live DRAFT (None: no agent)
    git: str | None  # the digest of the files in git
    reason: str


def drift(root: Path, manifest: mf.Manifest, env_name: str, emulator: bool | None = None) -> list[AgentDrift]:
    """Each recorded agent whose live DRAFT or git definition is not what was imported."""
    emulator = sandbox.active() if emulator is None else emulator
    out = []
    for name, recorded in sorted(manifest.environments.get(env_name, mf.Environment()).agents.items()):
        want = files.read(root, name) if name in files.names(root) else None
        live = ba.find_agent(agent_name(env_name, name))
        group = None
        if live is not None and not emulator and want is not None:
            group = ba.find_action_group(live["agentId"], want.action_group.name)
        fallback = want.action_group if want else files.generated_action_group()
        live_digest = ad.digest(ad.from_live(name, live, group, fallback)) if live else None
        git_digest = ad.digest(want) if want else None
        if live_digest != recorded.digest:
            why = "the live DRAFT is not what was imported (console edit? ./inv agent export shows it)"
            out.append(AgentDrift(name, recorded.digest, live_digest, git_digest, why))
        elif git_digest != recorded.digest:
            why = f"git's definition is not imported yet (./inv agent import --env {env_name})"
            out.append(AgentDrift(name, recorded.digest, live_digest, git_digest, why))
    return out
