"""The release tests' world, shared by tests/release and tests/board: a temp git repo with a
small widget project, and an environment's buckets and CloudFront distribution created in the
embedded AWS through their real APIs."""

from __future__ import annotations

import shutil
from pathlib import Path

import boto3
import git
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


# ── worlds built once per worker ──────────────────────────────────────────────────────────────
# Many release tests start from the same world (two releases and a channel moved, say: ~1.1 s of
# CPU each time). The first test of a worker builds it through the real commands; the others get
# the very same bytes back — the git repository copied, every object of both buckets put back
# with its headers and metadata, the invalidations made again in order — in a fresh environment.
# Nothing in those bytes names the distribution (its id is the one thing a fresh world changes).

_WORLDS: dict[str, tuple[Path, dict[str, list[dict]], list[list[str]]]] = {}


def world(name: str, repo: Repo, tgt: Target, build) -> Repo:
    """`repo` and `tgt` as `build(repo, tgt)` leaves them; built once per worker, then restored."""
    if name not in _WORLDS:
        build(repo, tgt)
        kept = repo.path.parents[1] / "release-worlds" / name  # in the worker's pytest temp dir
        shutil.copytree(repo.path, kept, symlinks=True)
        _WORLDS[name] = (kept, {b: _bucket(b) for b in _buckets(tgt)}, invalidated_paths(tgt.distribution_id))
        return repo
    kept, buckets, invalidations = _WORLDS[name]
    repo.git.close()
    shutil.rmtree(repo.path)
    shutil.copytree(kept, repo.path, symlinks=True)
    repo.git = git.Repo(repo.path)
    s3 = boto3.client("s3")
    for bucket, objs in buckets.items():
        for obj in objs:
            s3.put_object(Bucket=bucket, **obj)
    cloudfront = boto3.client("cloudfront")
    for n, paths in enumerate(invalidations):
        cloudfront.create_invalidation(
            DistributionId=tgt.distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": paths},
                "CallerReference": f"{name}-{n}",
            },
        )
    return repo


def _buckets(tgt: Target) -> tuple[str, str]:
    return (tgt.artifact_bucket, tgt.widget_bucket)


def _bucket(bucket: str) -> list[dict]:
    s3 = boto3.client("s3")
    out = []
    for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        got = s3.get_object(Bucket=bucket, Key=item["Key"])
        obj = {"Key": item["Key"], "Body": got["Body"].read(), "Metadata": got["Metadata"]}
        for header in ("ContentType", "CacheControl"):
            if got.get(header):
                obj[header] = got[header]
        out.append(obj)
    return out


def two_releases_latest_on_first(repo: Repo, tgt: Target) -> None:
    """1.0.0 and 1.1.0 released in the environment, latest moved back to 1.0.0."""
    from orchestrator.release import release, rollback

    req = release.Request(env=tgt.env, component="widget")
    release.run(repo.path, req, tgt=tgt)
    repo.commit("feat: quick replies", "widget/src/app.js", "console.log('quick replies');\n")
    release.run(repo.path, req, tgt=tgt)
    rollback.run(repo.path, "set-channel", tgt.env, "latest", to="1.0.0", tgt=tgt)
