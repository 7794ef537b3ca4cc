"""Promotion steps: copy a widget version's exact bytes from the previous environment."""

from __future__ import annotations

from orchestrator.adapters import cdn
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError
from orchestrator.release.widget_steps import blob_key, index_key, version_files


class CopyWidget:
    """Copy the version's index and files between artifact buckets (server-side), digests checked."""

    name = "copy-widget"

    def describe(self, ctx: Ctx) -> str:
        return (
            f"copy widget {ctx.plan['components']['widget']['version']} from {ctx.plan['from']} (no rebuild)"
        )

    def done(self, ctx: Ctx) -> bool:
        version = ctx.plan["components"]["widget"]["version"]
        if cdn.head(ctx.target.artifact_bucket, index_key(version)) is None:
            return False
        return all(
            cdn.head(ctx.target.artifact_bucket, blob_key(sha))
            for sha in version_files(ctx.target.artifact_bucket, version).values()
        )

    def apply(self, ctx: Ctx) -> dict:
        version = ctx.plan["components"]["widget"]["version"]
        source = ctx.source.artifact_bucket
        files = version_files(source, version)
        expected = ctx.plan["components"]["widget"]["digests"]
        wrong = sorted(n for n, sha in expected.items() if files.get(n) != sha)
        if wrong:
            raise UserError(
                f"widget {version} in {ctx.plan['from']} does not match the manifest's digests ({', '.join(wrong)})",
                "promotion copies only the bytes that were released; investigate the source bucket",
            )
        for sha in files.values():
            cdn.copy_verbatim(source, blob_key(sha), ctx.target.artifact_bucket)
        cdn.copy_verbatim(source, index_key(version), ctx.target.artifact_bucket)  # last: marks it complete
        return {}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("the widget copy is incomplete", "run the command again")
