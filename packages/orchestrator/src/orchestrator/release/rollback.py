"""`inv rollback-widget` and `inv set-channel`: point a channel of an environment at a version.

One server-side copy of the version's loader and one invalidation of exactly that path,
whatever the widget's file count; then the manifest records it. Rollback picks, by default,
the previous good (not yanked) version the channel carried, from the manifest's history.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from semver import Version

from orchestrator.adapters import git as gitx
from orchestrator.core import manifest as mf
from orchestrator.core.release_plan import channel_moves, invalidation_paths
from orchestrator.engine import manifest_store, operation, runner, target
from orchestrator.errors import UserError
from orchestrator.observability import steps as sentry_steps
from orchestrator.release import release
from orchestrator.release.channel_steps import Invalidate, MoveChannels, Smoke
from orchestrator.release.record_steps import RecordEnvironment

CHANNELS = ("latest", "stable", "beta", "alpha", "canary")
STEPS = {s.name: s for s in (MoveChannels(), Invalidate(), Smoke(), RecordEnvironment())}


def _check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise UserError(f"unknown channel {channel!r}", f"choose one of: {', '.join(CHANNELS)}")
    return channel


def _moves(channel: str, version: str) -> dict[str, str]:
    """`latest` and `stable` are one channel under two names: they always move together."""
    return channel_moves("stable", version) if channel in ("latest", "stable") else {channel: version}


def check_version(manifest: mf.Manifest, version: str, channel: str) -> None:
    widget = manifest.component("widget")
    if version not in widget.releases:
        known = ", ".join(str(v) for v in widget.versions()[-5:]) or "none"
        raise UserError(f"widget {version} was never released", f"released versions include: {known}")
    if version in widget.yanked:
        raise UserError(
            f"widget {version} is yanked ({widget.yanked[version].reason or 'no reason given'})",
            "choose another version",
        )
    if channel in ("latest", "stable") and Version.parse(version).prerelease:
        raise UserError(
            f"{channel} carries plain versions, not the prerelease {version}", "use beta, alpha or canary"
        )


def previous_good(manifest: mf.Manifest, env: str, channel: str) -> str:
    """The newest version the channel carried before its current one that is not yanked."""
    name = "stable" if channel == "latest" else channel
    history = mf.channel_history(manifest, env, name)
    current = manifest.environments.get(env, mf.Environment()).channels.get(name)
    yanked = manifest.component("widget").yanked
    earlier = history[: len(history) - 1 - history[::-1].index(current)] if current in history else history
    for version in reversed(earlier):
        if version != current and version not in yanked:
            return version
    raise UserError(
        f"{channel} in {env} has no earlier good version to roll back to", "name one with --to VERSION"
    )


def plan(
    manifest: mf.Manifest, kind: str, env: str, channel: str, version: str, reason: str = ""
) -> dict | None:
    check_version(manifest, version, channel)
    moves = _moves(channel, version)
    current = dict(manifest.environments.get(env, mf.Environment()).channels)
    if all(current.get(c) == v for c, v in moves.items()):
        return None
    return {
        "kind": kind,
        "env": env,
        "components": {"widget": {"version": version}},
        "channels": moves,
        "invalidate": invalidation_paths(moves, {}),
        "steps": ["move-channels", "invalidate", "smoke", "record-environment"],
        "details": {"from": {c: current.get(c) for c in moves}, "reason": reason},
        "summary": f"{kind} widget {env} {'/'.join(moves)} → {version}",
    }


def run(
    root: Path,
    kind: str,
    env: str,
    channel: str,
    to: str | None = None,
    reason: str = "",
    dry_run: bool = False,
    push: bool = False,
    wait: bool = True,
    resume: str | None = None,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
    confirm: Callable[[dict], None] = lambda plan: None,
    tgt: target.Target | None = None,
) -> tuple[dict | None, operation.Outcome | None]:
    """rollback-widget (to=None picks the previous good version) or set-channel (to is required)."""
    _check_channel(channel)
    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    manifest = manifest_store.load(root)
    version = to or previous_good(manifest, env, channel)

    def sentried(p: dict | None) -> dict | None:
        return release.with_sentry(p, kind, {"widget": version}) if p is not None else None

    the_plan = sentried(plan(manifest, kind, env, channel, version, reason))
    if dry_run or (the_plan is None and not resume):
        return the_plan, None
    sentry_steps.preflight(env)
    gitx.require_up_to_date(repo)
    op = operation.Operation(
        kind=kind,
        env=env,
        request={"env": env, "channel": channel, "to": version},
        # Planned again under the lease: the manifest it reads cannot change in between.
        make_plan=lambda: sentried(plan(manifest_store.load(root), kind, env, channel, version, reason)),
        steps_for=lambda p: release.steps_for(p, STEPS),
    )
    outcome = operation.run(
        root, op, tgt or target.resolve(env), gitx.who(repo), resume, push, wait, echo, on_event, confirm
    )
    return (outcome.journal.plan if outcome.journal else the_plan), outcome


# ── rollback-backend: the deploy engine switches or redeploys; the manifest records it ──────
