"""The last steps: record the release in the manifest and changelog, commit, tag — then push.

Git changes only here, after everything else has been verified, so an interrupted release
leaves the repository untouched and the rerun reuses the versions fixed in the journal.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from orchestrator.adapters import cdn
from orchestrator.adapters import git as gitx
from orchestrator.core import manifest as mf
from orchestrator.engine import manifest_store
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError
from orchestrator.release import version as versions
from orchestrator.release.widget_steps import blob_key, index_key


def widget_artifacts(artifact_bucket: str, version: str) -> tuple[dict[str, mf.Artifact], dict[str, str]]:
    info = json.loads(cdn.get_bytes(artifact_bucket, index_key(version)))
    artifacts = {
        name: mf.Artifact(
            key=blob_key(f["sha256"]), sha256=f["sha256"], bytes=f["bytes"], sha384=f.get("sha384")
        )
        for name, f in info["files"].items()
    }
    return artifacts, dict(info.get("graphql", {}).get("operations", {}))


def with_deployed_backend(ctx: Ctx, manifest: mf.Manifest, now: datetime) -> mf.Manifest:
    """The backend the plan deployed (version, live colour, template digests), if it deployed one."""
    backend = ctx.plan.get("components", {}).get("backend")
    if not backend:
        return manifest
    deployed = ctx.journal.outputs("deploy-backend")
    deployment = mf.BackendDeployment(
        version=backend["version"],
        colour=deployed.get("colour"),
        at=now,
        template_digests=deployed.get("template_digests", {}),
    )
    return mf.with_backend(manifest, ctx.plan["env"], deployment)


class RecordRelease:
    """Manifest (artifacts, channels, backend, event) + changelog in one commit, then the tags."""

    name = "record"

    def describe(self, ctx: Ctx) -> str:
        tags = ", ".join(c["tag"] for c in ctx.plan["components"].values())
        return f"commit releases/manifest.json and CHANGELOG.md, tag {tags}"

    def done(self, ctx: Ctx) -> bool:
        repo = gitx.open_repo(ctx.root)
        return all(c["tag"] in repo.tags for c in ctx.plan["components"].values())

    def apply(self, ctx: Ctx) -> dict:
        repo = gitx.open_repo(ctx.root)
        if gitx.head_sha(repo) == ctx.plan["head_sha"]:
            return self._record(ctx, ctx.root, None)
        # main moved while the release ran (its push was refused, or its runner died): the record
        # is rebuilt from the tree the release was built from, on top of the new upstream.
        with gitx.worktree_at(repo, ctx.plan["head_sha"]) as built:
            return self._record(ctx, built, ctx.root)

    def _record(self, ctx: Ctx, built, onto) -> dict:
        plan = ctx.plan
        vplan = versions.plan(built, ",".join(plan["components"]), plan["channel"], plan.get("bump"))
        decided = {p.name: str(p.decision.next) for p in vplan.releasing}
        expected = {name: c["version"] for name, c in plan["components"].items()}
        if decided and decided != expected:
            raise UserError(
                f"the versions changed since the release started ({decided} instead of {expected})",
                f"abandon it with ./inv release --abandon {ctx.journal.id} --reason …, then release again",
            )
        applied = versions.apply(vplan, extend=lambda m, now: self._extend(ctx, m, now), onto=onto)
        return {"commit": applied.commit, "tags": applied.tags}

    def _extend(self, ctx: Ctx, manifest: mf.Manifest, now: datetime) -> mf.Manifest:
        plan = ctx.plan
        widget = plan["components"].get("widget")
        if widget:
            artifacts, operations = widget_artifacts(ctx.target.artifact_bucket, widget["version"])
            manifest = mf.with_release_details(manifest, "widget", widget["version"], artifacts, operations)
            manifest = mf.with_channels(manifest, plan["env"], plan["channels"])
        manifest = with_deployed_backend(ctx, manifest, now)
        return mf.with_event(
            manifest,
            mf.Event(
                at=now,
                by=ctx.journal.by,
                action="release",
                env=plan["env"],
                plan_hash=ctx.journal.plan_hash,
                details={
                    "id": ctx.journal.id,
                    "versions": {n: c["version"] for n, c in plan["components"].items()},
                    "channels": plan["channels"],
                    "smoke": ctx.journal.outputs("smoke").get("via"),
                },
            ),
        )

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("the release tags were not created", "run the command again")


class Push:
    """Push the branch and the release tags in one atomic push."""

    name = "push"

    def describe(self, ctx: Ctx) -> str:
        return "push the release commit and tags (atomic)"

    def _tags(self, ctx: Ctx) -> list[str]:
        return [c["tag"] for c in ctx.plan["components"].values()]

    def done(self, ctx: Ctx) -> bool:
        repo = gitx.open_repo(ctx.root)
        if not repo.remotes:
            return True
        remote_tags = repo.git.ls_remote("--tags", repo.remotes[0].name)
        return all(f"refs/tags/{t}" in remote_tags for t in self._tags(ctx))

    def apply(self, ctx: Ctx) -> dict:
        remote = gitx.push_atomic(gitx.open_repo(ctx.root), self._tags(ctx))
        return {"remote": remote}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("the release tags are not on the remote", "run the command again to push")


class RecordEnvironment:
    """Promotions, rollbacks and channel moves: the manifest alone, in one commit (then pushed if asked).

    The plan says what the environment now runs (`channels`, `backend`) and the event to log.
    """

    name = "record-environment"

    def describe(self, ctx: Ctx) -> str:
        return f"record {ctx.plan['kind']} in releases/manifest.json"

    def done(self, ctx: Ctx) -> bool:
        manifest = manifest_store.load(ctx.root)
        return any(e.details.get("id") == ctx.journal.id for e in manifest.events)

    def apply(self, ctx: Ctx) -> dict:
        plan = ctx.plan

        def change(manifest: mf.Manifest) -> mf.Manifest:
            now = datetime.now(UTC).replace(microsecond=0)
            if plan.get("channels"):
                manifest = mf.with_channels(manifest, plan["env"], plan["channels"])
            manifest = with_deployed_backend(ctx, manifest, now)
            details = {
                "id": ctx.journal.id,
                "channels": plan.get("channels", {}),
                "versions": {n: c["version"] for n, c in plan.get("components", {}).items()},
                **plan.get("details", {}),
            }
            if "smoke" in plan["steps"]:
                details["smoke"] = {"passed": True, "via": ctx.journal.outputs("smoke").get("via")}
            return mf.with_event(
                manifest,
                mf.Event(
                    at=now,
                    by=ctx.journal.by,
                    action=plan["kind"],
                    env=plan["env"],
                    plan_hash=ctx.journal.plan_hash,
                    approval=plan.get("approval"),
                    details=details,
                ),
            )

        sha = manifest_store.commit_change(ctx.root, change, plan["summary"], push=ctx.push)
        return {"commit": sha}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("the manifest change was not committed", "run the command again")
