"""`inv release`: one plan, applied step by step, journaled, locked, resumable (DESIGN §7).

preflight (git, credentials, buckets, distribution, lock) → versions → build once → upload
content-addressed → publish the immutable version → deploy the backend → move channels →
invalidate → smoke → commit manifest + changelog, tag → push.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestrator import journal as journals
from orchestrator import lock, runner, target, versions
from orchestrator.adapters import cdn
from orchestrator.adapters import git as gitx
from orchestrator.core import release_plan
from orchestrator.errors import UserError
from orchestrator.steps.channels import Invalidate, MoveChannels, Smoke
from orchestrator.steps.context import Ctx
from orchestrator.steps.record import Push, RecordRelease
from orchestrator.steps.widget import BuildWidget, PublishWidget, UploadWidget

STEPS = {
    step.name: step
    for step in (
        BuildWidget(),
        UploadWidget(),
        PublishWidget(),
        MoveChannels(),
        Invalidate(),
        Smoke(),
        RecordRelease(),
        Push(),
    )
}


def _deploy_backend_step():
    from orchestrator.steps.backend import DeployBackend

    return DeployBackend()


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
    return release_plan.release_plan(
        req.env, req.channel, vplan.head_sha, releasing, current_channels, req.bump, req.push
    )


def steps_for(plan: dict) -> list:
    return [_deploy_backend_step() if name == "deploy-backend" else STEPS[name] for name in plan["steps"]]


@dataclass(frozen=True)
class Outcome:
    journal: journals.Journal | None
    resumed: bool


def run(
    root: Path,
    req: Request,
    resume: str | None = None,
    wait: bool = True,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
    confirm: Callable[[dict], None] = lambda plan: None,
    tgt: target.Target | None = None,
) -> Outcome:
    """Apply (or resume) a release. `tgt` is resolved from the environment unless given."""
    repo = versions.preflight(root)
    root = Path(repo.working_tree_dir)
    tgt = tgt or target.resolve(req.env)
    if not cdn.distribution_exists(tgt.distribution_id):
        raise UserError(
            f"CloudFront distribution {tgt.distribution_id!r} is not reachable",
            f"check ./inv status --env {req.env}",
        )
    lease = lock.acquire(tgt.artifact_bucket, req.env, gitx.who(repo), "release")
    try:
        journal, resumed = _journal(root, req, tgt, resume, gitx.who(repo))
        if journal is None:
            return Outcome(None, False)
        ctx = Ctx(
            root=root, target=tgt, plan=journal.plan, journal=journal, push=req.push, wait=wait, echo=echo
        )
        if not resumed:
            confirm(journal.plan)
            journal.save()
        elif gitx.head_sha(repo) != journal.plan["head_sha"] and not STEPS["record"].done(ctx):
            raise UserError(
                f"HEAD moved since release {journal.id} started at {journal.plan['head_sha'][:7]}",
                f"check out {journal.plan['head_sha'][:7]} to resume it",
            )
        runner.run(steps_for(journal.plan), journal, ctx, on_event)
        return Outcome(journal, resumed)
    finally:
        lock.release(tgt.artifact_bucket, lease)


def _journal(root, req: Request, tgt: target.Target, resume: str | None, who: str):
    if resume:
        found = journals.load(tgt.artifact_bucket, req.env, resume)
        if found is None:
            raise UserError(f"no release {resume} in {req.env}", f"see ./inv status --env {req.env}")
        if found.status == "done":
            raise UserError(f"release {resume} already finished", "nothing to resume")
        return found, True
    for unfinished in journals.unfinished(tgt.artifact_bucket, req.env):
        if unfinished.kind == "release" and unfinished.request == req.key():
            return unfinished, True
        raise UserError(
            f"{req.env} has an unfinished {unfinished.kind} {unfinished.id} started by {unfinished.by}",
            f"resume it with ./inv release --resume {unfinished.id} --env {req.env}",
        )
    p = plan(root, req)
    if p is None:
        return None, False
    return (
        journals.Journal(
            bucket=tgt.artifact_bucket,
            id=journals.new_id("release"),
            env=req.env,
            kind="release",
            request=req.key(),
            plan=p,
            plan_hash=release_plan.plan_hash(p),
            by=who,
        ),
        False,
    )
