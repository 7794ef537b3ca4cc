"""`./inv reconcile ENV`: put the channel pointers back to what the manifest says.

Only pointers that drifted are touched: each is one server-side copy of its version's loader
(`steps.channels.move`, which refuses a version whose files are not all published), then ONE
CloudFront invalidation of exactly the changed paths. A pointer the manifest does not know is
reported and left alone (a tenant may embed it; removing it is a decision, not a repair).
Backend drift is reported, never redeployed here: that is `./inv deploy` / `./inv rollback-backend`.
The environment lock is held throughout; the repair is recorded as an event in the manifest.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator.adapters import cdn
from orchestrator.adapters import git as gitx
from orchestrator.board import status
from orchestrator.core import manifest as mf
from orchestrator.engine import lease as lock
from orchestrator.engine import manifest_store, target
from orchestrator.errors import UserError
from orchestrator.release import channel_steps as channels


@dataclass
class Plan:
    env: str
    moves: dict[str, str] = field(default_factory=dict)  # channel → version to restore
    invalidate: list[str] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)  # drift this command does not repair
    invalidation_id: str | None = None
    commit: str | None = None
    applied: bool = False

    def to_json(self) -> dict:
        return dict(self.__dict__)


def plan(manifest: mf.Manifest, env: str, tgt: target.Target) -> Plan:
    """What would change: one pointer copy per drifted channel, one invalidation of those paths."""
    _, drift = status.channel_drift(manifest, env, tgt.widget_bucket)
    p = Plan(env)
    for d in drift:
        if d.manifest is None:
            p.left_alone.append(f"{d.describe()} — not in the manifest, left alone")
        else:
            p.moves[d.name] = d.manifest
    p.invalidate = sorted(channels.pointer_path(c) for c in p.moves)
    return p


def run(
    root: Path,
    env: str,
    dry_run: bool = False,
    wait: bool = True,
    push: bool = False,
    tgt: target.Target | None = None,
    echo: Callable[[str], None] = print,
) -> Plan:
    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    tgt = tgt or target.resolve(env)
    if dry_run:
        return plan(manifest_store.load(root), env, tgt)
    with lock.hold(tgt.artifact_bucket, env, gitx.who(repo), "reconcile") as lease:
        p = plan(manifest_store.load(root), env, tgt)  # under the lock: nobody moves pointers now
        if not p.moves:
            return p
        for channel, version in sorted(p.moves.items()):
            lease.check()  # stop before touching a pointer if the lease was broken meanwhile
            echo(f"  {channel} → {version}")
            channels.move(tgt.artifact_bucket, tgt.widget_bucket, channel, version)
        p.invalidation_id = cdn.invalidate(tgt.distribution_id, p.invalidate, f"reconcile-{uuid.uuid4().hex}")
        if wait:
            cdn.wait_invalidation(
                tgt.distribution_id,
                p.invalidation_id,
                tick=lambda s: echo(f"  invalidation {p.invalidation_id}: {s}"),
            )
        _, left = status.channel_drift(manifest_store.load(root), env, tgt.widget_bucket)
        if still := [d.describe() for d in left if d.name in p.moves]:
            raise UserError("pointers still drift after reconcile: " + "; ".join(still), "run it again")
        p.applied = True
        p.commit = manifest_store.commit_event(
            root,
            "reconcile",
            env,
            {
                "restored": p.moves,
                "invalidated": p.invalidate,
                "invalidation": p.invalidation_id,
            },
            f"reconcile {env} channel pointers with the manifest",
            push=push,
        )
        return p
