"""Reading and committing `releases/manifest.json` in a repository (the orchestrator is its only writer).

Commands that change the manifest without cutting versions (promote, rollback-widget,
set-channel, yank, ia, reconcile) commit it alone through `commit_change`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from orchestrator.adapters import files
from orchestrator.adapters import git as gitx
from orchestrator.core import manifest as mf
from orchestrator.errors import UserError

MANIFEST = Path("releases/manifest.json")


def load(root: Path) -> mf.Manifest:
    text = files.read_text(root / MANIFEST)
    return mf.parse(text, str(MANIFEST)) if text.strip() else mf.Manifest()


def commit_change(
    root: Path, change: Callable[[mf.Manifest], mf.Manifest], subject: str, push: bool = False
) -> str:
    """Apply `change` to the manifest, write it atomically and commit it alone (then push if asked).

    Other uncommitted work in the tree is left alone; only an uncommitted manifest is refused.
    """
    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    if str(MANIFEST) in gitx.dirty_paths(repo):
        raise UserError(
            f"{MANIFEST} has uncommitted changes", f"commit or discard them (git checkout -- {MANIFEST})"
        )
    updated = change(load(root))
    files.write_atomic(root / MANIFEST, mf.dumps(updated))
    sha = gitx.commit_files(repo, [MANIFEST], f"chore(release): {subject}")
    if push:
        gitx.push_atomic(repo, [])
    return sha


def commit_event(
    root: Path, action: str, env: str | None, details: dict, subject: str, push: bool = False
) -> str:
    """Append one event (who: the git identity, when: now) to the manifest and commit it alone."""
    from datetime import UTC, datetime

    who = gitx.who(gitx.open_repo(root))
    event = mf.Event(
        at=datetime.now(UTC).replace(microsecond=0), by=who, action=action, env=env, details=details
    )
    return commit_change(root, lambda m: mf.with_event(m, event), subject, push=push)
