"""`inv yank VERSION`: a widget version that must never be promoted, rolled back or pointed to again.

Yanking records the version in the manifest; it deletes nothing (tenants pinned to it keep
loading it). Channels still carrying it are named, so they can be rolled back.

A yank changes what every environment may receive, so it runs through the engine holding the
lease of every environment that has an artifact bucket (a promotion planned before the yank
cannot then land the yanked version); its journal lives with the first of them.
"""

from __future__ import annotations

from pathlib import Path

from orchestrator import environments
from orchestrator.adapters import cdn
from orchestrator.adapters import git as gitx
from orchestrator.core import manifest as mf
from orchestrator.deploy.environment_records import RecordEvent
from orchestrator.engine import manifest_store, operation, target
from orchestrator.errors import UserError


def places() -> list[target.Target]:
    """Every environment this account has bootstrapped (its artifact bucket exists)."""
    account = target.account_id()
    found = []
    for name in environments.names():
        bucket = environments.load(name).artifact_bucket(account)
        if cdn.bucket_exists(bucket):
            found.append(target.Target(name, account, bucket))
    if not found:
        raise UserError("no environment is bootstrapped here", "run ./inv bootstrap ENV first")
    return found


def check(manifest: mf.Manifest, component: str, version: str) -> None:
    comp = manifest.component(component)
    if version not in comp.releases:
        raise UserError(f"{component} {version} was never released", "check the version with ./inv status")
    if version in comp.yanked:
        raise UserError(f"{component} {version} is already yanked", "nothing to do")


def plan(root: Path, version: str, reason: str, component: str, home: str) -> dict:
    check(manifest_store.load(root), component, version)
    return {
        "kind": "yank",
        "env": home,
        "record_env": None,  # a yank is about a version, not one environment
        "yank": [[component, version, reason]],
        "event": {"reason": reason},
        "event_fields": {"component": component, "version": version},
        "steps": ["record-environment"],
        "summary": f"yank {component} {version}",
    }


def still_serving(manifest: mf.Manifest, component: str, version: str) -> list[str]:
    return [
        f"{env}/{channel}"
        for env, state in sorted(manifest.environments.items())
        for channel, v in sorted(state.channels.items())
        if v == version and component == "widget"
    ]


def yank(
    root: Path,
    version: str,
    reason: str,
    component: str = "widget",
    push: bool = False,
    dry_run: bool = False,
) -> list[str]:
    """Record the yank; return the `env/channel` places that still carry the version."""
    from orchestrator.deploy import backend_commands

    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    check(manifest_store.load(root), component, version)  # bad input: refused before any lease
    if dry_run:
        return still_serving(manifest_store.load(root), component, version)
    home, *others = places()
    op = operation.Operation(
        kind="yank",
        env=home.env,
        request={"component": component, "version": version},
        make_plan=lambda: plan(root, version, reason, component, home.env),
        steps_for=lambda p: [RecordEvent()],
        needs_cdn=False,
        also_hold=others,
    )
    backend_commands.execute(root, op, home, push=push, echo=lambda s: None)
    return still_serving(manifest_store.load(root), component, version)
