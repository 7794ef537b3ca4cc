"""One release, promotion or rollback per environment at a time: a lease in the artifact bucket.

The lease is an S3 object created with If-None-Match: * (a conditional write), so two
processes can never both hold it. It names who holds it, for what, since and until when.
A lease left by a process that died on this same host is taken over (the rerun resumes);
any other stale lease needs `./inv unlock ENV`.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from botocore.exceptions import ClientError

from orchestrator.adapters import cdn
from orchestrator.errors import UserError

TTL = timedelta(minutes=45)


def key(env: str) -> str:
    return f"locks/{env}.json"


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


def read(bucket: str, env: str) -> Lease | None:
    try:
        return Lease(**json.loads(cdn.get_bytes(bucket, key(env))))
    except ClientError as err:
        if err.response["Error"]["Code"] in ("NoSuchKey", "404"):
            return None
        raise


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead_here(lease: Lease) -> bool:
    return lease.host == socket.gethostname() and not _pid_alive(lease.pid)


def acquire(bucket: str, env: str, holder: str, operation: str, now: datetime | None = None) -> Lease:
    now = now or datetime.now(UTC)
    lease = Lease(
        env=env,
        holder=holder,
        operation=operation,
        host=socket.gethostname(),
        pid=os.getpid(),
        since=now.isoformat(timespec="seconds"),
        until=(now + TTL).isoformat(timespec="seconds"),
        token=uuid.uuid4().hex,
    )
    body = json.dumps(asdict(lease), sort_keys=True).encode()
    for _ in range(2):
        if cdn.put_create_only(bucket, key(env), body, sha256="-", ContentType="application/json"):
            return lease
        held = read(bucket, env)
        if held is None:
            continue  # released between our write and our read: try once more
        if _dead_here(held):
            cdn.s3().delete_object(Bucket=bucket, Key=key(env))  # its process is gone: take over
            continue
        expired = datetime.fromisoformat(held.until) < now
        raise UserError(
            f"{env} is locked by {held.describe()}" + (" — the lease has expired" if expired else ""),
            f"wait for it to finish, or break a stale lease with `./inv unlock {env}`",
        )
    raise UserError(f"could not take the {env} lock", "run the command again")


def release(bucket: str, lease: Lease) -> None:
    """Remove the lease if it is still ours (never someone else's)."""
    held = read(bucket, lease.env)
    if held is not None and held.token == lease.token:
        cdn.s3().delete_object(Bucket=bucket, Key=key(lease.env))


def break_lease(bucket: str, env: str) -> Lease | None:
    held = read(bucket, env)
    if held is not None:
        cdn.s3().delete_object(Bucket=bucket, Key=key(env))
    return held
