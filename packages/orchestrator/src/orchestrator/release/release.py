"""`inv release`: one plan, applied step by step, journaled, locked, resumable (DESIGN §7).

preflight (git, credentials, buckets, distribution, lock) → versions → build once → upload
content-addressed → publish the immutable version → deploy the backend → move channels →
invalidate → smoke → commit manifest + changelog, tag → push.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestrator.adapters import git as gitx
from orchestrator.core import release_plan
from orchestrator.deploy.backend_steps import DeployBackend
from orchestrator.engine import operation, runner, target
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError
from orchestrator.release import version as versions
from orchestrator.release.channel_steps import Invalidate, MoveChannels, Smoke
from orchestrator.release.record_steps import Push, RecordRelease
from orchestrator.release.widget_steps import BuildWidget, PublishWidget, UploadWidget

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
    return release_plan.release_plan(
        req.env, req.channel, vplan.head_sha, releasing, current_channels, req.bump, req.push
    )


def steps_for(plan: dict) -> list:
    return [STEPS[name] for name in plan["steps"]]


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
