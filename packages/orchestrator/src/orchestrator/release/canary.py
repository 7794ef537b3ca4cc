"""`inv canary start|set|status|promote|abort`: a widget version for chosen tenants, then everyone.

The canary is one small object per environment, `/canary/routing.json` in the widget bucket
(rules in `core/canary.py`); the loader every tenant embeds reads it on intent. Each command
is one plan through the engine (lease, journal, resume, --dry-run) whose steps write the
object, invalidate exactly its path (and, for promote, move stable/latest first), then record
the command in the manifest's event log; where the environment reports to Sentry, a deploy
named after the move (`canary 10%`, `canary abort`, `canary promote`) comes before the record.
Raw tenant ids live only in the manifest (our repo);
the public object carries their salted digests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from orchestrator.adapters import cdn
from orchestrator.adapters import git as gitx
from orchestrator.core import canary as cn
from orchestrator.core import manifest as mf
from orchestrator.core import sentry_calls
from orchestrator.core.release_plan import channel_moves, invalidation_paths
from orchestrator.engine import journal as journals
from orchestrator.engine import manifest_store, operation, runner, target
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError
from orchestrator.observability import steps as sentry_steps
from orchestrator.release import rollback
from orchestrator.release.channel_steps import Invalidate, MoveChannels, Smoke
from orchestrator.release.record_steps import RecordEnvironment, widget_artifacts
from orchestrator.release.widget_steps import missing_version_files

ACTIONS = ("start", "set", "status", "promote", "abort")
APP = "chat-widget.app.js"


# ── the bucket (thin) ───────────────────────────────────────────────────────────────────


def read_routing(bucket: str) -> dict | None:
    """The routing object on the bucket, parsed; None when absent or not JSON (the loader: stable)."""
    if cdn.head(bucket, cn.KEY) is None:
        return None
    try:
        return json.loads(cdn.get_bytes(bucket, cn.KEY))
    except ValueError:
        return None


class WriteRouting:
    """Replace the routing object with the plan's (short cache; the next step invalidates it)."""

    name = "write-routing"

    def describe(self, ctx: Ctx) -> str:
        r = ctx.plan["routing"]
        what = (
            f"{r['canary']['version']} for {len(r['canary']['tenants'])} tenant(s) + "
            f"{r['canary']['percent_bp'] / 100:g} %"
            if r["state"] == "active"
            else f"nobody ({r['state']})"
        )
        return f"write s3://{ctx.target.widget_bucket}/{cn.KEY}: canary → {what}"

    def done(self, ctx: Ctx) -> bool:
        return read_routing(ctx.target.widget_bucket) == ctx.plan["routing"]

    def apply(self, ctx: Ctx) -> dict:
        body = cn.routing_body(ctx.plan["routing"])
        sha = hashlib.sha256(body).hexdigest()
        cdn.put(
            ctx.target.widget_bucket, cn.KEY, body, cache_control=cn.CACHE_CONTROL, metadata={"sha256": sha}
        )
        return {"sha256": sha}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError(
                "the routing object on the bucket is not the planned one", "run the command again"
            )


STEPS = {s.name: s for s in (MoveChannels(), WriteRouting(), Invalidate(), Smoke(), RecordEnvironment())}


# ── the plan (pure: facts in, plan out) ────────────────────────────────────────────────


def _stable(manifest: mf.Manifest, env: str) -> str | None:
    return manifest.environments.get(env, mf.Environment()).channels.get("stable")


def last_canary_event(manifest: mf.Manifest, env: str) -> mf.Event | None:
    """The newest canary command in env: a canary-* event, or a `promote --canary` (details.canary)."""
    return next(
        (
            e
            for e in reversed(manifest.events)
            if e.env == env and (e.action.startswith("canary-") or "canary" in e.details)
        ),
        None,
    )


def as_canary_promotion(
    promotion: dict,
    manifest: mf.Manifest,
    current: dict | None,
    tenants: list[str],
    percent_bp: int,
    now: str,
) -> dict:
    """`promote prod --canary N`: the same copy and publish, but the routing object instead of the
    stable/latest move — the version reaches canary in prod without being on latest."""
    env = promotion["env"]
    widget = promotion["components"].get("widget")
    if widget is None:
        raise UserError(f"no widget to promote to {env}, so nothing to canary", "drop --canary")
    version = widget["version"]
    active = cn.active_canary(current)
    if active and active["version"] != version:
        raise UserError(
            f"{env} already has {active['version']} on canary",
            f"./inv canary-promote --env {env} or ./inv canary-abort --env {env} first",
        )
    if not tenants and not percent_bp:
        raise UserError("a canary for nobody", "give --canary N (percent) and/or --canary-tenants a,b")
    artifact = manifest.component("widget").releases[version].artifacts.get(APP)
    if artifact is None or not artifact.sha384:
        raise UserError(
            f"widget {version} has no sha384 for its app", "release it again with a current build"
        )
    routed = _routing_plan(
        "promote", env, manifest, _stable(manifest, env), version, artifact.sha384, tenants, percent_bp, now,
        None, "",
    )  # fmt: skip
    # Sentry: the widget's deploy is named after the canary, and not finalized (not everyone has it).
    label = sentry_calls.canary_label(percent_bp, len(tenants))
    sentry = sentry_calls.on_canary(promotion.get("sentry") or [], label)
    kept = {c["id"] for c in sentry}
    steps = [
        s
        for s in promotion["steps"]
        if s not in ("move-channels", "invalidate", "smoke") and (not s.startswith("sentry-") or s in kept)
    ]
    at = steps.index("record-environment")
    steps[at:at] = ["write-routing", "invalidate"]
    return {
        **promotion,
        "channels": {},
        "routing": routed["routing"],
        "invalidate": [cn.PATH],
        "steps": steps,
        **({"sentry": sentry} if sentry else {}),
        "details": {"canary": routed["details"]["canary"]},
        "summary": f"{promotion['summary']} on canary ({routed['summary'].split(': ', 1)[1]})",
    }


def plan(
    manifest: mf.Manifest,
    action: str,
    env: str,
    current: dict | None,
    now: str,
    version: str | None = None,
    integrity: str | None = None,
    tenants: list[str] | None = None,
    percent_bp: int | None = None,
    reason: str = "",
) -> dict | None:
    """The plan of one canary command, given the routing object now on the bucket."""
    active = cn.active_canary(current)
    stable = _stable(manifest, env)
    last = last_canary_event(manifest, env)
    known_tenants = list((last.details.get("canary") or {}).get("tenants", [])) if last else []
    if action == "start":
        if active and active["version"] != version:
            raise UserError(
                f"{env} already has {active['version']} on canary",
                f"./inv canary promote --env {env} or ./inv canary abort --env {env} first",
            )
        rollback.check_version(manifest, version, "canary")
        if version == stable:
            raise UserError(f"widget {version} is already stable in {env}", "canary a newer version")
        if not tenants and not percent_bp:
            raise UserError("a canary for nobody", "give --tenants a,b and/or --percent N")
        return _routing_plan(
            "canary-start",
            env,
            manifest,
            stable,
            version,
            integrity,
            tenants or [],
            percent_bp or 0,
            now,
            None,
            reason,
        )
    if active is None:
        raise UserError(f"{env} has no active canary", f"start one: ./inv canary start VERSION --env {env} …")
    version = active["version"]
    if action == "set":
        if tenants is None and percent_bp is None:
            raise UserError("nothing to set", "give --percent N and/or --tenants a,b")
        new_tenants = known_tenants if tenants is None else tenants
        new_bp = active["percent_bp"] if percent_bp is None else percent_bp
        if new_bp == active["percent_bp"] and sorted(new_tenants) == sorted(known_tenants):
            return None
        return _routing_plan(
            "canary-set",
            env,
            manifest,
            stable,
            version,
            active["integrity"],
            new_tenants,
            new_bp,
            now,
            active.get("since"),
            reason,
        )
    if action == "abort":
        routing = cn.routing_object(env=env, state="aborted", stable=stable, updated=now)
        return {
            "kind": "canary-abort",
            "env": env,
            "components": {"widget": {"version": version}},
            "channels": {},
            "routing": routing,
            "invalidate": [cn.PATH],
            "steps": ["write-routing", "invalidate", "record-environment"],
            "details": {"canary": {"version": version, "state": "aborted"}, "reason": reason},
            "summary": f"canary-abort widget {env}: {version} → nobody (stable {stable})",
        }
    if action == "promote":
        rollback.check_version(manifest, version, "stable")  # stable carries plain, unyanked versions
        moves = channel_moves("stable", version)
        channels = dict(manifest.environments.get(env, mf.Environment()).channels)
        routing = cn.routing_object(env=env, state="promoted", stable=version, updated=now)
        return {
            "kind": "canary-promote",
            "env": env,
            "components": {"widget": {"version": version}},
            "channels": moves,
            "routing": routing,
            # Channels first, then the routing: a tenant is never sent back to the old version.
            "invalidate": invalidation_paths(moves, channels) + [cn.PATH],
            "steps": ["move-channels", "write-routing", "invalidate", "smoke", "record-environment"],
            "details": {
                "from": {c: channels.get(c) for c in moves},
                "canary": {"version": version, "state": "promoted"},
                "reason": reason,
            },
            "summary": f"canary-promote widget {env}: latest/stable → {version}",
        }
    raise UserError(f"unknown canary action {action!r}", f"choose one of: {', '.join(ACTIONS)}")


def _routing_plan(kind, env, manifest, stable, version, integrity, tenants, bp, now, since, reason) -> dict:
    routing = cn.routing_object(
        env=env, state="active", stable=stable, version=version, integrity=integrity,
        percent_bp=bp, tenants=tenants, since=since, updated=now,
    )  # fmt: skip
    return {
        "kind": kind,
        "env": env,
        "components": {"widget": {"version": version}},
        "channels": {},
        "routing": routing,
        "invalidate": [cn.PATH],
        "steps": ["write-routing", "invalidate", "record-environment"],
        "details": {
            "canary": {
                "version": version,
                "tenants": sorted(tenants),
                "percent": bp / 100,
                "state": "active",
            },
            "reason": reason,
        },
        "summary": f"{kind} widget {env}: {version} for {', '.join(sorted(tenants)) or 'no listed tenant'}"
        f" + {bp / 100:g} % of tenants",
    }


def with_sentry(p: dict | None) -> dict | None:
    """The plan with its Sentry deploy: the canary version under the canary's share, the stable
    version (everyone's again) on abort, the promoted version on promote (finalized in prod)."""
    if p is None:
        return None
    routing = p["routing"]
    if p["kind"] == "canary-abort":
        version, label = routing.get("stable"), "canary abort"
    elif p["kind"] == "canary-promote":
        version, label = p["components"]["widget"]["version"], "canary promote"
    else:
        tenants = len(p["details"]["canary"]["tenants"])
        version, label = (
            routing["canary"]["version"],
            sentry_calls.canary_label(routing["canary"]["percent_bp"], tenants),
        )
    versions = {"widget": version} if version else {}
    calls = sentry_calls.calls(p["kind"], p["env"], versions, names={"widget": label})
    return sentry_steps.with_calls(p, calls)


def steps_for(p: dict) -> list:
    sentry = {s.name: s for s in sentry_steps.steps_for(p)}
    return [sentry.get(name) or STEPS[name] for name in p["steps"]]


# ── the commands ────────────────────────────────────────────────────────────────────────


def app_integrity(artifact_bucket: str, version: str) -> str:
    artifacts, _ = widget_artifacts(artifact_bucket, version)
    sri = artifacts[APP].sha384 if APP in artifacts else None
    if not sri:
        raise UserError(
            f"widget {version} has no sha384 for its app", "release it again with a current build"
        )
    return sri


def run(
    root: Path,
    action: str,
    env: str,
    version: str | None = None,
    tenants: str | None = None,
    percent: str | None = None,
    reason: str = "",
    dry_run: bool = False,
    push: bool = False,
    wait: bool = True,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
    confirm: Callable[[dict], None] = lambda plan: None,
    tgt: target.Target | None = None,
    details: dict | None = None,
) -> tuple[dict | None, operation.Outcome | None]:
    """One canary command; `details` are added to the recorded event (canary watch: the numbers)."""
    if action not in ACTIONS or action == "status":
        raise UserError(f"unknown canary action {action!r}", f"choose one of: {', '.join(ACTIONS)}")
    if action == "start" and not version:
        raise UserError("canary start needs a VERSION", "./inv canary start 1.5.0 --env ENV --tenants a,b")
    tenant_list = cn.parse_tenants(tenants) if tenants is not None else None
    percent_bp = cn.parse_percent(percent) if percent not in (None, "") else None
    repo = gitx.open_repo(root)
    root = Path(repo.working_tree_dir)
    manifest = manifest_store.load(root)
    if action == "start":  # refuse what the manifest alone can refuse before reaching AWS
        rollback.check_version(manifest, version, "canary")
    tgt = tgt or target.resolve(env)
    integrity = None
    if action == "start":
        if missing := missing_version_files(tgt.artifact_bucket, tgt.widget_bucket, version):
            raise UserError(
                f"widget {version} is not fully published in {env} ({', '.join(sorted(missing))} missing)",
                "release or promote it there first; the canary never points at files that are not there",
            )
        integrity = app_integrity(tgt.artifact_bucket, version)
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    request = {"env": env, "action": action, "version": version, "tenants": tenants, "percent": percent}
    # The same command left unfinished (a crash) is resumed, not planned again: its first steps
    # changed the routing object, so a fresh plan would find nothing to do (or no active canary)
    # and its last steps (Sentry's deploy, the record) would never run.
    pending = next(
        (
            j.plan
            for j in journals.unfinished(tgt.artifact_bucket, env)
            if j.kind == f"canary-{action}" and j.request == request
        ),
        None,
    )
    current = read_routing(tgt.widget_bucket)
    the_plan = pending or with_sentry(
        plan(manifest, action, env, current, now, version, integrity, tenant_list, percent_bp, reason)
    )
    if the_plan is not None and details and pending is None:
        the_plan["details"] = {**the_plan["details"], **details}
    if dry_run or the_plan is None:
        return the_plan, None
    sentry_steps.preflight(env)
    gitx.require_up_to_date(repo)
    op = operation.Operation(
        kind=the_plan["kind"],
        env=env,
        request=request,
        make_plan=lambda: the_plan,
        steps_for=steps_for,
    )
    outcome = operation.run(root, op, tgt, gitx.who(repo), None, push, wait, echo, on_event, confirm)
    return the_plan, outcome


def promotion_on_canary(promotion: dict, manifest: mf.Manifest, tgt: target.Target, canary: dict) -> dict:
    """`promote ENV --canary N / --canary-tenants a,b`: the promotion plan, routed to canary only."""
    tenants = cn.parse_tenants(canary.get("tenants") or "")
    percent_bp = cn.parse_percent(canary["percent"]) if canary.get("percent") not in (None, "") else 0
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return as_canary_promotion(promotion, manifest, read_routing(tgt.widget_bucket), tenants, percent_bp, now)


def status(root: Path, env: str, tgt: target.Target | None = None) -> dict:
    """What the environment's canary is now: the object on the bucket, named from the manifest."""
    manifest = manifest_store.load(Path(gitx.open_repo(root).working_tree_dir))
    tgt = tgt or target.resolve(env)
    current = read_routing(tgt.widget_bucket)
    active = cn.active_canary(current)
    last = last_canary_event(manifest, env)
    named = (last.details.get("canary") or {}) if last else {}
    out = {
        "env": env,
        "state": _state(current, active),
        "stable": _stable(manifest, env),
        "version": active["version"] if active else None,
        "percent": active["percent_bp"] / 100 if active else 0,
        "tenants": named.get("tenants", []) if active else [],
        "since": active.get("since") if active else None,
        "updated": (current or {}).get("updated"),
        "last_event": {"action": last.action, "at": last.at.isoformat(), "by": last.by} if last else None,
        # The judge over the metrics: filled by `canary-status` (release/canary_watch.health).
        "health": None,
    }
    return out


def _state(current: dict | None, active: dict | None) -> str:
    if current is None:
        return "none"
    if active:
        return "active"
    ok = isinstance(current, dict) and current.get("schema") == cn.SCHEMA
    return current["state"] if ok and current.get("state") in ("idle", "aborted", "promoted") else "malformed"
