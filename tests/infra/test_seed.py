"""`./inv seed ENV` against the embedded AWS: qa's demo tenants and every environment's smoke
tenant, whose key lands in the SecureString `./inv smoke` reads. Idempotent: twice = once."""

from __future__ import annotations

import boto3
import pytest
from gitrepo import Repo

from orchestrator.board import seed, smoke
from orchestrator.deploy import rollout
from orchestrator.errors import UserError


@pytest.fixture
def repo(tmp_path) -> Repo:
    r = Repo(tmp_path / "repo")
    r.commit("chore: start", "README.md", "booking chat\n")
    return r


def _up(env: str, zips, lines) -> None:
    rollout.bootstrap(env, echo=lines.append)
    rollout.deploy(env, zips=zips, echo=lines.append, poll=0)


def _tenant_for(table: str, plain: str) -> str | None:
    from backend import runtime, store

    with runtime.using_table(table):
        return store.tenant_for_api_key(plain)


def test_seed_qa_writes_demo_and_smoke_tenants_and_a_second_run_changes_nothing(repo, aws, zips, lines):
    _up("qa", zips, lines)
    first = seed.run(repo.path, "qa", echo=lines.append)
    assert first["status"] == "done"
    from backend import seed as demo

    assert set(first["plan"]["demo"]) == set(demo.api_keys()) and len(first["plan"]["demo"]) >= 2
    param = boto3.client("ssm").get_parameter(Name="/bookingchat/qa/smoke-api-key", WithDecryption=True)
    assert param["Parameter"]["Type"] == "SecureString"
    key = param["Parameter"]["Value"]
    assert smoke.smoke_key("qa") == key  # what ./inv smoke reads
    table = first["plan"]["table"]
    assert _tenant_for(table, key) == "smoke-test"
    for tenant_id, plain in demo.api_keys().items():
        assert _tenant_for(table, plain) == tenant_id
    commits = len(list(repo.git.iter_commits()))
    assert repo.manifest()["events"][-1]["action"] == "seed"

    second = seed.run(repo.path, "qa", echo=lines.append)
    assert second == {"dry_run": False, "changed": False, "journal": None}
    assert len(list(repo.git.iter_commits())) == commits
    again = boto3.client("ssm").get_parameter(Name="/bookingchat/qa/smoke-api-key", WithDecryption=True)
    assert again["Parameter"]["Version"] == param["Parameter"]["Version"]  # the key was not rotated


def test_seed_dev_gets_only_the_smoke_tenant_and_dry_run_writes_nothing(repo, aws, zips, lines):
    _up("dev", zips, lines)
    dry = seed.run(repo.path, "dev", dry_run=True)
    assert dry["plan"]["steps"] == ["seed-smoke-tenant", "record-environment"] and dry["plan"]["demo"] == []
    assert (
        boto3.client("ssm").describe_parameters(
            ParameterFilters=[{"Key": "Name", "Values": ["/bookingchat/dev/smoke-api-key"]}]
        )["Parameters"]
        == []
    )
    seed.run(repo.path, "dev")
    assert smoke.smoke_key("dev")


def test_seed_before_the_data_stack_is_refused(repo, aws, lines):
    rollout.bootstrap("dev", echo=lines.append)
    with pytest.raises(UserError, match="bookingchat-dev-data is not deployed"):
        seed.run(repo.path, "dev")
