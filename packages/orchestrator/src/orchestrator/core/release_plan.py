"""A release plan: pure data you can print, hash, approve and resume (DESIGN §7)."""

from __future__ import annotations

import hashlib
import json


def channel_moves(channel: str, version: str) -> dict[str, str]:
    """`stable` is published as `latest` too (what tenants embed)."""
    return {"latest": version, "stable": version} if channel == "stable" else {channel: version}


def invalidation_paths(moves: dict[str, str], current: dict[str, str]) -> list[str]:
    """Only the pointers that really change; version paths are immutable and never invalidated."""
    return sorted(f"/{c}/chat-widget.js" for c, v in moves.items() if current.get(c) != v)


def release_plan(
    env: str,
    channel: str,
    head_sha: str,
    versions: dict[str, dict],
    current_channels: dict[str, str],
    bump: str | None = None,
    push: bool = False,
) -> dict:
    """`versions`: component → {"version", "tag", "current"} for each component released."""
    widget = versions.get("widget")
    moves = channel_moves(channel, widget["version"]) if widget else {}
    steps = []
    if widget:
        steps += ["build-widget", "upload-widget", "publish-widget"]
    if "backend" in versions:
        steps += ["deploy-backend"]
    if widget:
        steps += ["move-channels", "invalidate", "smoke"]
    steps += ["record", "push"] if push else ["record"]
    return {
        "kind": "release",
        "env": env,
        "channel": channel,
        "bump": bump,
        "head_sha": head_sha,
        "components": versions,
        "channels": moves,
        "invalidate": invalidation_paths(moves, current_channels),
        "steps": steps,
    }


def plan_hash(plan: dict) -> str:
    """What an approval is bound to: the plan without the approval itself.

    A plan that writes the canary routing object (`promote prod --canary …`) carries when it was
    planned (`updated`, the canary's `since`); those stamps are left out, or the checklist written
    from the dry run's hash could never match the plan made again under the lease a moment later."""
    bound = {k: v for k, v in plan.items() if k != "approval"}
    if isinstance(bound.get("routing"), dict):
        routing = {k: v for k, v in bound["routing"].items() if k != "updated"}
        if isinstance(routing.get("canary"), dict):
            routing["canary"] = {k: v for k, v in routing["canary"].items() if k != "since"}
        bound["routing"] = routing
    canonical = json.dumps(bound, sort_keys=True, separators=(",", ":")).encode()
    return "sha256:" + hashlib.sha256(canonical).hexdigest()
