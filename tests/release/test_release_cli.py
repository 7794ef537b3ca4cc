"""The release commands through the real `inv` entry point: JSON, refusals and exit codes."""

from __future__ import annotations

import json
import os

import pytest

NO_AWS = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "GITHUB_ACTOR"}


def refused(result, fragment):
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr, result.stderr


def test_release_dry_run_json_prints_only_the_plan_and_needs_no_credentials(release_repo):
    result = release_repo.inv("release", "--dry-run", "--json", "--component", "widget", env=NO_AWS)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)["plan"]
    assert plan["components"]["widget"]["version"] == "1.0.0"
    assert plan["invalidate"] == ["/latest/chat-widget.js", "/stable/chat-widget.js"]


def test_release_without_credentials_is_refused_before_anything_happens(release_repo):
    refused(release_repo.inv("release", "--yes", env=NO_AWS), "no usable AWS credentials")
    assert release_repo.tags() == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["release", "--env", "staging", "--yes"], "unknown environment 'staging'"),
        (["release", "--channel", "nightly", "--dry-run"], "unknown release channel 'nightly'"),
        (["promote", "dev", "--dry-run"], "dev cannot be promoted to"),
        (["promote", "qa", "--dry-run"], "dev runs nothing to promote yet"),
        (["promote", "qa", "--version", "widget", "--dry-run"], "bad --version 'widget'"),
        (["rollback-widget", "--env", "dev", "--dry-run"], "has no earlier good version"),
        (
            ["rollback-widget", "--env", "dev", "--channel", "nightly", "--dry-run"],
            "unknown channel 'nightly'",
        ),
        (["set-channel", "canary", "9.9.9", "--env", "dev", "--dry-run"], "widget 9.9.9 was never released"),
        (["yank", "9.9.9", "--yes"], "widget 9.9.9 was never released"),
    ],
)
def test_bad_input_is_one_clear_refusal_with_exit_code_2(release_repo, args, fragment):
    refused(release_repo.inv(*args, env=NO_AWS), fragment)


def test_in_github_actions_the_branch_picks_the_channel(release_repo):
    env = {**NO_AWS, "GITHUB_ACTIONS": "true", "GITHUB_REF_NAME": "next"}
    result = release_repo.inv("release", "--dry-run", "--json", env=env)
    assert json.loads(result.stdout)["plan"]["channel"] == "beta", "in CI the branch picks the channel"
