"""The manifest records that end the commands changing an environment (ia, seed, yank,
teardown, retire-colour, rollback-backend): one event per operation, idempotent by its journal id."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from orchestrator.adapters import git as gitx
from orchestrator.core import manifest as mf
from orchestrator.engine import manifest_store
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError


def _recorded(ctx: Ctx) -> bool:
    return any(e.details.get("id") == ctx.journal.id for e in manifest_store.load(ctx.root).events)


class RecordBackendRollback:
    """What runs now, in the manifest: the version and colour, and the event (with the journal id)."""

    name = "record-environment"

    def describe(self, ctx: Ctx) -> str:
        return "record rollback-backend in releases/manifest.json"

    def done(self, ctx: Ctx) -> bool:
        return _recorded(ctx)

    def apply(self, ctx: Ctx) -> dict:
        choice = ctx.plan["choice"]
        result = {
            "version": choice.get("version"),
            "live_colour": choice.get("to"),
            **{k: v for k, v in ctx.journal.outputs("rollback-backend").items() if v},
        }
        sha = record_backend_rollback(
            ctx.root, ctx.plan["env"], result, push=ctx.push, journal_id=ctx.journal.id
        )
        return {"commit": sha}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("the manifest change was not committed", "run the command again")


class RecordEvent:
    """An event alone in the manifest (ia, seed, teardown, deploy…): the plan's `event`, plus the
    journal id that makes the record step idempotent, plus the outputs of the steps before it."""

    name = "record-environment"

    def describe(self, ctx: Ctx) -> str:
        return f"record {ctx.plan['kind']} in releases/manifest.json"

    def done(self, ctx: Ctx) -> bool:
        return _recorded(ctx)

    def apply(self, ctx: Ctx) -> dict:
        plan = ctx.plan
        details = {"id": ctx.journal.id, **plan.get("event", {})}
        for step in plan["steps"]:
            if step != self.name and ctx.journal.outputs(step):
                details.setdefault("outputs", {})[step] = ctx.journal.outputs(step)

        def change(m: mf.Manifest) -> mf.Manifest:
            now = datetime.now(UTC).replace(microsecond=0)
            for component, version, reason in plan.get("yank", []):
                m = mf.with_yank(m, component, version, mf.Yank(at=now, by=ctx.journal.by, reason=reason))
            event = mf.Event(
                at=now,
                by=ctx.journal.by,
                action=plan["kind"],
                env=plan.get("record_env", plan["env"]),
                plan_hash=ctx.journal.plan_hash,
                details=details,
                **plan.get("event_fields", {}),
            )
            return mf.with_event(m, event)

        return {"commit": manifest_store.commit_change(ctx.root, change, plan["summary"], push=ctx.push)}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("the manifest change was not committed", "run the command again")


# ── the manifest record of a backend rollback ─────────────────────────────────────────────


def _backend_history(manifest: mf.Manifest, env: str) -> list[str]:
    history: list[str] = []
    for event in manifest.events:
        version = (event.details.get("versions") or {}).get("backend") if event.env == env else None
        if version and (not history or history[-1] != version):
            history.append(version)
    return history


def record_backend_rollback(
    root: Path, env: str, result: dict, push: bool = False, journal_id: str | None = None
) -> str | None:
    """Record what runs after `backend_ops.apply_rollback` (a colour switch or a redeploy).

    Called by the rollback-backend operation's last step (`steps.environment`), with its journal id.
    """
    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    manifest = manifest_store.load(root)
    current = manifest.environments.get(env, mf.Environment()).backend
    version = result.get("version")
    if not version:  # a colour switch: the colour runs the version this environment ran before
        history = _backend_history(manifest, env)
        version = history[-2] if len(history) > 1 else (current.version if current else None)
    colour = result.get("live_colour") or result.get("switched_to") or (current.colour if current else None)
    now = datetime.now(UTC).replace(microsecond=0)
    who = gitx.who(repo)

    def change(m: mf.Manifest) -> mf.Manifest:
        if version:  # unknown (a colour deployed before versions were tagged): the event alone
            m = mf.with_backend(m, env, mf.BackendDeployment(version=version, colour=colour, at=now))
        details = {
            "versions": {"backend": version},
            "colour": colour,
            "from": current.version if current else None,
            **({"id": journal_id} if journal_id else {}),
        }
        return mf.with_event(
            m, mf.Event(at=now, by=who, action="rollback-backend", env=env, version=version, details=details)
        )

    return manifest_store.commit_change(
        root, change, f"rollback-backend {env} → {version or colour}", push=push
    )
