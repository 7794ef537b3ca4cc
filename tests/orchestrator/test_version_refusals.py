"""Every refusal of `inv version`: exit code 2, one clear line and what to do, nothing written."""

import git
import pytest


def refused(result, *fragments):
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    reasons = [line for line in result.stderr.splitlines() if line.startswith("refused: ")]
    assert len(reasons) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
    return result


def test_a_dirty_tree_is_refused(repo):
    (repo.path / "widget/src/app.js").write_text("edited")
    refused(repo.inv("version", "--yes"), "working tree is not clean", "widget/src/app.js", "commit or stash")
    assert repo.tags() == []


def test_a_branch_behind_its_upstream_is_refused(repo, tmp_path):
    git.Repo.init(tmp_path / "remote.git", bare=True)
    repo.git.create_remote("origin", str(tmp_path / "remote.git"))
    repo.git.git.push("-u", "origin", "main")
    other = git.Repo.clone_from(tmp_path / "remote.git", tmp_path / "other", branch="main")
    with other.config_writer() as cw:
        cw.set_value("user", "name", "Other").set_value("user", "email", "o@example.com")
    (tmp_path / "other/widget/src/new.js").write_text("x")  # widget/src exists in the clone
    other.index.add(["widget/src/new.js"])
    other.index.commit("feat: elsewhere")
    other.git.push("origin", "main")
    refused(repo.inv("version", "--yes"), "1 commit(s) behind origin/main", "pull first")
    assert repo.tags() == []


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--channel", "nightly"], ["unknown release channel 'nightly'", "stable, beta or alpha"]),
        (["--channel", "canary"], ["set-channel canary"]),
        (["--component", "mobile"], ["unknown component mobile", "widget, backend"]),
        (["--bump", "huge"], ["unknown bump 'huge'"]),
    ],
)
def test_bad_options_are_refused(repo, args, fragments):
    refused(repo.inv("version", "--dry-run", *args), *fragments)


def test_without_a_terminal_and_without_yes_it_refuses_rather_than_hangs(repo):
    refused(repo.inv("version"), "no terminal to confirm on", "--yes")
    assert repo.tags() == []


def test_a_malformed_manifest_is_one_line_naming_the_json_path(repo):
    (repo.path / "releases/manifest.json").write_text(
        '{"components": {"widget": {"releases": {"1.0.0": {}}}}}'
    )
    repo.git.index.add(["releases/manifest.json"])
    repo.git.index.commit("chore: broken manifest")
    result = refused(repo.inv("version", "--dry-run"), '$.components.widget.releases["1.0.0"].version')
    assert len(result.stderr.strip().splitlines()) == 2  # the reason and the hint


def test_leftovers_of_an_interrupted_write_get_a_specific_hint(repo):
    (repo.path / "CHANGELOG.md").write_text("# half\n")
    refused(repo.inv("version", "--yes"), "git checkout -- CHANGELOG.md releases/manifest.json")


def test_a_dry_run_needs_no_credentials_and_writes_nothing(repo, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    result = repo.inv("version", "--dry-run")
    assert result.returncode == 0
    assert "1.0.0" in result.stderr
    assert not (repo.path / "CHANGELOG.md").exists() and repo.tags() == []
