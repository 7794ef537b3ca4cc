"""`inv version` end to end: real git repositories, the real Invoke entry point."""

import git

from orchestrator.release import version as versions


def test_first_version_releases_every_component_as_1_0_0(repo):
    result = repo.inv("version", "--yes")
    assert result.returncode == 0, result.stderr
    assert repo.tags() == ["backend/v1.0.0", "widget/v1.0.0"]
    head = repo.git.head.commit
    assert head.message.startswith("chore(release): widget 1.0.0, backend 1.0.0")
    assert sorted(head.stats.files) == ["CHANGELOG.md", "releases/manifest.json"]
    tag = repo.git.tags["widget/v1.0.0"]
    assert tag.tag is not None, "tags are annotated"
    assert tag.commit == head
    releases = repo.manifest()["components"]["widget"]["releases"]
    assert releases["1.0.0"]["git_sha"] == head.parents[0].hexsha
    assert "widget skeleton" in releases["1.0.0"]["changelog"]
    assert not repo.git.is_dirty(untracked_files=True)


def test_commits_decide_each_components_bump_and_the_json_lists_them(repo):
    assert repo.inv("version", "--yes").returncode == 0
    repo.commit("feat(chat): quick replies", "widget/src/chat.js")
    repo.commit("fix: typo in widget", "widget/src/app.js")
    repo.commit("fix: slot rounding", "packages/backend/src/backend/slots.py")
    repo.commit("refactor: split stacks\n\nBREAKING CHANGE: new stack names", "infra/app.yaml")
    repo.commit("docs: readme", "README.md")  # touches neither component
    plan = repo.plan_json()["components"]
    assert (plan["widget"]["current"], plan["widget"]["next"], plan["widget"]["bump"]) == (
        "1.0.0",
        "1.1.0",
        "minor",
    )
    assert (plan["backend"]["current"], plan["backend"]["next"], plan["backend"]["bump"]) == (
        "1.0.0",
        "2.0.0",
        "major",
    )
    assert [c["subject"] for c in plan["widget"]["commits"]] == ["typo in widget", "quick replies"]
    assert plan["backend"]["commits"][0]["breaking"] is True
    assert repo.tags() == ["backend/v1.0.0", "widget/v1.0.0"], "a dry run changes nothing"


def test_component_and_bump_options(repo):
    assert repo.inv("version", "--yes").returncode == 0
    repo.commit("fix: a", "widget/src/a.js")
    plan = repo.plan_json("--component", "widget", "--bump", "major")["components"]
    assert list(plan) == ["widget"] and plan["widget"]["next"] == "2.0.0"


def test_nothing_releasable_says_so_and_exits_0(repo):
    assert repo.inv("version", "--yes").returncode == 0
    repo.commit("chore: bump deps", "widget/package.json")
    head = repo.git.head.commit.hexsha
    result = repo.inv("version", "--yes")
    assert result.returncode == 0
    assert "Nothing to release." in result.stderr
    assert repo.git.head.commit.hexsha == head


def test_beta_prereleases_count_from_tags_then_graduate_and_fold_the_changelog(repo):
    assert repo.inv("version", "--yes").returncode == 0
    repo.commit("feat: booking card", "widget/src/card.js")
    assert repo.inv("version", "--yes", "--channel", "beta", "--component", "widget").returncode == 0
    repo.commit("fix: card spacing", "widget/src/card.js")
    assert repo.inv("version", "--yes", "--channel", "beta", "--component", "widget").returncode == 0
    assert "widget/v1.1.0-beta.2" in repo.tags()
    plan = repo.plan_json("--component", "widget")["components"]["widget"]
    assert (plan["current"], plan["next"]) == ("1.1.0-beta.2", "1.1.0")
    assert {c["subject"] for c in plan["commits"]} == {"booking card", "card spacing"}
    assert repo.inv("version", "--yes", "--component", "widget").returncode == 0
    log = (repo.path / "CHANGELOG.md").read_text()
    assert "## widget 1.1.0 —" in log and "beta" not in log
    assert "booking card" in log and "card spacing" in log
    assert sorted(repo.manifest()["components"]["widget"]["releases"]) == [
        "1.0.0",
        "1.1.0",
        "1.1.0-beta.1",
        "1.1.0-beta.2",
    ]


def test_push_sends_branch_and_tags_atomically_to_the_remote(repo, tmp_path):
    remote = git.Repo.init(tmp_path / "remote.git", bare=True)
    repo.git.create_remote("origin", str(tmp_path / "remote.git"))
    repo.git.git.push("-u", "origin", "main")
    assert repo.inv("version", "--yes", "--push").returncode == 0
    assert sorted(t.name for t in remote.tags) == ["backend/v1.0.0", "widget/v1.0.0"]
    assert remote.heads.main.commit.hexsha == repo.git.head.commit.hexsha


def test_an_interrupted_run_is_repaired_without_a_second_bump(repo):
    assert repo.inv("version", "--yes").returncode == 0
    repo.commit("feat: x", "widget/src/x.js")
    assert repo.inv("version", "--yes").returncode == 0
    repo.git.delete_tag("widget/v1.1.0")  # as if the process died between commit and tag
    plan = versions.plan(repo.path)
    assert not plan.releasing
    assert [t for t, _ in plan.repairs] == ["widget/v1.1.0"]
    result = repo.inv("version", "--yes")
    assert result.returncode == 0, result.stderr
    assert repo.git.tags["widget/v1.1.0"].commit == repo.git.head.commit
    assert repo.plan_json()["components"]["widget"]["next"] is None
