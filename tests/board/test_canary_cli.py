"""`./inv canary` as a user runs it (a temp repo, no terminal) against an edge stack in the embedded
AWS: JSON on stdout, refusals with exit code 2, the routing object on the bucket."""

from __future__ import annotations

import json

import boto3
from board_world import REQ, deploy_edge

from orchestrator.core import canary as cn
from orchestrator.release import release, rollback


def test_start_status_abort_through_the_cli(release_repo, aws):
    tgt = deploy_edge("dev")
    release.run(release_repo.path, REQ, tgt=tgt, echo=lambda s: None)
    release_repo.commit("feat: more", "widget/src/app.js", "console.log('more');\n")
    release.run(release_repo.path, REQ, tgt=tgt, echo=lambda s: None)
    rollback.run(release_repo.path, "set-channel", "dev", "latest", to="1.0.0", tgt=tgt)

    asked = release_repo.inv("canary-start", "1.1.0", "--env", "dev", "--tenants", "salon-luna")
    assert asked.returncode == 2 and "--yes" in asked.stderr, asked.stderr
    started = release_repo.inv(
        "canary-start", "1.1.0", "--env", "dev", "--tenants", "salon-luna", "--yes", "--json"
    )
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)["plan"]["kind"] == "canary-start"
    status = release_repo.inv("canary-status", "--env", "dev", "--json")
    assert status.returncode == 0, status.stderr
    st = json.loads(status.stdout)
    assert (st["state"], st["version"], st["tenants"]) == ("active", "1.1.0", ["salon-luna"])
    assert st["health"]["verdict"]["outcome"] == "error"  # no client report yet: no data, not zero
    shown = release_repo.inv("canary-status", "--env", "dev")
    assert "canary 1.1.0 for salon-luna" in shown.stderr and "canary: no data" in shown.stderr

    # No metric at all: the watch stops at its first check (exit 1) and names what is missing.
    watched = release_repo.inv("canary-watch", "--env", "dev", "--bake", "1m", "--interval", "1s", "--json")
    assert watched.returncode == 1, watched.stderr
    report = json.loads(watched.stdout)
    assert (report["result"], report["actions"]) == ("stopped", []) and "canary: no data" in report["reason"]

    aborted = release_repo.inv("canary-abort", "--env", "dev", "--reason", "errors", "--yes")
    assert aborted.returncode == 0, aborted.stderr
    obj = json.loads(boto3.client("s3").get_object(Bucket=tgt.widget_bucket, Key=cn.KEY)["Body"].read())
    assert obj["state"] == "aborted"
    assert "no active canary (aborted)" in release_repo.inv("canary-status", "--env", "dev").stderr


def test_bad_input_is_one_refusal_with_exit_code_2(release_repo, aws):
    deploy_edge("dev")
    release.run(
        release_repo.path, REQ, tgt=deploy_edge.__globals__["target"].resolve("dev"), echo=lambda s: None
    )
    for args, fragment in [
        (["canary-start", "1.0.0", "--env", "dev", "--percent", "abc"], "is not a number"),
        (["canary-start", "9.9.9", "--env", "dev", "--percent", "5"], "was never released"),
        (["canary-set", "--env", "dev", "--percent", "5"], "has no active canary"),
        (["canary-abort", "--env", "dev", "--yes"], "has no active canary"),
        (
            ["canary-watch", "--env", "dev", "--bake", "half an hour"],
            "--bake 'half an hour' is not a duration",
        ),
        (["canary-watch", "--env", "dev", "--steps", "50,25"], "does not rise"),
        (["canary-watch", "--env", "dev"], "has no active canary"),
    ]:
        result = release_repo.inv(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert fragment in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)
