"""STS, thinly: who the credentials are."""

from __future__ import annotations

import boto3


def client(region: str | None = None):
    return boto3.client("sts", region_name=region)
