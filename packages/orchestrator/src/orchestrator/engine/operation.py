"""What every environment-changing command shares: the lock, the journal, resume, the runner.

A release, a promotion, a rollback and a channel move are each an `Operation`: a plan made
from the manifest and git, and the steps that apply it. `run` holds the environment's lease,
finds an unfinished journal of the same command to resume (or refuses another one's), asks
for confirmation of a new plan, then applies the steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator.adapters import cdn
from orchestrator.core import release_plan
from orchestrator.engine import journal as journals
from orchestrator.engine import lease as lock
from orchestrator.engine import runner
from orchestrator.engine.context import Ctx
from orchestrator.engine.target import Target
from orchestrator.errors import UserError


@dataclass(frozen=True)
class Outcome:
    journal: journals.Journal | None  # None: nothing to do
    resumed: bool


@dataclass
class Operation:
    kind: str  # release | promote | rollback-widget | set-channel | reconcile
    env: str
    request: dict  # the options that make a rerun "the same command"
    make_plan: Callable[[], dict | None]
    steps_for: Callable[[dict], list]
    resume_check: Callable[[journals.Journal, Ctx], None] = field(default=lambda journal, ctx: None)
    source: Target | None = None  # promotion: where the bytes come from


def run(
    root: Path,
    op: Operation,
    tgt: Target,
    who: str,
    resume: str | None = None,
    push: bool = False,
    wait: bool = True,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
    confirm: Callable[[dict], None] = lambda plan: None,
) -> Outcome:
    if not cdn.distribution_exists(tgt.distribution_id):
        raise UserError(
            f"CloudFront distribution {tgt.distribution_id!r} of {op.env} is not reachable",
            f"check ./inv status --env {op.env}",
        )
    plan = None if resume else op.make_plan()  # made once: for a release it walks the git history
    if not resume and plan is None and not journals.unfinished(tgt.artifact_bucket, op.env):
        return Outcome(None, False)  # nothing to do: not even the lease is written
    lease = lock.acquire(tgt.artifact_bucket, op.env, who, op.kind)
    try:
        journal, resumed = _journal(op, tgt, resume, who, plan)
        if journal is None:
            return Outcome(None, False)
        ctx = Ctx(
            root=root,
            target=tgt,
            plan=journal.plan,
            journal=journal,
            push=push,
            wait=wait,
            echo=echo,
            source=op.source,
        )
        if resumed:
            op.resume_check(journal, ctx)
        else:
            confirm(journal.plan)
            journal.save()
        runner.run(op.steps_for(journal.plan), journal, ctx, on_event)
        return Outcome(journal, resumed)
    finally:
        lock.release(tgt.artifact_bucket, lease)


def _journal(op: Operation, tgt: Target, resume: str | None, who: str, plan: dict | None):
    if resume:
        found = journals.load(tgt.artifact_bucket, op.env, resume)
        if found is None:
            raise UserError(f"no {op.kind} {resume} in {op.env}", f"see ./inv status --env {op.env}")
        if found.status == "done":
            raise UserError(f"{resume} already finished", "nothing to resume")
        return found, True
    for unfinished in journals.unfinished(tgt.artifact_bucket, op.env):
        if unfinished.kind == op.kind and unfinished.request == op.request:
            return unfinished, True
        raise UserError(
            f"{op.env} has an unfinished {unfinished.kind} {unfinished.id} started by {unfinished.by}",
            f"resume it with ./inv {unfinished.kind} --resume {unfinished.id}",
        )
    if plan is None:
        return None, False
    journal = journals.Journal(
        bucket=tgt.artifact_bucket,
        id=journals.new_id(op.kind),
        env=op.env,
        kind=op.kind,
        request=op.request,
        plan=plan,
        plan_hash=release_plan.plan_hash(plan),
        by=who,
    )
    return journal, False
