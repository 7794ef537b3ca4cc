"""engine/journal.unfinished: finds every open journal by its marker, and reads no closed one
(every command asks first, so reading every journal ever made grew with the environment's age)."""

from __future__ import annotations

import boto3

from orchestrator.adapters import cdn
from orchestrator.engine import journal


def _journal(bucket: str, jid: str) -> journal.Journal:
    return journal.Journal(bucket, jid, "dev", "deploy", {}, {}, "sha256:0", "ana")


class Gets:
    def __init__(self) -> None:
        self.keys: list[str] = []

    def __call__(self, params, **_):
        self.keys.append(params["Key"])


def test_only_open_journals_are_read(dev):
    for n in range(5):
        done = _journal(dev.artifact_bucket, f"deploy-{n}")
        done.record("deploy")
        done.finish()
    gone = _journal(dev.artifact_bucket, "deploy-abandoned")
    gone.save()
    gone.abandon("ana", "tested")
    running = _journal(dev.artifact_bucket, "deploy-open")
    running.record("deploy")
    gets = Gets()
    cdn.s3().meta.events.register("before-parameter-build.s3.GetObject", gets)
    try:
        found = journal.unfinished(dev.artifact_bucket, "dev")
    finally:
        cdn.s3().meta.events.unregister("before-parameter-build.s3.GetObject", gets)
    assert [j.id for j in found] == ["deploy-open"]
    assert gets.keys == ["journal/dev/deploy-open.json"]


def test_a_marker_left_by_a_crash_is_skipped_and_an_unmarked_resume_marks_again(dev):
    closed = _journal(dev.artifact_bucket, "deploy-closed")
    closed.save()
    closed.finish()
    # a crash between the closing save and the marker's removal
    boto3.client("s3").put_object(Bucket=dev.artifact_bucket, Key=closed.open_key, Body=b"")
    assert journal.unfinished(dev.artifact_bucket, "dev") == []
    # a journal that lost its marker (written before markers existed) is marked by its next save
    old = _journal(dev.artifact_bucket, "deploy-old")
    old.save()
    boto3.client("s3").delete_object(Bucket=dev.artifact_bucket, Key=old.open_key)
    resumed = journal.load(dev.artifact_bucket, "dev", "deploy-old")
    resumed.record("deploy")
    assert [j.id for j in journal.unfinished(dev.artifact_bucket, "dev")] == ["deploy-old"]
