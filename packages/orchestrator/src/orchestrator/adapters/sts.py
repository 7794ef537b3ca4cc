"""STS, thinly: who the credentials are."""

from __future__ import annotations

from orchestrator.adapters import aws


def client(region: str | None = None):
    return aws.client("sts", region)
