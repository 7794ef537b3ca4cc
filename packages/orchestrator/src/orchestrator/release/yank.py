"""`inv yank VERSION`: a widget version that must never be promoted, rolled back or pointed to again.

Yanking records the version in the manifest; it deletes nothing (tenants pinned to it keep
loading it). Channels still carrying it are named, so they can be rolled back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from orchestrator.adapters import git as gitx
from orchestrator.core import manifest as mf
from orchestrator.engine import manifest_store
from orchestrator.errors import UserError


def yank(root: Path, version: str, reason: str, component: str = "widget", push: bool = False) -> list[str]:
    """Record the yank; return the `env/channel` places that still carry the version."""
    repo = gitx.open_repo(root)
    manifest = manifest_store.load(Path(repo.working_tree_dir))
    comp = manifest.component(component)
    if version not in comp.releases:
        raise UserError(f"{component} {version} was never released", "check the version with ./inv status")
    if version in comp.yanked:
        raise UserError(f"{component} {version} is already yanked", "nothing to do")
    who = gitx.who(repo)
    now = datetime.now(UTC).replace(microsecond=0)

    def change(m: mf.Manifest) -> mf.Manifest:
        m = mf.with_yank(m, component, version, mf.Yank(at=now, by=who, reason=reason))
        return mf.with_event(
            m,
            mf.Event(
                at=now,
                by=who,
                action="yank",
                component=component,
                version=version,
                details={"reason": reason},
            ),
        )

    manifest_store.commit_change(
        Path(repo.working_tree_dir), change, f"yank {component} {version}", push=push
    )
    return [
        f"{env}/{channel}"
        for env, state in sorted(manifest.environments.items())
        for channel, v in sorted(state.channels.items())
        if v == version and component == "widget"
    ]
