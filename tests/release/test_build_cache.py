"""The widget build cache (adapters/build_cache.py): sources built before on this machine are
copied, not built again — and only when every input is the same."""

from __future__ import annotations

import pytest
from release_world import make_target, new_release_repo, objects

from orchestrator.adapters import build_cache, npm
from orchestrator.release import release

REQ = release.Request(env="dev", component="widget")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A cache of this test's own, empty."""
    monkeypatch.setenv("BOOKINGCHAT_BUILD_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def builds(monkeypatch):
    """Every real build (npm run build:widget) made from here on."""
    made = []
    real = npm.run_script

    def counted(script, *args, **kwargs):
        made.append(script)
        return real(script, *args, **kwargs)

    monkeypatch.setattr(npm, "run_script", counted)
    return made


def published(tgt) -> dict[str, str]:
    return {k: v["sha256"] for k, v in objects(tgt.widget_bucket).items() if k.startswith("v1.0.0/")}


def test_the_same_sources_are_built_once_and_published_byte_for_byte_the_same(
    aws, tmp_path, cache_dir, builds
):
    first = new_release_repo(tmp_path / "first")
    release.run(first.path, REQ, tgt=make_target("dev"))
    before = published(make_target("dev"))
    assert builds == ["build:widget"]

    aws.reset()  # a new world: another repository with the same sources, an empty environment
    said = []
    second = new_release_repo(tmp_path / "second")
    release.run(second.path, REQ, tgt=make_target("dev"), echo=said.append)
    assert builds == ["build:widget"], "the second release built again"
    assert any("build cache" in line for line in said)
    assert published(make_target("dev")) == before
    assert (
        second.manifest()["components"]["widget"]["releases"]["1.0.0"]["artifacts"]
        == (first.manifest()["components"]["widget"]["releases"]["1.0.0"]["artifacts"])
    )


def test_a_changed_input_builds_again(aws, tmp_path, cache_dir, builds):
    repo = new_release_repo(tmp_path / "repo")
    env = {"WIDGET_VERSION": "1.0.0"}
    project = repo.path / "widget"
    base = build_cache.key(project, env)
    assert build_cache.key(project, {**env, "AWS_ENDPOINT_URL": "http://elsewhere"}) == base
    (project / "build").mkdir(exist_ok=True)
    (project / "build" / "old.js").write_text("a previous build is not an input")
    assert build_cache.key(project, env) == base
    assert build_cache.key(project, {"WIDGET_VERSION": "1.0.1"}) != base
    assert build_cache.key(project, {**env, "MINI_WIDGET_MAPS": "1"}) != base
    (project / "src" / "app.js").write_text("console.log('changed');\n")
    assert build_cache.key(project, env) != base

    repo.git.index.add(["widget/src/app.js"])
    repo.git.index.commit("fix: changed")
    release.run(repo.path, REQ, tgt=make_target("dev"))
    aws.reset()
    other = new_release_repo(tmp_path / "other")  # the original sources again
    release.run(other.path, REQ, tgt=make_target("dev"))
    assert builds == ["build:widget", "build:widget"]


def test_the_cache_can_be_switched_off(aws, tmp_path, cache_dir, builds, monkeypatch):
    monkeypatch.setenv("BOOKINGCHAT_BUILD_CACHE", "0")
    for name in ("one", "two"):
        aws.reset()
        release.run(new_release_repo(tmp_path / name).path, REQ, tgt=make_target("dev"))
    assert builds == ["build:widget", "build:widget"]
    assert not cache_dir.exists()
