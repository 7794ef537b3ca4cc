"""release_world.world: a world restored for a later test is the world the commands built."""

from __future__ import annotations

from release_world import (
    invalidated_paths,
    make_target,
    new_release_repo,
    objects,
    two_releases_latest_on_first,
    world,
)


def seen(repo, tgt) -> dict:
    return {
        "artifacts": objects(tgt.artifact_bucket),
        "widget": objects(tgt.widget_bucket),
        "invalidations": invalidated_paths(tgt.distribution_id),
        "manifest": repo.manifest(),
        "tags": repo.tags(),
        "commits": [c.hexsha for c in repo.git.iter_commits()],
        "dirty": repo.git.is_dirty(untracked_files=True),
    }


def never(repo, tgt):
    raise AssertionError("the world was built twice")


def test_a_restored_world_is_the_built_one(aws, tmp_path):
    built = world("test_release_world", new_release_repo(tmp_path / "a" / "repo"), make_target("dev"),
                  two_releases_latest_on_first)  # fmt: skip
    before = seen(built, make_target("dev"))
    aws.reset()
    restored = world("test_release_world", new_release_repo(tmp_path / "b" / "repo"), make_target("dev"),
                     never)  # fmt: skip
    assert restored.path == tmp_path / "b" / "repo"
    assert seen(restored, make_target("dev")) == before
    assert len(before["widget"]) > 8 and before["invalidations"] and before["tags"]
