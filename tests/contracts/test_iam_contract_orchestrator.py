"""The IAM contract for the orchestrator: every AWS call of deploy, release, promote and
rollback is allowed by the deploy role of the environment it acts on (infra/github-oidc.yaml),
for dev, qa and prod. moto does not evaluate IAM; this does.

The test drives the whole ladder itself (as tests/release/test_full_ladder.py does) under the
recorder, so it holds in any order and under xdist. Attribution: each command runs inside
`acting_as("deploy:<env>")`; the one-time `./inv bootstrap` (an account admin's job, before
the deploy roles exist) and the sandbox emulation (what moto's CloudFormation skips, never run
on AWS) are SETUP. Calls CloudFormation makes under the execution role are out of scope.
"""

from __future__ import annotations

import warnings

import boto3
import pytest
from release_world import MONOREPO, new_release_repo
from semver import Version

from orchestrator.core import checklist as cl
from orchestrator.core.release_plan import plan_hash
from orchestrator.deploy import rollout
from orchestrator.engine import manifest_store, target
from orchestrator.quality import iam_contract, iam_principals
from orchestrator.quality.iam_calls import SETUP, Recorder, acting_as
from orchestrator.release import canary, canary_watch, promote, release, rollback

ENVS = ("dev", "qa", "prod")


@pytest.fixture
def ladder_recorder(aws):
    rec = Recorder({("orchestrator.local.sandbox", "*"): SETUP}).install()
    try:
        yield rec
    finally:
        rec.uninstall()


def release_to_prod(repo_path, tmp_path, component: str | None = None) -> None:
    with acting_as("deploy:dev"):
        release.run(repo_path, release.Request(env="dev", component=component))
    with acting_as("deploy:qa"):
        promote.run(repo_path, "qa", approval=promote.Approval(approve=True))
    with acting_as("deploy:prod"):
        plan, _ = promote.run(repo_path, "prod", dry_run=True)
        checklist = tmp_path / "prod.toml"
        checklist.write_text(cl.template(plan_hash(plan), "ana@example.com").replace("= false", "= true"))
        promote.run(repo_path, "prod", approval=promote.Approval(True, checklist))


def run_the_ladder(repo, tmp_path) -> None:
    quiet = {"echo": lambda s: None}
    for env in ENVS:
        with acting_as(SETUP):
            rollout.bootstrap(env, **quiet)
        with acting_as(f"deploy:{env}"):
            rollout.deploy(env, version="0.0.0-setup", **quiet)
    release_to_prod(repo.path, tmp_path)
    repo.commit("feat: slots", "widget/src/app.js", "console.log('slots');\n")
    release_to_prod(repo.path, tmp_path, "widget")
    with acting_as("deploy:prod"):
        rollback.run(repo.path, "rollback-widget", "prod", "latest")
    canary_in_prod(repo)


def canary_in_prod(repo) -> None:
    """The version rolled back from goes on canary in prod; `canary watch` reads its metrics
    (CloudWatch GetMetricData: none yet, so it stops), then the canary is aborted."""
    manifest = manifest_store.load(repo.path)
    stable = manifest.environments["prod"].channels["stable"]
    newest = max(manifest.component("widget").releases, key=Version.parse)
    assert newest != stable
    clock = iter(range(1_800_000_000, 1_800_100_000, 600))
    with acting_as("deploy:prod"):
        canary.run(repo.path, "start", "prod", newest, percent="5")
        watched = canary_watch.run(
            repo.path, "prod", bake="10m", interval="10m", dry_run=True,
            clock=lambda: float(next(clock)), sleep=lambda s: None, echo=lambda s: None,
        )  # fmt: skip
        assert watched.result == "stopped" and "no data" in watched.reason
        canary.run(repo.path, "abort", "prod", reason="contract test")


def test_every_orchestrator_call_is_allowed_by_the_deploy_role(ladder_recorder, tmp_path, capsys):
    repo = new_release_repo(tmp_path / "repo")
    schema = (MONOREPO / "infra/graphql/schema.graphql").read_text()
    repo.commit("feat: booking api", "infra/graphql/schema.graphql", schema)
    run_the_ladder(repo, tmp_path)

    with acting_as(SETUP):
        account = boto3.client("sts").get_caller_identity()["Account"]
        # the bootstrap stack re-run once the edge stacks exist pins each distribution by id
        distributions = {env: target.resolve(env).distribution_id for env in ENVS}
    principals = {
        f"deploy:{env}": iam_principals.deploy_role(env, account=account, distributions=distributions)
        for env in ENVS
    }
    scope = iam_principals.scope_of(iam_principals.environments.load("dev"), account)
    assert {c.principal for c in ladder_recorder.calls} >= set(principals)
    report = iam_contract.check("orchestrator", ladder_recorder.calls, principals, scope)
    if report.unused:
        with capsys.disabled():
            print("\n[orchestrator] grants no recorded call needed:\n  " + "\n  ".join(report.unused))
        warnings.warn(f"orchestrator: {len(report.unused)} unused grant(s)", stacklevel=1)
    assert report.ok, report.summary()
