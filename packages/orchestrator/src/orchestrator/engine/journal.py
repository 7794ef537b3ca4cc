"""The release journal: each finished step of a release, promotion or rollback, kept in the
environment's artifact bucket (`journal/<env>/<id>.json`) so a rerun resumes where it stopped.
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

    def save(self) -> None:
        data = {k: v for k, v in asdict(self).items() if k != "bucket"}
        cdn.s3().put_object(
            Bucket=self.bucket,
            Key=self.key,
            Body=json.dumps(data, indent=2, sort_keys=True).encode(),
            ContentType="application/json",
        )


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
    pages = cdn.s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"journal/{env}/")
    for page in pages:
        for obj in page.get("Contents", []):
            data = json.loads(cdn.get_bytes(bucket, obj["Key"]))
            if data.get("status", "running") == "running":
                found.append(Journal(bucket=bucket, **data))
    return sorted(found, key=lambda j: j.started_at)
