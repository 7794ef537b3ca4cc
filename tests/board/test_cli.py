"""The board's commands as a user runs them (`./inv …` in a temp repo, without a terminal),
against an environment resolved the CLI's way: an edge stack in the embedded AWS."""

from __future__ import annotations

import json

import boto3
from board_world import REQ, deploy_edge, held_elsewhere, inject_drift

from orchestrator.engine import lease as lock
from orchestrator.release import release


def test_status_exits_0_and_shows_drift_loudly_and_as_json(release_repo, aws):
    tgt = deploy_edge("dev")
    release.run(release_repo.path, REQ, tgt=tgt, echo=lambda s: None)
    inject_drift(tgt)
    shown = release_repo.inv("status", "--env", "dev")
    assert shown.returncode == 0, shown.stderr
    assert "DRIFT" in shown.stderr and "./inv reconcile dev" in shown.stderr
    as_json = release_repo.inv("status", "--env", "dev", "--json")
    assert as_json.returncode == 0, as_json.stderr
    (row,) = json.loads(as_json.stdout)["environments"]
    assert sorted(d["name"] for d in row["drift"]) == ["canary", "latest", "stable"]


def test_reconcile_asks_first_and_with_yes_puts_the_pointers_back(release_repo, aws):
    tgt = deploy_edge("dev")
    release.run(release_repo.path, REQ, tgt=tgt, echo=lambda s: None)
    inject_drift(tgt)
    refused = release_repo.inv("reconcile", "dev")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    dry = release_repo.inv("reconcile", "dev", "--dry-run")
    assert dry.returncode == 0 and "would put stable back to 1.0.0" in dry.stderr
    done = release_repo.inv("reconcile", "dev", "--yes", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["moves"] == {"latest": "1.0.0", "stable": "1.0.0"}
    (row,) = json.loads(release_repo.inv("status", "--env", "dev", "--json").stdout)["environments"]
    assert [d["name"] for d in row["drift"]] == ["canary"]


def test_unlock_shows_the_holder_asks_and_breaks_the_lease(release_repo, aws):
    tgt = deploy_edge("dev")
    held_elsewhere(tgt.artifact_bucket, "dev", "bob")
    refused = release_repo.inv("unlock", "dev")
    assert refused.returncode == 2
    assert "locked by bob (release, pid 4242 on ci-runner-7)" in refused.stderr
    assert lock.read(tgt.artifact_bucket, "dev") is not None
    live = release_repo.inv("unlock", "dev", "--yes")  # unexpired: its holder may be running
    assert live.returncode == 2 and "lease is live" in live.stderr and "--force" in live.stderr
    assert lock.read(tgt.artifact_bucket, "dev") is not None
    broken = release_repo.inv("unlock", "dev", "--yes", "--force")
    assert broken.returncode == 0, broken.stderr
    assert lock.read(tgt.artifact_bucket, "dev") is None
    assert "not locked" in release_repo.inv("unlock", "dev").stderr


def test_smoke_exits_1_when_a_file_serves_other_bytes_and_records_the_failure(release_repo, aws, monkeypatch):
    monkeypatch.setenv(
        "BOOKINGCHAT_GRAPHQL_URL", "http://127.0.0.1:9/graphql"
    )  # nothing listens: no local-dev
    tgt = deploy_edge("dev")
    release.run(release_repo.path, REQ, tgt=tgt, echo=lambda s: None)
    boto3.client("s3").put_object(Bucket=tgt.widget_bucket, Key="v1.0.0/chat-widget.umd.js", Body=b"evil()")
    failed = release_repo.inv("smoke", "dev")
    assert failed.returncode == 1, failed.stderr
    assert "/v1.0.0/chat-widget.umd.js serves other bytes than released" in failed.stderr
    assert "smoke FAILED" in failed.stderr
    event = release_repo.manifest()["events"][-1]
    assert event["action"] == "smoke" and event["details"]["smoke"]["passed"] is False
