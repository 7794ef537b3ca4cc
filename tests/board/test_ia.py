"""`./inv ia off|on ENV` through the engine: only the DISABLE_IA parameters CloudFormation owns.

The app stacks here are real CloudFormation stacks in the embedded AWS whose one resource is
infra/app.yaml's `DisableIaParameter`; the full retire-colour → promotion case is in
tests/infra/test_engine_commands.py.
"""

from __future__ import annotations

import boto3
import pytest
from board_world import deploy_app_stack, deploy_edge, held_elsewhere

from orchestrator.board import ai_switch
from orchestrator.errors import UserError


def _value(name: str) -> str:
    return boto3.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]


def test_ia_off_sets_disable_ia_true_and_records_it_and_on_sets_it_back(release_repo, aws):
    deploy_edge("dev")
    name = deploy_app_stack("dev")
    off = release_repo.inv("ia", "off", "dev", "--json")
    assert off.returncode == 0, off.stderr
    assert _value(name) == "true"
    event = release_repo.manifest()["events"][-1]
    assert (event["action"], event["env"], event["details"]["DISABLE_IA"]) == ("ia", "dev", "true")
    assert event["details"]["id"].startswith("ia-")  # journaled: the record names its operation
    on = release_repo.inv("ia", "dev", "on")  # the docs' order works too
    assert on.returncode == 0, on.stderr
    assert _value(name) == "false"
    assert not release_repo.git.is_dirty()


def test_ia_refuses_a_state_that_is_neither_on_nor_off(release_repo, aws):
    refused = release_repo.inv("ia", "maybe", "dev")
    assert refused.returncode == 2 and "neither on nor off" in refused.stderr


def test_ia_sets_only_the_colours_whose_stack_exists_and_never_creates_one(release_repo, aws):
    deploy_edge("prod")
    blue = deploy_app_stack("prod", "blue")  # green was retired (or never deployed)
    flip = ai_switch.flip(release_repo.path, "prod", "off")
    assert flip.parameters == {blue: "false"} and _value(blue) == "true"
    names = [p["Name"] for p in boto3.client("ssm").describe_parameters()["Parameters"]]
    assert "/bookingchat/prod/green/DISABLE_IA" not in names
    commits = len(list(release_repo.git.iter_commits()))
    again = ai_switch.flip(release_repo.path, "prod", "off")
    assert again.changed is False and again.journal is None
    assert len(list(release_repo.git.iter_commits())) == commits  # nothing to do: nothing recorded


def test_ia_without_an_app_stack_is_refused_and_creates_nothing(release_repo, aws):
    deploy_edge("dev")
    with pytest.raises(UserError, match="no app stack"):
        ai_switch.flip(release_repo.path, "dev", "off")
    assert boto3.client("ssm").describe_parameters()["Parameters"] == []


def test_ia_dry_run_changes_nothing(release_repo, aws):
    deploy_edge("dev")
    name = deploy_app_stack("dev")
    flip = ai_switch.flip(release_repo.path, "dev", "off", dry_run=True)
    assert flip.parameters == {name: "false"} and flip.commit is None
    assert _value(name) == "false"


def test_ia_is_refused_with_the_holder_while_another_holds_the_environment(release_repo, aws):
    tgt = deploy_edge("dev")
    name = deploy_app_stack("dev")
    held_elsewhere(tgt.artifact_bucket, "dev", "bob")
    refused = release_repo.inv("ia", "off", "dev")
    assert refused.returncode == 2 and "dev is locked by bob (release" in refused.stderr
    assert _value(name) == "false"
