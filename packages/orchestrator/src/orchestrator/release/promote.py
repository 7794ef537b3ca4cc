"""`inv promote qa|prod`: the same bytes and templates one rung up the ladder dev → qa → prod.

By default it promotes what the previous environment runs. It copies (never rebuilds), deploys
the backend (blue/green in prod), moves stable/latest, invalidates, smoke-tests and records
the promotion with its approver and plan hash. qa needs --approve; prod needs --approve and a
checklist bound to the plan hash, every item of which the tool verifies itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from semver import Version

from orchestrator.adapters import aws
from orchestrator.adapters import git as gitx
from orchestrator.core import checklist as cl
from orchestrator.core import manifest as mf
from orchestrator.core.release_plan import channel_moves, invalidation_paths, plan_hash
from orchestrator.deploy.backend_steps import DeployPromotedBackend
from orchestrator.engine import manifest_store, operation, runner, target
from orchestrator.errors import UserError
from orchestrator.observability import steps as sentry_steps
from orchestrator.release import canary as canary_release
from orchestrator.release import compat_gate, release
from orchestrator.release.channel_steps import Invalidate, MoveChannels, Smoke
from orchestrator.release.promotion_steps import CopyWidget
from orchestrator.release.record_steps import RecordEnvironment
from orchestrator.release.widget_steps import PublishWidget

LADDER = {"qa": "dev", "prod": "qa"}
STEPS = {
    s.name: s
    for s in (
        CopyWidget(),
        PublishWidget(),
        DeployPromotedBackend(),
        MoveChannels(),
        Invalidate(),
        Smoke(),
        RecordEnvironment(),
        canary_release.WriteRouting(),
    )
}


def source_of(env: str) -> str:
    if env not in LADDER:
        raise UserError(f"{env} cannot be promoted to", "the ladder is dev → qa → prod: promote qa or prod")
    return LADDER[env]


def parse_versions(text: str) -> dict[str, str]:
    """`widget=1.4.0,backend=2.1.0` → {"widget": "1.4.0", "backend": "2.1.0"}."""
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, version = part.partition("=")
        if not sep or name not in ("widget", "backend") or not version:
            raise UserError(f"bad --version {part!r}", "use --version widget=1.4.0,backend=2.1.0")
        out[name] = version
    return out


def ran_in(manifest: mf.Manifest, env: str, component: str, version: str) -> bool:
    """Did `env` ever run this version (a release or promotion there recorded it)?"""
    return any(
        e.env == env and (e.details.get("versions") or {}).get(component) == version for e in manifest.events
    )


def plan(manifest: mf.Manifest, env: str, requested: dict[str, str] | None = None) -> dict | None:
    source = source_of(env)
    src_state = manifest.environments.get(source, mf.Environment())
    dst_state = manifest.environments.get(env, mf.Environment())
    wanted = dict(requested or {})
    if not wanted:
        if src_state.channels.get("stable"):
            wanted["widget"] = src_state.channels["stable"]
        if src_state.backend:
            wanted["backend"] = src_state.backend.version
    if not wanted:
        raise UserError(f"{source} runs nothing to promote yet", f"release to {source} first")
    components = {}
    for name, version in sorted(wanted.items()):
        comp = manifest.component(name)
        if version not in comp.releases:
            raise UserError(f"{name} {version} was never released", "check the version with ./inv status")
        if version in comp.yanked:
            raise UserError(f"{name} {version} is yanked", "it is never promoted again")
        if name == "widget" and Version.parse(version).prerelease:
            # A promotion moves stable/latest, which carry plain versions (as rollback and set-channel hold).
            raise UserError(
                f"stable/latest carry plain versions, not the prerelease widget {version}",
                "release a plain version, or point beta/canary at it with ./inv set-channel",
            )
        if not ran_in(manifest, source, name, version):
            raise UserError(
                f"{name} {version} never ran in {source}",
                f"nothing reaches {env} that did not pass through {source}",
            )
        already = (
            dst_state.channels.get("stable")
            if name == "widget"
            else (dst_state.backend.version if dst_state.backend else None)
        )
        if already == version:
            continue
        entry = {"version": version}
        if name == "widget":
            entry["digests"] = {f: a.sha256 for f, a in comp.releases[version].artifacts.items()}
        components[name] = entry
    if not components:
        return None
    moves = channel_moves("stable", components["widget"]["version"]) if "widget" in components else {}
    steps = (["copy-widget", "publish-widget"] if "widget" in components else []) + (
        ["deploy-backend"] if "backend" in components else []
    )
    steps += (["move-channels", "invalidate", "smoke"] if moves else []) + ["record-environment"]
    return {
        "kind": "promote",
        "env": env,
        "from": source,
        "components": components,
        "channels": moves,
        "invalidate": invalidation_paths(moves, dict(dst_state.channels)),
        "steps": steps,
        "summary": "promote "
        + ", ".join(f"{n} {c['version']}" for n, c in components.items())
        + f" {source} → {env}",
    }


# ── the prod checklist's facts, gathered by the tool itself ─────────────────────────────────


def facts(root: Path, manifest: mf.Manifest, the_plan: dict) -> dict[str, str | None]:
    """item → None when verified, else the reason it does not hold."""
    qa = the_plan["from"]
    versions = {n: c["version"] for n, c in the_plan["components"].items()}
    out: dict[str, str | None] = {}
    missing = [f"{n} {v}" for n, v in versions.items() if not ran_in(manifest, qa, n, v)]
    out["qa_ran_this_version"] = f"{', '.join(missing)} never ran in {qa}" if missing else None
    smoked = [
        e
        for e in manifest.events
        if e.env == qa
        and (e.details.get("smoke") or {}).get("passed")
        and all((e.details.get("versions") or {}).get(n) == v for n, v in versions.items() if n == "widget")
    ]
    out["qa_smoke_passed"] = (
        None
        if smoked or "widget" not in versions
        else f"no passed smoke test of widget {versions['widget']} in {qa}"
    )
    out["no_qa_alarm_firing"] = _alarms(qa)
    changelog = (
        (root / "CHANGELOG.md").read_text(encoding="utf-8") if (root / "CHANGELOG.md").exists() else ""
    )
    absent = [
        f"{n} {v}"
        for n, v in versions.items()
        if f"## {n} {v} " not in changelog or not manifest.component(n).releases[v].changelog
    ]
    out["changelog_entry_present"] = f"no changelog entry for {', '.join(absent)}" if absent else None
    out["no_graphql_break"] = _graphql(root, manifest, the_plan)
    out["no_stateful_resource_replaced"] = _stateful(the_plan)
    return out


def _alarms(env: str) -> str | None:
    # The trailing dash keeps to this environment's alarms (bookingchat-<env>-*), which is also
    # all the deploy role may describe (infra/github-oidc.yaml; tests/contracts IAM contract).
    firing = aws.client("cloudwatch").describe_alarms(
        AlarmNamePrefix=f"bookingchat-{env}-", StateValue="ALARM"
    )
    names = [a["AlarmName"] for a in firing.get("MetricAlarms", []) + firing.get("CompositeAlarms", [])]
    return f"alarm(s) firing in {env}: {', '.join(names)}" if names else None


def _graphql(root: Path, manifest: mf.Manifest, the_plan: dict) -> str | None:
    """The checklist's `no_graphql_break` fact: the same gate every promote runs, as a reason."""
    try:
        graphql_gate(root, manifest, the_plan)
    except UserError as err:
        return err.message
    return None


def graphql_gate(root: Path, manifest: mf.Manifest, the_plan: dict) -> dict | None:
    """The GraphQL compatibility gate of every promote (refuses on a break): the backend the
    environment will run — the promoted one, else its current one — against every widget live
    there (channels, canary routing) and the promoted widget."""
    env = the_plan["env"]
    if "backend" in the_plan["components"]:
        backend = the_plan["components"]["backend"]["version"]
        sha = manifest.component("backend").releases[backend].git_sha
    else:
        backend, sha = compat_gate.env_backend(manifest, env)
    extra = {}
    if "widget" in the_plan["components"]:
        version = the_plan["components"]["widget"]["version"]
        where = "promoted to canary" if "routing" in the_plan else "promoted to stable/latest"
        extra[version] = (where, dict(manifest.component("widget").releases[version].graphql_operations))
    return compat_gate.run(root, manifest, env, backend, sha, extra)


def _stateful(the_plan: dict) -> str | None:
    if "backend" not in the_plan["components"]:
        return None
    from orchestrator.deploy import backend_promotion

    try:
        backend_promotion.deploy_copied(
            the_plan["from"],
            the_plan["env"],
            the_plan["components"]["backend"]["version"],
            echo=lambda s: None,
            dry_run=True,
        )
    except UserError as err:
        return f"the change-set preview refuses: {err.message}"
    return None


# ── running it ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Approval:
    approve: bool = False
    checklist: Path | None = None
    # Who approved, when known better than the git identity (CI: the environment's reviewer).
    approver: str | None = None


def require_approval(root: Path, manifest: mf.Manifest, the_plan: dict, approval: Approval, who: str) -> str:
    """The approval text recorded with the promotion, or a refusal listing every reason."""
    env = the_plan["env"]
    if not approval.approve:
        raise UserError(
            f"promoting to {env} needs an approval",
            "pass --approve (in CI: the GitHub environment's reviewers)",
        )
    if env != "prod":
        return f"approved by {approval.approver or who}"
    if approval.checklist is None:
        raise UserError(
            "prod needs a checklist",
            "write one (./inv promote prod --dry-run prints the plan hash) and pass --checklist FILE",
        )
    checklist = cl.parse(approval.checklist)
    problems = cl.failures(checklist, plan_hash(the_plan), facts(root, manifest, the_plan))
    if problems:
        raise UserError("prod checklist refused: " + "; ".join(problems), "fix what it names, then run again")
    return f"approved by {checklist.approver} with checklist for {checklist.plan_hash}"


def run(
    root: Path,
    env: str,
    versions: str = "",
    approval: Approval = Approval(),
    dry_run: bool = False,
    push: bool = False,
    wait: bool = True,
    resume: str | None = None,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
    confirm: Callable[[dict], None] = lambda plan: None,
    tgt: target.Target | None = None,
    source: target.Target | None = None,
    canary: dict | None = None,  # {"tenants": "a,b", "percent": "10"}: promote onto canary only
) -> tuple[dict | None, operation.Outcome | None]:
    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    manifest = manifest_store.load(root)
    the_plan = plan(manifest, env, parse_versions(versions))
    if canary:
        tgt = tgt or target.resolve(env)

    def shaped(p: dict | None, m) -> dict | None:
        """The plan with its Sentry steps and, onto canary only, shaped by the routing object;
        then through the GraphQL gate (a break refuses here, before anything is written)."""
        if p is None:
            return None
        p = release.with_sentry(p, "promote", {n: c["version"] for n, c in p["components"].items()})
        p = canary_release.promotion_on_canary(p, m, tgt, canary) if canary else p
        checked = graphql_gate(root, m, p)
        return {**p, "graphql": checked} if checked else p

    the_plan = shaped(the_plan, manifest)  # before the dry run: the prod checklist signs this plan's hash
    if dry_run or (the_plan is None and not resume):
        return the_plan, None
    sentry_steps.preflight(env)
    gitx.require_up_to_date(repo)
    who = gitx.who(repo)

    def approved_plan() -> dict | None:
        """Planned again under the lease, and approved there: the checklist is bound to this plan's
        hash, and its facts (alarms, change-set preview) are read while nobody changes the env."""
        fresh_manifest = manifest_store.load(root)
        fresh = shaped(plan(fresh_manifest, env, parse_versions(versions)), fresh_manifest)
        if fresh is not None:
            fresh["approval"] = require_approval(root, fresh_manifest, fresh, approval, who)
        return fresh

    op = operation.Operation(
        kind="promote",
        env=env,
        request={"env": env, "versions": versions, **({"canary": canary} if canary else {})},
        make_plan=approved_plan,
        steps_for=lambda p: release.steps_for(p, STEPS),
        source=source or target.resolve(source_of(env)),
    )
    outcome = operation.run(
        root, op, tgt or target.resolve(env), who, resume, push, wait, echo, on_event, confirm
    )
    return (outcome.journal.plan if outcome.journal else the_plan), outcome
