"""The release tests' world, shared by tests/release and tests/board: a temp git repo with a
small widget project, and an environment's buckets and CloudFront distribution created in the
embedded AWS through their real APIs."""

from __future__ import annotations

import shutil
from pathlib import Path

import boto3
from gitrepo import MONOREPO, Repo

from orchestrator.engine.target import Target
from orchestrator.local import sandbox

MINI_WIDGET = Path(__file__).parent / "release" / "mini_widget"


def new_release_repo(path: Path) -> Repo:
    """A git repo shaped like the monorepo whose widget/ is tests/release/mini_widget."""
    r = Repo(path)
    shutil.copytree(MINI_WIDGET, r.path / "widget", ignore=shutil.ignore_patterns("build", "node_modules"))
    (r.path / "releases").mkdir()
    shutil.copy(MONOREPO / "releases/components.toml", r.path / "releases/components.toml")
    (r.path / ".gitignore").write_text("widget/build/\nwidget/node_modules/\n")
    r.git.index.add(["widget", "releases/components.toml", ".gitignore"])
    r.git.index.commit("feat: widget")
    return r


def make_target(env: str = "dev") -> Target:
    """The environment's buckets and distribution, through the embedded AWS's real APIs."""
    return sandbox.bare_environment(env)


def objects(bucket: str) -> dict[str, dict]:
    """Every object of a bucket with what a visitor or CloudFront sees of it."""
    s3 = boto3.client("s3")
    out = {}
    for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        head = s3.head_object(Bucket=bucket, Key=obj["Key"])
        out[obj["Key"]] = {
            "sha256": head["Metadata"].get("sha256"),
            "version": head["Metadata"].get("version"),
            "cache": head.get("CacheControl"),
            "type": head.get("ContentType"),
        }
    return out


def invalidated_paths(dist_id: str) -> list[list[str]]:
    cf = boto3.client("cloudfront")
    items = cf.list_invalidations(DistributionId=dist_id)["InvalidationList"].get("Items", [])
    return [
        sorted(
            cf.get_invalidation(DistributionId=dist_id, Id=i["Id"])["Invalidation"]["InvalidationBatch"][
                "Paths"
            ]["Items"]
        )
        for i in items
    ]
