"""The release journal: each finished step of a release, promotion or rollback, kept in the
environment's artifact bucket (`journal/<env>/<id>.json`) so a rerun resumes where it stopped.

A running journal also has an empty marker, `journal/<env>/open/<id>`, removed when it is done or
abandoned: every command looks for an unfinished operation first, and listing the markers keeps
that one LIST and a GET per *open* journal, not a GET for every journal the environment ever had.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from botocore.exceptions import ClientError

from orchestrator.adapters import cdn


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Journal:
    bucket: str
    id: str
    env: str
    kind: str  # release | promote | rollback-widget | …
    request: dict  # the options that identify "the same command"
    plan: dict
    plan_hash: str
    by: str
    started_at: str = field(default_factory=_now)
    status: str = "running"  # running | done | abandoned
    steps: dict[str, dict] = field(default_factory=dict)
    abandoned: dict | None = None  # {"by", "at", "reason"}: closed without finishing
    _marked: bool = field(default=False, repr=False, compare=False)  # this process wrote the open marker

    @property
    def key(self) -> str:
        return f"journal/{self.env}/{self.id}.json"

    def is_done(self, step: str) -> bool:
        return step in self.steps

    def outputs(self, step: str) -> dict:
        return self.steps.get(step, {}).get("outputs") or {}

    def record(self, step: str, outputs: dict | None = None) -> None:
        self.steps[step] = {"at": _now(), "outputs": outputs or {}}
        self.save()

    def finish(self) -> None:
        self.status = "done"
        self.save()

    def abandon(self, by: str, reason: str) -> None:
        """Close the journal without finishing it, saying who and why (`./inv release --abandon`)."""
        self.status = "abandoned"
        self.abandoned = {"by": by, "at": _now(), "reason": reason}
        self.save()

    @property
    def open_key(self) -> str:
        return f"{_open_prefix(self.env)}{self.id}"

    def save(self) -> None:
        # Marker first, removed last: a crash between the two writes leaves a marker whose
        # journal is missing or closed, which `unfinished` skips — never an open journal unseen.
        data = {k: v for k, v in asdict(self).items() if k not in ("bucket", "_marked")}
        running = self.status == "running"
        if running and not self._marked:
            cdn.s3().put_object(Bucket=self.bucket, Key=self.open_key, Body=b"")
            self._marked = True
        cdn.s3().put_object(
            Bucket=self.bucket,
            Key=self.key,
            Body=json.dumps(data, indent=2, sort_keys=True).encode(),
            ContentType="application/json",
        )
        if not running:
            cdn.s3().delete_object(Bucket=self.bucket, Key=self.open_key)


def _open_prefix(env: str) -> str:
    return f"journal/{env}/open/"


def new_id(kind: str) -> str:
    return f"{kind}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def load(bucket: str, env: str, journal_id: str) -> Journal | None:
    try:
        data = json.loads(cdn.get_bytes(bucket, f"journal/{env}/{journal_id}.json"))
    except ClientError:
        return None
    return Journal(bucket=bucket, **data)


def unfinished(bucket: str, env: str) -> list[Journal]:
    """Journals of this environment that never finished, oldest first."""
    found = []
    prefix = _open_prefix(env)
    pages = cdn.s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    for page in pages:
        for obj in page.get("Contents", []):
            journal = load(bucket, env, obj["Key"].removeprefix(prefix))
            if journal is not None and journal.status == "running":
                found.append(journal)
    return sorted(found, key=lambda j: j.started_at)
