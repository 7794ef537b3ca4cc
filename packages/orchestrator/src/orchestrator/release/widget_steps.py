"""Widget steps: build once, upload content-addressed, publish the immutable version directory.

Artifact bucket: `widget/sha256/<hex>` (every file, by content) and
`widget/versions/<version>/build-info.json` (the index: what the version is made of).
Widget bucket: `v<version>/<file>`, create-only — an existing version is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os

from orchestrator.adapters import build_cache, cdn, npm
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError

BUILD_INFO = "build-info.json"
LOADER = "chat-widget.js"


def index_key(version: str) -> str:
    return f"widget/versions/{version}/{BUILD_INFO}"


def blob_key(sha256: str) -> str:
    return f"widget/sha256/{sha256}"


def version_key(version: str, name: str) -> str:
    return f"v{version}/{name}"


def _index(bucket: str, version: str) -> tuple[dict, bytes]:
    raw = cdn.get_bytes(bucket, index_key(version))
    return json.loads(raw), raw


def version_files(bucket: str, version: str) -> dict[str, str]:
    """name → sha256 of every file of a version, build-info.json included (from the index)."""
    info, raw = _index(bucket, version)
    files = {name: f["sha256"] for name, f in info["files"].items()}
    files[BUILD_INFO] = hashlib.sha256(raw).hexdigest()
    return files


def artifact_files(bucket: str, version: str) -> dict[str, str]:
    """name → key in the artifact bucket of every built file of a version (the source maps included)."""
    return {name: blob_key(sha) for name, sha in version_files(bucket, version).items()}


def index_exists(bucket: str, version: str) -> bool:
    return cdn.head(bucket, index_key(version)) is not None


class BuildWidget:
    """Build the widget once, with the release's version baked in (npm run build:widget)."""

    name = "build-widget"

    def describe(self, ctx: Ctx) -> str:
        return f"build widget {ctx.plan['components']['widget']['version']}"

    def _local(self, ctx: Ctx) -> dict | None:
        try:
            return json.loads((ctx.root / "widget" / "build" / BUILD_INFO).read_text())
        except (OSError, ValueError):
            return None

    def done(self, ctx: Ctx) -> bool:
        version = ctx.plan["components"]["widget"]["version"]
        if index_exists(ctx.target.artifact_bucket, version):
            return True  # already uploaded: the bytes are safe, no need to build again
        local = self._local(ctx)
        return bool(local and local.get("version") == version and _local_files_match(ctx, local))

    def apply(self, ctx: Ctx) -> dict:
        version = ctx.plan["components"]["widget"]["version"]
        project, env = ctx.root / "widget", {**os.environ, "WIDGET_VERSION": version}
        cached = build_cache.enabled(env) and build_cache.key(project, env)
        if cached and build_cache.restore(project, cached, env):
            ctx.echo(f"  widget {version}: these sources were built before on this machine (build cache)")
            return {"version": version, "cached": True}
        npm.run_script("build:widget", project=project, env=env)
        if cached:
            build_cache.store(project, cached, env)
        return {"version": version}

    def verify(self, ctx: Ctx) -> None:
        version = ctx.plan["components"]["widget"]["version"]
        if index_exists(ctx.target.artifact_bucket, version):
            return
        local = self._local(ctx)
        if not local or local.get("version") != version or not _local_files_match(ctx, local):
            raise UserError(
                f"widget/build does not hold a complete build of {version}", "look at the build output above"
            )


def _local_files_match(ctx: Ctx, info: dict) -> bool:
    build = ctx.root / "widget" / "build"
    for name, f in info["files"].items():
        path = build / name
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != f["sha256"]:
            return False
    return True


class UploadWidget:
    """Upload every built file to the artifact bucket under its sha256 (skipping what is there)."""

    name = "upload-widget"

    def describe(self, ctx: Ctx) -> str:
        return f"upload widget artifacts to s3://{ctx.target.artifact_bucket}/widget/sha256/"

    def done(self, ctx: Ctx) -> bool:
        return index_exists(ctx.target.artifact_bucket, ctx.plan["components"]["widget"]["version"])

    def apply(self, ctx: Ctx) -> dict:
        version = ctx.plan["components"]["widget"]["version"]
        build = ctx.root / "widget" / "build"
        raw = (build / BUILD_INFO).read_bytes()
        info = json.loads(raw)
        uploaded = 0
        for name, f in sorted(info["files"].items()):
            body = (build / name).read_bytes()
            if cdn.head(ctx.target.artifact_bucket, blob_key(f["sha256"])) is None:
                cdn.put_create_only(ctx.target.artifact_bucket, blob_key(f["sha256"]), body, f["sha256"])
                uploaded += len(body)
                ctx.echo(f"  uploaded {name} ({len(body):,} bytes)")
        digest = hashlib.sha256(raw).hexdigest()
        cdn.put_create_only(ctx.target.artifact_bucket, blob_key(digest), raw, digest)
        # The index goes last: its presence means every file of the version is uploaded.
        if not cdn.put_create_only(ctx.target.artifact_bucket, index_key(version), raw, digest):
            existing = cdn.get_bytes(ctx.target.artifact_bucket, index_key(version))
            if existing != raw:
                raise UserError(
                    f"widget {version} was already built with different bytes",
                    "versions are immutable: cut a new version instead",
                )
        return {"uploaded_bytes": uploaded + len(raw)}

    def verify(self, ctx: Ctx) -> None:
        version = ctx.plan["components"]["widget"]["version"]
        for name, sha in version_files(ctx.target.artifact_bucket, version).items():
            if cdn.head(ctx.target.artifact_bucket, blob_key(sha)) is None:
                raise UserError(
                    f"artifact {name} of widget {version} is missing after upload", "run the command again"
                )


class PublishWidget:
    """Copy the version's files into `v<version>/` of the widget bucket; create-only, immutable."""

    name = "publish-widget"

    def describe(self, ctx: Ctx) -> str:
        return f"publish s3://{ctx.target.widget_bucket}/v{ctx.plan['components']['widget']['version']}/"

    def _missing(self, ctx: Ctx) -> dict[str, str]:
        return missing_version_files(
            ctx.target.artifact_bucket, ctx.target.widget_bucket, ctx.plan["components"]["widget"]["version"]
        )

    def done(self, ctx: Ctx) -> bool:
        return not self._missing(ctx)

    def apply(self, ctx: Ctx) -> dict:
        version = ctx.plan["components"]["widget"]["version"]
        for name, sha in self._missing(ctx).items():
            cdn.copy(
                ctx.target.artifact_bucket,
                blob_key(sha),
                ctx.target.widget_bucket,
                version_key(version, name),
                cache_control=cdn.IMMUTABLE,
                metadata={"sha256": sha, "version": version},
            )
        return {}

    def verify(self, ctx: Ctx) -> None:
        if missing := self._missing(ctx):
            raise UserError(f"version files still missing: {', '.join(missing)}", "run the command again")


def missing_version_files(artifact_bucket: str, widget_bucket: str, version: str) -> dict[str, str]:
    """Files of a version not yet in the widget bucket. A file present with other bytes is refused."""
    missing = {}
    for name, sha in version_files(artifact_bucket, version).items():
        if name.endswith(".map"):
            continue  # source maps go to Sentry (artifact bundle), never to visitors
        head = cdn.head(widget_bucket, version_key(version, name))
        if head is None:
            missing[name] = sha
        elif head.sha256 != sha:
            raise UserError(
                f"s3://{widget_bucket}/{version_key(version, name)} exists with different bytes",
                "published versions are never overwritten: cut a new version",
            )
    return missing
