"""The Sentry calls of an operation as journaled steps (one call, one step; see core/sentry_calls).

Exactly once across a crash and resume: the journal skips a recorded step, and a step whose
call is visible in Sentry is not redone — a release that exists is not created again; its
commits are not set again once Sentry lists the released commit among them; a release Sentry
shows as released is not finalized again (that would move its release date); a deploy is named
after the operation's journal id and found in the release's deploys; the source maps of a
version leave a marker in the artifact bucket (a re-upload after a crash between the upload and
the marker sends the same debug IDs, which Sentry keeps once).

Sentry unreachable or refusing is never a failed operation: the step is recorded with a
`warning`, echoed now and listed in the run's summary.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator.adapters import cdn
from orchestrator.adapters import sentry as cli
from orchestrator.engine.context import Ctx
from orchestrator.observability import settings as sentry_settings
from orchestrator.observability import widget_config

MAPS_MARKER = "sentry/sourcemaps/{version}.json"
DEPLOY_NAME_MAX = 64  # Sentry's deploy serializer: name max_length=64


def _maps_marker(version: str) -> str:
    return MAPS_MARKER.format(version=version)


# (artifact bucket, widget version) → {file name: its key in the artifact bucket}; given by release/
WidgetFiles = Callable[[str, str], dict[str, str]]


def _no_files(bucket: str, version: str) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class SentryCall:
    call: dict  # one entry of plan["sentry"]
    widget_files: WidgetFiles = field(default=_no_files, compare=False)

    @property
    def name(self) -> str:
        return self.call["id"]

    def describe(self, ctx: Ctx) -> str:
        c = self.call
        what = {
            "new-release": "create release {release}",
            "set-commits": "set the commits of {release}",
            "upload-sourcemaps": "upload the source maps of {release} (artifact bundle)",
            "deploy": "record a deploy of {release} in {env}",
            "finalize": "finalize {release}",
            "widget-config": "publish " + widget_config.KEY + " with {env}'s DSN for the widget",
        }[c["call"]].format(release=c.get("release"), env=c.get("env"))
        return f"Sentry: {what}"

    def _deploy_name(self, ctx: Ctx) -> str:
        # Sentry refuses a deploy name over 64 characters; the journal id (what finds the deploy
        # again after a crash) is kept whole and the label shortened.
        suffix = f":{ctx.journal.id}"
        return self.call["name"][: DEPLOY_NAME_MAX - len(suffix)] + suffix

    def done(self, ctx: Ctx) -> bool:
        c = self.call
        try:
            if c["call"] == "new-release":
                return cli.release_exists(c["release"], os.environ)
            if c["call"] == "set-commits":
                return bool(c.get("commit")) and c["commit"] in cli.release_commits(c["release"], os.environ)
            if c["call"] == "finalize":
                return cli.is_finalized(c["release"], os.environ)
            if c["call"] == "deploy":
                return (c["env"], self._deploy_name(ctx)) in cli.deploys(c["release"], os.environ)
            if c["call"] == "upload-sourcemaps":
                return cdn.head(ctx.target.artifact_bucket, _maps_marker(c["version"])) is not None
        except cli.SentryUnavailable:
            return False  # apply will meet the same problem and turn it into a warning
        return False

    def apply(self, ctx: Ctx) -> dict:
        c = self.call
        if c["call"] == "widget-config":  # S3 and SSM, not Sentry: their errors fail the step as usual
            from orchestrator import environments

            s = sentry_settings.settings(environments.load(ctx.target.env))
            if not json.loads(widget_config.publish_for(ctx.target.widget_bucket, s)):
                warning = f"{s.dsn_parameter} holds no DSN: the widget in {s.env} reports nothing"
                ctx.echo(f"[yellow]warning:[/] {warning}")
                return {"warning": warning}
            return {}
        try:
            if c["call"] == "new-release":
                cli.new_release(c["release"], os.environ)
            elif c["call"] == "set-commits":
                cli.set_commits(c["release"], ctx.root, os.environ)
            elif c["call"] == "upload-sourcemaps":
                self._upload_maps(ctx)
            elif c["call"] == "deploy":
                cli.new_deploy(c["release"], c["env"], self._deploy_name(ctx), os.environ)
            elif c["call"] == "finalize":
                cli.finalize(c["release"], os.environ)
        except cli.SentryUnavailable as err:
            warning = f"Sentry: {err} (the operation goes on; '{self.describe(ctx)[8:]}' was not done)"
            ctx.echo(f"[yellow]warning:[/] {warning}")
            return {"warning": warning}
        return {}

    def _upload_maps(self, ctx: Ctx) -> None:
        """The version's scripts and maps from the artifact bucket (the CDN never has the maps)."""
        version = self.call["version"]
        bucket = ctx.target.artifact_bucket
        files = {
            n: k for n, k in self.widget_files(bucket, version).items() if n.endswith((".js", ".js.map"))
        }
        if not any(n.endswith(".map") for n in files):
            ctx.echo(f"  widget {version} has no source maps: nothing to upload")
            return
        with tempfile.TemporaryDirectory(prefix="sentry-maps-") as tmp:
            for name, key in files.items():
                (Path(tmp) / name).write_bytes(cdn.get_bytes(bucket, key))
            cli.upload_sourcemaps(self.call["release"], Path(tmp), os.environ)
        marker = {"release": self.call["release"], "files": sorted(files), "journal": ctx.journal.id}
        body = json.dumps(marker, sort_keys=True).encode()
        cdn.put_create_only(bucket, _maps_marker(version), body, hashlib.sha256(body).hexdigest())

    def verify(self, ctx: Ctx) -> None:
        return None  # Sentry's state is advisory: nothing to hold the operation on


def steps_for(plan: dict, widget_files: WidgetFiles = _no_files) -> list[SentryCall]:
    return [SentryCall(c, widget_files) for c in plan.get("sentry") or []]


def with_calls(plan: dict, calls: list[dict]) -> dict:
    """The plan with its Sentry calls as steps (none when the environment does not report to
    Sentry), after everything else changed and before the record, so a crash still resumes them."""
    from orchestrator import environments

    if not calls or not sentry_settings.settings(environments.load(plan["env"])).enabled:
        return plan
    steps = list(plan["steps"])
    at = next((i for i, name in enumerate(steps) if name.startswith("record")), len(steps))
    return {**plan, "steps": steps[:at] + [c["id"] for c in calls] + steps[at:], "sentry": calls}


def preflight(env: str) -> None:
    """Exit 2 before anything changes when the environment reports to Sentry without SENTRY_*."""
    from orchestrator import environments

    sentry_settings.preflight(sentry_settings.settings(environments.load(env)), os.environ)
