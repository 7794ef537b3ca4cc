"""The one engine every environment-changing command goes through: plan → lease → journaled steps → record.

A release, a promotion, a rollback, a channel move, a deploy, a colour retirement, a teardown,
the AI switch, a seed, a yank and a reconcile are each an `Operation`: a plan and the steps
that apply it. `run` takes the environment's lease (renewed while it runs), computes the plan
*under* it (so nobody changes the environment between reading and acting), finds an unfinished
journal of the same command to resume (or refuses another one's), asks for confirmation of a
new plan, then applies the steps — checking between steps that the lease is still its own.
`preview` is `--dry-run`: the plan alone, no lease, nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
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

    def to_json(self) -> dict:
        j = self.journal
        if j is None:
            return {"changed": False, "journal": None}
        return {
            "changed": True,
            "journal": j.id,
            "kind": j.kind,
            "env": j.env,
            "status": j.status,
            "resumed": self.resumed,
            "plan": j.plan,
            "plan_hash": j.plan_hash,
            "steps": {name: s.get("outputs") or {} for name, s in j.steps.items()},
        }


@dataclass
class Operation:
    kind: str  # release | promote | rollback-widget | set-channel | deploy | retire-colour | …
    env: str
    request: dict  # the options that make a rerun "the same command"
    make_plan: Callable[[], dict | None]  # called under the lease; None: nothing to do
    steps_for: Callable[[dict], list]
    resume_check: Callable[[journals.Journal, Ctx], None] = field(default=lambda journal, ctx: None)
    source: Target | None = None  # promotion: where the bytes come from
    needs_cdn: bool = True  # the widget commands: refuse early when the distribution is gone
    also_hold: list[Target] = field(default_factory=list)  # yank: every environment it affects


def preview(op: Operation, tgt: Target) -> dict:
    """`--dry-run`: the plan as it would run now (no lease, nothing written), and who holds the lease."""
    held = lock.read(tgt.artifact_bucket, op.env)
    return {"plan": op.make_plan(), "locked_by": held.describe() if held else None}


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
    if op.needs_cdn and not cdn.distribution_exists(tgt.distribution_id):
        raise UserError(
            f"CloudFront distribution {tgt.distribution_id!r} of {op.env} is not reachable",
            f"check ./inv status --env {op.env}",
        )
    with ExitStack() as leases:
        holding = leases.enter_context(lock.hold(tgt.artifact_bucket, op.env, who, op.kind))
        for other in sorted(op.also_hold, key=lambda p: p.env):  # one order everywhere: no deadlock
            if other.env != op.env:
                leases.enter_context(lock.hold(other.artifact_bucket, other.env, who, op.kind))
        journal, resumed = _journal(op, tgt, resume, who)
        if journal is None:
            plan = op.make_plan()  # under the lease: nobody changes the environment meanwhile
            if plan is None:
                return Outcome(None, False)
            journal = _new_journal(op, tgt, who, plan)
        ctx = Ctx(
            root=root,
            target=tgt,
            plan=journal.plan,
            journal=journal,
            push=push,
            wait=wait,
            echo=echo,
            source=op.source,
            lease=holding,
        )
        if resumed:
            op.resume_check(journal, ctx)
        else:
            confirm(journal.plan)
            journal.save()
        runner.run(op.steps_for(journal.plan), journal, ctx, on_event, check=holding.check)
        return Outcome(journal, resumed)


def _journal(op: Operation, tgt: Target, resume: str | None, who: str):
    """The journal to resume (by id, or the unfinished one of the same command), else (None, False)."""
    if resume:
        found = journals.load(tgt.artifact_bucket, op.env, resume)
        if found is None:
            raise UserError(f"no {op.kind} {resume} in {op.env}", f"see ./inv status --env {op.env}")
        if found.status != "running":
            raise UserError(f"{resume} already {found.status}", "nothing to resume")
        return found, True
    for unfinished in journals.unfinished(tgt.artifact_bucket, op.env):
        if unfinished.kind == op.kind and unfinished.request == op.request:
            return unfinished, True
        raise UserError(
            f"{op.env} has an unfinished {unfinished.kind} {unfinished.id} started by {unfinished.by}",
            resume_hint(unfinished.kind, unfinished.id, op.env, unfinished.request)
            + (
                f", or ./inv release --abandon {unfinished.id} --reason …"
                if unfinished.kind == "release"
                else f", or close it with ./inv abandon {op.env} {unfinished.id} --reason …"
            ),
        )
    return None, False


# Journal kinds whose task takes `--resume ID` (tasks/release.py, infra.py, board.py).
_RESUME_FLAG = (
    "release",
    "promote",
    "rollback-widget",
    "rollback-backend",
    "retire-colour",
    "teardown",
    "seed",
)


def resume_hint(kind: str, journal_id: str, env: str, request: dict) -> str:
    """A command that really resumes an unfinished journal, spelled as the user types it. Pure.

    Only some tasks take `--resume ID`; the others (canary-*, deploy, set-channel, …) resume by
    running the same command again, which finds the unfinished journal with the same request."""
    if kind in _RESUME_FLAG:
        return f"resume it with ./inv {kind} --env {env} --resume {journal_id}"
    if kind in ("agent-import", "agent-rollback"):
        agent = f" --agent {request['agent']}" if request.get("agent") else ""
        return f"resume it with ./inv agent {kind.split('-', 1)[1]} --env {env}{agent} --resume {journal_id}"
    if kind.startswith("canary-") and request.get("action"):
        args = [f"./inv canary-{request['action']}"]
        args += [request["version"]] if request.get("version") else []
        args += [f"--env {env}"]
        args += [f"--tenants {request['tenants']}"] if request.get("tenants") is not None else []
        args += [f"--percent {request['percent']}"] if request.get("percent") not in (None, "") else []
        return f"resume it by running the same command again: {' '.join(args)}"
    return f"resume it by running the same ./inv {kind} command (--env {env}) again"


def _new_journal(op: Operation, tgt: Target, who: str, plan: dict) -> journals.Journal:
    return journals.Journal(
        bucket=tgt.artifact_bucket,
        id=journals.new_id(op.kind),
        env=op.env,
        kind=op.kind,
        request=op.request,
        plan=plan,
        plan_hash=release_plan.plan_hash(plan),
        by=who,
    )


def abandon(tgt: Target, env: str, journal_id: str, who: str, reason: str) -> journals.Journal:
    """Close an unfinished operation without finishing it, under the lease, saying who and why —
    so a plan that can no longer succeed never blocks the environment."""
    if not reason.strip():
        raise UserError("abandoning needs a --reason", "say why, e.g. --reason 'main moved; releasing again'")
    with lock.hold(tgt.artifact_bucket, env, who, "abandon"):
        found = journals.load(tgt.artifact_bucket, env, journal_id)
        if found is None:
            raise UserError(f"no operation {journal_id} in {env}", f"see ./inv status --env {env}")
        if found.status != "running":
            raise UserError(f"{journal_id} is already {found.status}", "nothing to abandon")
        found.abandon(who, reason)
    return found
