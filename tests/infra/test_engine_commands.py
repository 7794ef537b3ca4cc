"""deploy, rollback-backend, retire-colour, teardown and ia through the one engine, against the
embedded AWS's CloudFormation: refused with the holder while another process holds the
environment, and a promotion racing retire-colour never loses its live colour."""

from __future__ import annotations

import json
import threading

import boto3
import pytest
from gitrepo import Repo

from orchestrator.adapters import cloudformation as cf
from orchestrator.board import ai_switch
from orchestrator.deploy import backend_commands, rollout
from orchestrator.engine import lease as lock
from orchestrator.engine.target import Target


@pytest.fixture
def repo(tmp_path) -> Repo:
    r = Repo(tmp_path / "repo")
    r.commit("chore: start", "README.md", "booking chat\n")
    return r


@pytest.fixture
def prod(aws, lines):
    rollout.bootstrap("prod", echo=lines.append)
    return rollout.target("prod", echo=lines.append)


def _deploy(env, zips, lines, **kw):
    return rollout.deploy(env, zips=zips, echo=lines.append, poll=0, **kw)


def _held_by_bob(t: Target) -> None:
    lease = {
        "env": t.env,
        "holder": "bob",
        "operation": "promote",
        "host": "ci-runner-7",
        "pid": 4242,
        "since": "2026-11-27T10:00:00+00:00",
        "until": "2099-01-01T00:00:00+00:00",
        "token": "t0k3n",
    }
    t.s3.put_object(Bucket=t.artifact_bucket, Key=lock.key(t.env), Body=json.dumps(lease).encode())


@pytest.mark.parametrize(
    "args",
    [
        ["deploy", "dev"],
        ["rollback-backend", "dev"],
        ["teardown", "dev"],
        ["seed", "dev"],
        ["ia", "off", "dev"],
    ],
    ids=lambda a: a[0],
)
def test_each_command_is_refused_with_the_holder_while_another_holds_dev(repo, dev, zips, lines, args):
    _deploy("dev", zips, lines)
    _held_by_bob(dev)
    before = {
        s["StackName"]: s["StackStatus"] for s in boto3.client("cloudformation").describe_stacks()["Stacks"]
    }
    refused = repo.inv(*args)
    assert refused.returncode == 2, refused.stderr
    assert "dev is locked by bob (promote, pid 4242 on ci-runner-7)" in refused.stderr
    after = {
        s["StackName"]: s["StackStatus"] for s in boto3.client("cloudformation").describe_stacks()["Stacks"]
    }
    assert after == before


def test_retire_colour_is_refused_while_a_promotion_holds_prod(repo, prod):
    _held_by_bob(prod)
    refused = repo.inv("retire-colour", "prod")
    assert refused.returncode == 2 and "prod is locked by bob (promote" in refused.stderr


def test_a_promotion_racing_retire_colour_never_loses_its_live_colour(repo, prod, zips, lines):
    """Blue live, green retired. A promotion deploys green and, before switching to it, smoke-tests
    it; meanwhile an operator runs retire-colour. Without the lease it reads "blue is live" and
    deletes green — the colour the promotion then switches the domain to."""
    _deploy("prod", zips, lines)  # blue
    assert rollout.live_colour(prod) == "blue"
    smoking, finish = threading.Event(), threading.Event()

    def smoke(url, api):
        smoking.set()
        assert finish.wait(60)

    def promotion():  # what DeployPromotedBackend does, inside the promotion's lease
        with lock.hold(prod.artifact_bucket, "prod", "ana", "promote"):
            _deploy("prod", {**zips, "chat": zips["chat"] + b"\1"}, lines, smoke=smoke)

    runner = threading.Thread(target=promotion)
    runner.start()
    try:
        assert smoking.wait(120)
        raced = repo.inv("retire-colour", "prod")
    finally:
        finish.set()
        runner.join()
    assert raced.returncode == 2 and "prod is locked by ana (promote" in raced.stderr
    assert rollout.live_colour(prod) == "green"
    assert cf.describe(prod.cfn, "bookingchat-prod-app-green")["StackStatus"].endswith("COMPLETE")
    # Afterwards it plans afresh, under the lease: the idle colour is now blue.
    done = repo.inv("retire-colour", "prod", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["plan"]["choice"]["retire"] == "blue"
    assert cf.describe(prod.cfn, "bookingchat-prod-app-blue") is None
    assert repo.manifest()["events"][-1]["action"] == "retire-colour"


def test_rollback_backend_switches_back_and_records_it_in_one_operation(repo, prod, zips, lines):
    _deploy("prod", zips, lines)
    _deploy("prod", {**zips, "chat": zips["chat"] + b"\1"}, lines)
    result = backend_commands.rollback_backend(repo.path, "prod", poll=0, echo=lines.append)
    assert result["status"] == "done" and result["steps"]["rollback-backend"]["switched_to"] == "blue"
    assert rollout.live_colour(prod) == "blue"
    event = repo.manifest()["events"][-1]
    assert (event["action"], event["details"]["id"], event["details"]["colour"]) == (
        "rollback-backend",
        result["journal"],
        "blue",
    )
    assert not repo.git.is_dirty()


def test_ia_off_writes_no_colour_that_does_not_exist_so_the_next_promotion_creates_it(
    repo, prod, zips, lines
):
    """ia off while only blue exists (green never deployed, or retired — the same case), then a
    promotion creates green. The old switch wrote green's parameter too, and CloudFormation
    (the embedded AWS as well) refuses to create an AWS::SSM::Parameter whose Name exists.

    Recreating a *retired* colour cannot be shown here: the embedded AWS's stack delete leaves
    the nested stacks' roles, log groups and parameters behind, so any recreate collides."""
    _deploy("prod", zips, lines)  # blue, live
    flip = ai_switch.flip(repo.path, "prod", "off")
    assert list(flip.parameters) == ["/bookingchat/prod/blue/DISABLE_IA"]
    ssm = boto3.client("ssm")
    names = [p["Name"] for p in ssm.describe_parameters()["Parameters"]]
    assert "/bookingchat/prod/green/DISABLE_IA" not in names
    second = _deploy("prod", {**zips, "chat": zips["chat"] + b"\1"}, lines)  # creates green
    assert second.live_colour == "green" and second.switched
    # The new colour inherits the switch: the AI stays off across the colour switch.
    assert ssm.get_parameter(Name="/bookingchat/prod/green/DISABLE_IA")["Parameter"]["Value"] == "true"


def test_ia_after_retire_colour_touches_only_the_live_colour(repo, prod, zips, lines):
    _deploy("prod", zips, lines)  # blue
    _deploy("prod", {**zips, "chat": zips["chat"] + b"\1"}, lines)  # green, live
    backend_commands.retire_colour(repo.path, "prod", poll=0, echo=lines.append)  # blue deleted
    flip = ai_switch.flip(repo.path, "prod", "off")
    assert list(flip.parameters) == ["/bookingchat/prod/green/DISABLE_IA"]


def test_teardown_runs_one_journaled_step_per_stack_and_a_rerun_has_nothing_to_do(repo, dev, zips, lines):
    _deploy("dev", zips, lines)
    result = backend_commands.teardown(repo.path, "dev", poll=0, echo=lines.append)
    assert [s for s in result["plan"]["steps"]] == [
        "delete bookingchat-dev-monitoring",
        "delete bookingchat-dev-edge",
        "delete bookingchat-dev-app",
        "record-environment",
    ]
    assert cf.describe(dev.cfn, "bookingchat-dev-app") is None and cf.describe(
        dev.cfn, "bookingchat-dev-data"
    )
    again = backend_commands.teardown(repo.path, "dev", poll=0, echo=lines.append)
    assert again == {"dry_run": False, "changed": False, "journal": None}


def test_deploy_dry_run_and_json(repo, dev, zips, lines):
    dry = backend_commands.deploy(repo.path, "dev", zips=zips, dry_run=True, poll=0, echo=lines.append)
    assert dry["dry_run"] and [s["outcome"] for s in dry["plan"]["stacks"]] == ["dry run"] * 4
    assert cf.describe(dev.cfn, "bookingchat-dev-data") is None
    done = backend_commands.deploy(repo.path, "dev", zips=zips, poll=0, echo=lines.append)
    assert done["status"] == "done" and done["steps"]["deploy"]["stacks"][0]["outcome"] == "created"
    assert lock.read(dev.artifact_bucket, "dev") is None
