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
from orchestrator.core import release_plan, sentry_calls
from orchestrator.deploy.backend_steps import DeployBackend
from orchestrator.engine import operation, runner, target
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError
from orchestrator.observability import steps as sentry_steps
from orchestrator.release import compat_gate
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
    manifest = versions.load_manifest(vplan.root)
    if current_channels is None:
        env = manifest.environments.get(req.env)
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
    checked = graphql_gate(vplan.root, manifest, req, releasing, vplan.head_sha)
    out = {**out, "graphql": checked} if checked else out
    return with_sentry(out, "release", {n: c["version"] for n, c in releasing.items()}, vplan.head_sha)


def graphql_gate(root: Path, manifest, req: Request, releasing: dict, head_sha: str) -> dict | None:
    """The GraphQL compatibility gate (refuses on a break): the backend this release leaves in
    the environment — the one it builds from HEAD, else the one running there — against every
    widget live there and the widget it builds (its operations read from HEAD)."""
    if "backend" in releasing:
        backend, sha = f"{releasing['backend']['version']} (HEAD {head_sha[:7]})", head_sha
    else:
        backend, sha = compat_gate.env_backend(manifest, req.env)
    extra = {}
    if "widget" in releasing:
        ops = compat_gate.widget_operations_at(root, head_sha)
        extra[releasing["widget"]["version"]] = (f"releasing to {req.channel}", ops)
    return compat_gate.run(root, manifest, req.env, backend, sha, extra)


def with_sentry(plan: dict, kind: str, versions: dict[str, str], head_sha: str | None = None) -> dict:
    """The plan with the Sentry calls of this `kind` of command (observability.steps places them)."""
    return sentry_steps.with_calls(plan, sentry_calls.calls(kind, plan["env"], versions, head_sha))


def steps_for(plan: dict, steps: dict | None = None) -> list:
    known = {**(steps or STEPS), **{s.name: s for s in sentry_steps.steps_for(plan, artifact_files)}}
    return [known[name] for name in plan["steps"]]


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
    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    if not resume:
        gitx.require_clean(repo)  # a dirty tree is refused before anything else
    sentry_steps.preflight(req.env)
    tgt = tgt or target.resolve(req.env)

    def fresh_plan() -> dict | None:
        versions.preflight(root)  # under the lease: the plan is made from this very tree
        return plan(root, req)

    def head_unchanged(journal, ctx: Ctx) -> None:
        recover_record(repo, journal, ctx)  # may move a diverged branch back onto its upstream
        versions.preflight(root)
        head, built = gitx.head_sha(repo), journal.plan["head_sha"]
        if head == built or STEPS["record"].done(ctx):
            return
        built_all = all(journal.is_done(s) for s in journal.plan["steps"] if s not in ("record", "push"))
        if not (built_all and gitx.is_ancestor(repo, built, head)):
            raise UserError(
                f"HEAD moved since release {journal.id} started at {built[:7]}",
                f"check out {built[:7]} to resume it, or ./inv release --abandon {journal.id} --reason …",
            )
        ctx.echo(f"main moved since {built[:7]}: the release commit is rebuilt on top of {head[:7]}")

    op = operation.Operation(
        kind="release",
        env=req.env,
        request=req.key(),
        make_plan=fresh_plan,
        steps_for=steps_for,
        resume_check=head_unchanged,
    )
    return operation.run(root, op, tgt, gitx.who(repo), resume, req.push, wait, echo, on_event, confirm)


def recover_record(repo, journal, ctx: Ctx) -> None:
    """A release whose push failed never blocks the environment.

    The journal says `record` is done, but its tags are not on the remote: the push was refused
    because main moved, or the runner that made the commit died. Then the record is made again
    on top of the current upstream — after dropping a local, never-pushed release commit and its
    tags (only ever that: the branch must be exactly one commit, the release's, ahead).
    """
    if not journal.is_done("record") or "push" not in journal.plan["steps"] or STEPS["push"].done(ctx):
        return
    tags = [c["tag"] for c in journal.plan["components"].values()]
    local = [t for t in tags if t in repo.tags]
    if local:
        tracking = repo.active_branch.tracking_branch()
        if tracking is None:
            return
        repo.remote(tracking.remote_name).fetch(prune=False)
        if gitx.is_ancestor(repo, tracking.commit.hexsha, gitx.head_sha(repo)):
            return  # upstream did not move: the push can simply be tried again
        made = repo.tags[local[0]].commit.hexsha
        ahead = repo.git.rev_list(f"{tracking.name}..HEAD").split()
        if ahead != [made]:
            raise UserError(
                f"{repo.active_branch.name} has other unpushed commits besides the release commit {made[:7]}",
                f"push or drop them, or ./inv release --abandon {journal.id} --reason …",
            )
        for tag in local:
            repo.delete_tag(repo.tags[tag])
        repo.git.reset("--keep", tracking.name)  # refuses rather than lose uncommitted work
    for step in ("record", "push"):
        journal.steps.pop(step, None)
    journal.save()
    ctx.echo(f"release {journal.id}: its record never reached the remote; recording it again on the new main")


def abandon(root: Path, env: str, journal_id: str, reason: str, tgt: target.Target | None = None) -> dict:
    """`./inv release --abandon ID --reason …`: close an unfinished release with who and why,
    and say what is live (the channel pointers it meant to move, which steps had run)."""
    from orchestrator.engine import journal as journals
    from orchestrator.release.channel_steps import pointer_version

    tgt = tgt or target.resolve(env)
    found = journals.load(tgt.artifact_bucket, env, journal_id)
    if found is not None and found.kind != "release":
        raise UserError(f"{journal_id} is a {found.kind}, not a release", f"./inv abandon {env} {journal_id}")
    closed = operation.abandon(tgt, env, journal_id, gitx.who(gitx.open_repo(root)), reason)
    live = {c: pointer_version(tgt.widget_bucket, c) for c in closed.plan.get("channels", {})}
    return {
        "abandoned": journal_id,
        "reason": reason,
        "steps_done": list(closed.steps),
        "live_channels": live,
        "note": "channels moved by this release stay where they are; roll them back with ./inv rollback-widget if needed",
    }
