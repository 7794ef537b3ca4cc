"""`inv release`: one plan, applied step by step, journaled, locked, resumable (DESIGN §7).

preflight (git, credentials, buckets, distribution, lock) → versions → build once → upload
content-addressed → publish the immutable version → deploy the backend → move channels →
invalidate → smoke → commit manifest + changelog, tag → push.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestrator import environments
from orchestrator.adapters import git as gitx
from orchestrator.core import release_plan, sentry_calls
from orchestrator.deploy.backend_steps import DeployBackend
from orchestrator.engine import operation, runner, target
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError
from orchestrator.observability import settings as sentry_settings
from orchestrator.observability import steps as sentry_steps
from orchestrator.release import version as versions
from orchestrator.release.channel_steps import Invalidate, MoveChannels, Smoke
from orchestrator.release.record_steps import Push, RecordRelease
from orchestrator.release.widget_steps import BuildWidget, PublishWidget, UploadWidget, artifact_files

STEPS = {
    step.name: step
    for step in (
        BuildWidget(),
        UploadWidget(),
        PublishWidget(),
        DeployBackend(),
        MoveChannels(),
        Invalidate(),
        Smoke(),
        RecordRelease(),
        Push(),
    )
}


@dataclass(frozen=True)
class Request:
    env: str = "dev"
    channel: str = "stable"
    component: str | None = None
    bump: str | None = None
    push: bool = False

    def key(self) -> dict:
        """What makes a rerun 'the same command' (and so resume the unfinished release)."""
        return {"env": self.env, "channel": self.channel, "component": self.component, "bump": self.bump}


def plan(root: Path, req: Request, current_channels: dict[str, str] | None = None) -> dict | None:
    """The release plan, from git alone (no credentials). None when there is nothing to release."""
    vplan = versions.plan(root, req.component, req.channel, req.bump)
    if current_channels is None:
        env = versions.load_manifest(vplan.root).environments.get(req.env)
        current_channels = dict(env.channels) if env else {}
    releasing = {
        p.name: {
            "version": str(p.decision.next),
            "tag": p.tag,
            "current": str(p.decision.current or "") or None,
        }
        for p in vplan.releasing
    }
    if not releasing:
        return None
    out = release_plan.release_plan(
        req.env, req.channel, vplan.head_sha, releasing, current_channels, req.bump, req.push
    )
    return with_sentry(out, "release", {n: c["version"] for n, c in releasing.items()}, vplan.head_sha)


def with_sentry(plan: dict, kind: str, versions: dict[str, str], head_sha: str | None = None) -> dict:
    """The plan with its Sentry calls (none when the environment does not report to Sentry),
    run after everything else changed and before the record (so a crash still resumes them)."""
    if not sentry_settings.settings(environments.load(plan["env"])).enabled:
        return plan
    calls = sentry_calls.calls(kind, plan["env"], versions, head_sha)
    steps = list(plan["steps"])
    at = next((i for i, name in enumerate(steps) if name.startswith("record")), len(steps))
    return {**plan, "steps": steps[:at] + [c["id"] for c in calls] + steps[at:], "sentry": calls}


def steps_for(plan: dict, steps: dict | None = None) -> list:
    known = {**(steps or STEPS), **{s.name: s for s in sentry_steps.steps_for(plan, artifact_files)}}
    return [known[name] for name in plan["steps"]]


def sentry_preflight(env: str) -> None:
    """Exit 2 before anything changes when the environment reports to Sentry without SENTRY_*."""
    sentry_settings.preflight(sentry_settings.settings(environments.load(env)), os.environ)


def run(
    root: Path,
    req: Request,
    resume: str | None = None,
    wait: bool = True,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
    confirm: Callable[[dict], None] = lambda plan: None,
    tgt: target.Target | None = None,
) -> operation.Outcome:
    """Apply (or resume) a release. `tgt` is resolved from the environment unless given."""
    repo = versions.preflight(root)
    root = Path(repo.working_tree_dir)
    sentry_preflight(req.env)
    tgt = tgt or target.resolve(req.env)

    def head_unchanged(journal, ctx: Ctx) -> None:
        if gitx.head_sha(repo) != journal.plan["head_sha"] and not STEPS["record"].done(ctx):
            raise UserError(
                f"HEAD moved since release {journal.id} started at {journal.plan['head_sha'][:7]}",
                f"check out {journal.plan['head_sha'][:7]} to resume it",
            )

    op = operation.Operation(
        kind="release",
        env=req.env,
        request=req.key(),
        make_plan=lambda: plan(root, req),
        steps_for=steps_for,
        resume_check=head_unchanged,
    )
    return operation.run(root, op, tgt, gitx.who(repo), resume, req.push, wait, echo, on_event, confirm)
