"""The environment's lease, held across machines: against the embedded AWS's S3 (moto 5.2 honours
If-None-Match: * and If-Match on PutObject and DeleteObject, checked in the first tests here).

A "second machine" is a second writer of `locks/<env>.json` with its own host, pid and token.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from orchestrator.adapters import cdn
from orchestrator.engine import lease as lock
from orchestrator.engine import operation
from orchestrator.engine.target import Target
from orchestrator.errors import UserError


@pytest.fixture
def place(aws) -> Target:
    account = boto3.client("sts").get_caller_identity()["Account"]
    bucket = f"bookingchat-dev-artifacts-{account}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    return Target("dev", account, bucket)


def _write(bucket: str, holder: str, until: datetime, host: str = "ci-runner-7", pid: int = 4242) -> None:
    lease = {
        "env": "dev",
        "holder": holder,
        "operation": "release",
        "host": host,
        "pid": pid,
        "since": "2026-11-27T10:00:00+00:00",
        "until": until.isoformat(timespec="seconds"),
        "token": f"token-of-{holder}",
    }
    boto3.client("s3").put_object(Bucket=bucket, Key=lock.key("dev"), Body=json.dumps(lease).encode())


def test_the_embedded_s3_enforces_if_match_on_put_and_delete(place):
    s3 = boto3.client("s3")
    etag = s3.put_object(Bucket=place.artifact_bucket, Key="k", Body=b"1", IfNoneMatch="*")["ETag"]
    for call in (
        lambda: s3.put_object(Bucket=place.artifact_bucket, Key="k", Body=b"2", IfMatch='"stale"'),
        lambda: s3.delete_object(Bucket=place.artifact_bucket, Key="k", IfMatch='"stale"'),
    ):
        with pytest.raises(ClientError, match="PreconditionFailed"):
            call()
    s3.delete_object(Bucket=place.artifact_bucket, Key="k", IfMatch=etag)


def test_each_holder_has_its_own_token_and_a_second_one_is_refused_naming_the_first(place):
    ana = lock.acquire(place.artifact_bucket, "dev", "ana@example.com", "deploy")
    with pytest.raises(UserError, match=r"dev is locked by ana@example.com \(deploy"):
        lock.acquire(place.artifact_bucket, "dev", "bob@example.com", "retire-colour")
    lock.release(place.artifact_bucket, ana)
    bob = lock.acquire(place.artifact_bucket, "dev", "bob@example.com", "retire-colour")
    assert bob.lease.token != ana.lease.token and len(bob.lease.token) == 32


def test_a_live_lease_is_never_taken_over_even_when_its_pid_looks_dead_on_this_host(place):
    # The old rule took over a lease whose host is ours and whose pid is gone: a pid says
    # nothing about a runner on another machine that shares a host name.
    _write(
        place.artifact_bucket,
        "bob",
        datetime.now(UTC) + timedelta(minutes=5),
        socket.gethostname(),
        2**22 + 7,
    )
    with pytest.raises(UserError, match="dev is locked by bob"):
        lock.acquire(place.artifact_bucket, "dev", "ana", "deploy")
    assert lock.read(place.artifact_bucket, "dev").holder == "bob"


def test_an_expired_lease_is_taken_over(place):
    _write(place.artifact_bucket, "bob", datetime.now(UTC) - timedelta(seconds=1))
    mine = lock.acquire(place.artifact_bucket, "dev", "ana", "deploy")
    assert lock.read(place.artifact_bucket, "dev") == mine.lease


def test_the_takeover_replaces_only_the_lease_it_read_by_its_etag(place):
    """Two takers of one expired lease: the one whose conditional replace lands second is refused."""
    _write(place.artifact_bucket, "bob", datetime.now(UTC) - timedelta(seconds=1))
    client = cdn.s3()

    def carol_first(params, **kwargs):  # carol's takeover lands between our read and our replace
        if params.get("IfMatch") and not hasattr(carol_first, "done"):
            carol_first.done = True
            _write(place.artifact_bucket, "carol", datetime.now(UTC) + timedelta(minutes=5))

    client.meta.events.register("before-parameter-build.s3.PutObject", carol_first)
    try:
        with pytest.raises(UserError, match="dev is locked by carol"):
            lock.acquire(place.artifact_bucket, "dev", "ana", "deploy")
    finally:
        client.meta.events.unregister("before-parameter-build.s3.PutObject", carol_first)
    assert lock.read(place.artifact_bucket, "dev").holder == "carol"


def test_a_retried_create_that_finds_its_own_lease_is_not_refused(place):
    """botocore retries a PUT whose answer was lost: the retry meets its own lease (412)."""
    first = lock.acquire(place.artifact_bucket, "dev", "ana", "deploy", token="t-ana-1")
    retry = lock.acquire(place.artifact_bucket, "dev", "ana", "deploy", token="t-ana-1")
    assert retry.lease.token == first.lease.token == "t-ana-1"


@dataclass
class Sleep:
    """A step that takes `seconds` (a long promotion, in miniature) and notes when it ran."""

    name: str
    seconds: float
    ran: list

    def describe(self, ctx):
        return f"sleep {self.seconds}s"

    def done(self, ctx):
        return False

    def apply(self, ctx):
        self.ran.append(self.name)
        time.sleep(self.seconds)
        return {}

    def verify(self, ctx):
        return None


def _op(steps: list) -> operation.Operation:
    return operation.Operation(
        kind="deploy",
        env="dev",
        request={"env": "dev"},
        make_plan=lambda: {"kind": "deploy", "env": "dev", "steps": [s.name for s in steps]},
        steps_for=lambda plan: steps,
        needs_cdn=False,
    )


def test_the_lease_is_renewed_while_a_long_step_runs(place, monkeypatch, tmp_path):
    # A 2 s lease (renewed every third of it); the step takes 5 s. Short enough to be quick, long
    # enough that a loaded 2-core CI machine still renews in time (1 s leases flaked there).
    monkeypatch.setenv(lock.TTL_ENV, "2")
    seen: list[str] = []

    def elsewhere():  # another machine tries while the step runs, after the first TTL is long gone
        time.sleep(3.5)
        try:
            lock.acquire(place.artifact_bucket, "dev", "bob", "retire-colour")
            seen.append("taken")
        except UserError as err:
            seen.append(err.message)

    other = threading.Thread(target=elsewhere)
    other.start()
    operation.run(tmp_path, _op([Sleep("long", 5, [])]), place, "ana")
    other.join()
    assert seen and seen[0].startswith("dev is locked by ana (deploy")
    assert lock.read(place.artifact_bucket, "dev") is None  # released at the end


def test_a_run_whose_lease_was_broken_stops_before_its_next_step(place, monkeypatch, tmp_path):
    monkeypatch.setenv(lock.TTL_ENV, "0.6")
    ran: list[str] = []

    def unlock_force():  # `./inv unlock dev --force` from another machine, mid-step
        time.sleep(0.3)
        held = lock.read_held(place.artifact_bucket, "dev")
        lock.break_lease(place.artifact_bucket, "dev", held, force=True)

    breaker = threading.Thread(target=unlock_force)
    breaker.start()
    with pytest.raises(lock.LeaseLost, match="lease was lost while this deploy ran: it was broken") as err:
        operation.run(tmp_path, _op([Sleep("first", 1.0, ran), Sleep("second", 0, ran)]), place, "ana")
    breaker.join()
    assert ran == ["first"] and err.value.exit_code == 1


def test_unlock_refuses_a_live_lease_without_force(place):
    _write(place.artifact_bucket, "bob", datetime.now(UTC) + timedelta(minutes=5))
    held = lock.read_held(place.artifact_bucket, "dev")
    with pytest.raises(UserError, match="lease is live"):
        lock.break_lease(place.artifact_bucket, "dev", held)
    assert lock.read(place.artifact_bucket, "dev").holder == "bob"


def test_the_plan_is_made_under_the_lease(place, tmp_path):
    seen = []
    op = _op([])
    op.make_plan = lambda: seen.append(lock.read(place.artifact_bucket, "dev")) or None
    operation.run(Path(tmp_path), op, place, "ana")
    assert seen[0] is not None and seen[0].holder == "ana"


def test_a_stuck_operation_blocks_the_environment_until_abandoned_with_a_reason(place, tmp_path):
    from orchestrator.engine import journal as journals

    stuck = journals.Journal(
        place.artifact_bucket, "deploy-x-1", "dev", "deploy", {"env": "dev"}, {}, "h", "bob"
    )
    stuck.save()
    with pytest.raises(UserError, match=r"unfinished deploy deploy-x-1 .* ./inv abandon dev deploy-x-1"):
        operation.run(tmp_path, _op_of("seed"), place, "ana")
    with pytest.raises(UserError, match="needs a --reason"):
        operation.abandon(place, "dev", "deploy-x-1", "ana", " ")
    closed = operation.abandon(place, "dev", "deploy-x-1", "ana", "its plan can never succeed")
    assert closed.status == "abandoned" and closed.abandoned["reason"] == "its plan can never succeed"
    ran: list[str] = []
    assert (
        operation.run(tmp_path, _op_of("seed", [Sleep("one", 0, ran)]), place, "ana").journal.status == "done"
    )
    assert ran == ["one"]


def _op_of(kind: str, steps: list | None = None) -> operation.Operation:
    steps = steps or []
    return operation.Operation(
        kind=kind,
        env="dev",
        request={"env": "dev"},
        make_plan=lambda: {"kind": kind, "env": "dev", "steps": [s.name for s in steps]},
        steps_for=lambda plan: steps,
        needs_cdn=False,
    )
