"""Channel steps: move pointers, invalidate exactly those paths, smoke-test through the CDN.

A channel is one small object, `<channel>/chat-widget.js`: a copy of a version's loader,
which loads the app of its own version. Moving a channel is one server-side copy.
"""

from __future__ import annotations

from datetime import UTC, datetime

from orchestrator.adapters import cdn
from orchestrator.board import smoke
from orchestrator.core import canary
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError
from orchestrator.release.widget_steps import LOADER, missing_version_files, version_files, version_key


def pointer_key(channel: str) -> str:
    return f"{channel}/{LOADER}"


def pointer_path(channel: str) -> str:
    return f"/{pointer_key(channel)}"


def pointer_version(bucket: str, channel: str) -> str | None:
    head = cdn.head(bucket, pointer_key(channel))
    return head.version if head else None


def move(artifact_bucket: str, widget_bucket: str, channel: str, version: str) -> None:
    """Point a channel at a version — refusing unless every file of that version is published."""
    if missing := missing_version_files(artifact_bucket, widget_bucket, version):
        raise UserError(
            f"widget {version} is not fully published ({', '.join(sorted(missing))} missing)",
            "publish it first; a channel never points at files that are not there",
        )
    sha = version_files(artifact_bucket, version)[LOADER]
    cdn.copy(
        widget_bucket,
        version_key(version, LOADER),
        widget_bucket,
        pointer_key(channel),
        cache_control=cdn.CHANNEL,
        metadata={"sha256": sha, "version": version},
    )


def ensure_routing(widget_bucket: str, env: str, stable: str | None) -> bool:
    """Give the environment an idle canary routing object if it has none (True when written).

    Every loader on latest/stable asks for it on intent; a missing one is CloudFront's 403, which
    a browser logs as a console error on the tenant's page. Never replaces an existing object.
    """
    if cdn.head(widget_bucket, canary.KEY) is not None:
        return False
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    body = canary.routing_body(canary.routing_object(env=env, state="idle", stable=stable, updated=now))
    cdn.put(widget_bucket, canary.KEY, body, cache_control=canary.CACHE_CONTROL, metadata={})
    return True


class MoveChannels:
    """Point each channel of the plan at its version (one small copy each)."""

    name = "move-channels"

    def describe(self, ctx: Ctx) -> str:
        return "move " + ", ".join(f"{c} → {v}" for c, v in ctx.plan["channels"].items())

    def done(self, ctx: Ctx) -> bool:
        return all(pointer_version(ctx.target.widget_bucket, c) == v for c, v in ctx.plan["channels"].items())

    def apply(self, ctx: Ctx) -> dict:
        before = {}
        for channel, version in ctx.plan["channels"].items():
            before[channel] = pointer_version(ctx.target.widget_bucket, channel)
            if before[channel] != version:
                move(ctx.target.artifact_bucket, ctx.target.widget_bucket, channel, version)
        ensure_routing(ctx.target.widget_bucket, ctx.plan["env"], ctx.plan["channels"].get("stable"))
        return {"before": before}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("a channel pointer did not move", "run the command again")


class Invalidate:
    """Invalidate exactly the moved pointer paths; wait for completion unless --no-wait."""

    name = "invalidate"

    def describe(self, ctx: Ctx) -> str:
        return f"invalidate {', '.join(ctx.plan['invalidate'])} on {ctx.target.distribution_id}"

    def done(self, ctx: Ctx) -> bool:
        return not ctx.plan["invalidate"]

    def apply(self, ctx: Ctx) -> dict:
        # The caller reference is the journal id: a retry inside AWS returns the same invalidation.
        inv_id = cdn.invalidate(ctx.target.distribution_id, ctx.plan["invalidate"], f"{ctx.journal.id}")
        if ctx.wait:
            cdn.wait_invalidation(
                ctx.target.distribution_id, inv_id, tick=lambda s: ctx.echo(f"  invalidation {inv_id}: {s}")
            )
        return {"invalidation_id": inv_id}

    def verify(self, ctx: Ctx) -> None:
        return None


class Smoke:
    """Fetch each moved channel and its version's files through the CDN; compare digests."""

    name = "smoke"

    def describe(self, ctx: Ctx) -> str:
        return (
            f"smoke-test through {ctx.target.cdn_url or 'the origin bucket (nothing serves the sandbox CDN)'}"
        )

    def done(self, ctx: Ctx) -> bool:
        return False

    def apply(self, ctx: Ctx) -> dict:
        report = smoke.check_channels(ctx.target, ctx.plan["channels"])
        if report.problems:
            raise UserError(
                "smoke test failed: " + "; ".join(report.problems),
                "nothing was recorded; investigate, then rerun",
            )
        return {"via": report.via, "checked": report.checked}

    def verify(self, ctx: Ctx) -> None:
        return None
