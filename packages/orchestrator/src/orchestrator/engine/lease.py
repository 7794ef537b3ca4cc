"""One environment-changing command per environment at a time: a lease in the artifact bucket.

The lease is an S3 object (`locks/<env>.json`) that holds across machines:

- it is created with If-None-Match: * (a conditional write), so two processes never both hold it;
- each holder has a unique token; a retried create that finds a lease with *its own* token
  (the first attempt landed, its answer was lost) is the holder's, not a refusal;
- it expires (`until`) unless renewed: `hold` renews it in the background while a long step
  runs, by a conditional replace on the ETag it last wrote (If-Match), so a renewal can never
  overwrite a lease somebody else took;
- only an *expired* lease is taken over, by a conditional replace on the ETag that was read —
  never because its host and pid look dead (a pid says nothing about another machine);
- a holder whose lease was broken (`./inv unlock --force`) or taken notices at its next
  renewal and stops before its next step, loudly.

Time: the holder's clock writes `until`; a taker's clock compares it. Clock skew between
machines shortens or lengthens a crashed holder's grace by the skew, never makes two holders.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from orchestrator.adapters import cdn
from orchestrator.errors import UserError

TTL_ENV = "BOOKINGCHAT_LEASE_TTL_SECONDS"
PRECONDITION = ("PreconditionFailed", "412", "ConditionalRequestConflict")


def ttl() -> timedelta:
    """Short, because a live holder renews it; a crashed holder's lease frees itself this soon."""
    return timedelta(seconds=float(os.environ.get(TTL_ENV, "300")))


def key(env: str) -> str:
    return f"locks/{env}.json"


class LeaseLost(UserError):
    """This run's lease was broken or taken while it ran: it stops before its next step (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class Lease:
    env: str
    holder: str
    operation: str
    host: str
    pid: int
    since: str
    until: str
    token: str

    def describe(self) -> str:
        return f"{self.holder} ({self.operation}, pid {self.pid} on {self.host}) since {self.since}, until {self.until}"

    def expired(self, now: datetime | None = None) -> bool:
        return datetime.fromisoformat(self.until) < (now or datetime.now(UTC))

    def body(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()


@dataclass(frozen=True)
class Held:
    """A lease as stored, with the ETag a conditional replace or delete must name."""

    lease: Lease
    etag: str


def read_held(bucket: str, env: str) -> Held | None:
    try:
        got = cdn.s3().get_object(Bucket=bucket, Key=key(env))
    except ClientError as err:
        if err.response["Error"]["Code"] in ("NoSuchKey", "404"):
            return None
        raise
    return Held(Lease(**json.loads(got["Body"].read())), got["ETag"])


def read(bucket: str, env: str) -> Lease | None:
    held = read_held(bucket, env)
    return held.lease if held else None


def _put(bucket: str, lease: Lease, **condition) -> str | None:
    """Write the lease under a condition; its new ETag, or None when the condition did not hold."""
    try:
        put = cdn.s3().put_object(
            Bucket=bucket, Key=key(lease.env), Body=lease.body(), ContentType="application/json", **condition
        )
    except ClientError as err:
        # If-Match on a key that is gone answers 404 NoSuchKey (AWS and the embedded S3 alike).
        if err.response["Error"]["Code"] in PRECONDITION + ("NoSuchKey", "404"):
            return None
        raise
    return put["ETag"]


def _refusal(env: str, held: Lease) -> UserError:
    return UserError(
        f"{env} is locked by {held.describe()}",
        f"wait for it to finish (the lease expires unless its holder renews it); see ./inv unlock {env}",
    )


def acquire(
    bucket: str, env: str, holder: str, operation: str, now: datetime | None = None, token: str | None = None
) -> Held:
    """Take the lease, or refuse naming its holder (exit 2). `token`: a retry of an earlier attempt."""
    now = now or datetime.now(UTC)
    lease = Lease(
        env=env,
        holder=holder,
        operation=operation,
        host=socket.gethostname(),
        pid=os.getpid(),
        since=now.isoformat(timespec="seconds"),
        until=(now + ttl()).isoformat(timespec="seconds"),
        token=token or uuid.uuid4().hex,
    )
    for _ in range(3):
        etag = _put(bucket, lease, IfNoneMatch="*")
        if etag:
            return Held(lease, etag)
        held = read_held(bucket, env)
        if held is None:
            continue  # released between our write and our read: try again
        if held.lease.token == lease.token:
            return held  # our own earlier attempt landed: the lease is ours
        if not held.lease.expired(now):
            raise _refusal(env, held.lease)
        # Expired: replace exactly the lease we read. Another taker racing us changes its ETag.
        etag = _put(bucket, lease, IfMatch=held.etag)
        if etag:
            return Held(lease, etag)
    raise UserError(f"could not take the {env} lock (it kept changing hands)", "run the command again")


def renew(bucket: str, held: Held, now: datetime | None = None) -> Held:
    """Extend our lease, only if it is still exactly what we wrote; LeaseLost otherwise."""
    now = now or datetime.now(UTC)
    extended = replace(held.lease, until=(now + ttl()).isoformat(timespec="seconds"))
    etag = _put(bucket, extended, IfMatch=held.etag)
    if etag is None:
        raise lost(bucket, held.lease)
    return Held(extended, etag)


def lost(bucket: str, mine: Lease) -> LeaseLost:
    now = read(bucket, mine.env)
    who = f"it is now held by {now.describe()}" if now else "it was broken (./inv unlock)"
    return LeaseLost(
        f"{mine.env}'s lease was lost while this {mine.operation} ran: {who}",
        "nothing after the current step ran; when the environment is free, run the same command again to resume",
    )


def release(bucket: str, held: Held | Lease) -> None:
    """Remove the lease if it is still ours (never someone else's): a delete conditional on our ETag."""
    if isinstance(held, Lease):  # a caller that kept only the lease: find its ETag first
        current = read_held(bucket, held.env)
        if current is None or current.lease.token != held.token:
            return
        held = current
    try:
        cdn.s3().delete_object(Bucket=bucket, Key=key(held.lease.env), IfMatch=held.etag)
    except ClientError as err:
        if err.response["Error"]["Code"] not in PRECONDITION + ("NoSuchKey", "404"):
            raise


def break_lease(bucket: str, env: str, expected: Held, force: bool = False) -> Lease:
    """`./inv unlock`: delete the lease that was shown — never one that changed since, and a live
    (unexpired) one only with force; its holder then stops before its next step."""
    if not expected.lease.expired() and not force:
        raise UserError(
            f"{env}'s lease is live: {expected.lease.describe()}",
            f"its holder renews it while it runs; if it is really gone, ./inv unlock {env} --force "
            "(a live run then stops before its next step)",
        )
    try:
        cdn.s3().delete_object(Bucket=bucket, Key=key(env), IfMatch=expected.etag)
    except ClientError as err:
        if err.response["Error"]["Code"] in PRECONDITION:
            raise UserError(f"{env}'s lease changed hands meanwhile", "look again, then decide") from None
        raise
    return expected.lease


class Holding:
    """A held lease, renewed in the background every third of its TTL until `stop`."""

    def __init__(self, bucket: str, held: Held):
        self.bucket = bucket
        self.held = held
        self.error: LeaseLost | None = None
        self._stop = threading.Event()
        self._guard = threading.Lock()
        self._thread = threading.Thread(
            target=self._renew_forever, name=f"lease-{held.lease.env}", daemon=True
        )

    @property
    def lease(self) -> Lease:
        return self.held.lease

    def start(self) -> Holding:
        self._thread.start()
        return self

    def _renew_forever(self) -> None:
        interval = ttl().total_seconds() / 3
        while not self._stop.wait(interval):
            with self._guard:
                try:
                    self.held = renew(self.bucket, self.held)
                except LeaseLost as err:
                    self.error = err
                    return
                except (ClientError, BotoCoreError):
                    continue  # transient: the next tick tries again, well before the lease expires

    def check(self) -> None:
        """Raise LeaseLost if a renewal found the lease gone or taken (called between steps)."""
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self.error is None:
            release(self.bucket, self.held)


@contextmanager
def hold(bucket: str, env: str, holder: str, operation: str) -> Iterator[Holding]:
    """The lease for the duration of a block, renewed while it runs, released after (if still ours)."""
    holding = Holding(bucket, acquire(bucket, env, holder, operation)).start()
    try:
        yield holding
    finally:
        holding.stop()
