"""Every boto3 client the orchestrator makes (outside the embedded AWS and test instrumentation):
one retry policy, and one client per service and target where a caller makes many calls."""

from __future__ import annotations

import functools
import os

import boto3
from botocore.config import Config

# Transient errors (throttling, 5xx) are retried by botocore's standard mode; permanent ones raise.
RETRIES = Config(retries={"mode": "standard", "max_attempts": 6}, connect_timeout=5, read_timeout=30)


def client(service: str, region: str | None = None):
    """A new client: callers that keep it (a Target, a deploy) pay the ~30 ms once."""
    return boto3.client(service, region_name=region, config=RETRIES)


@functools.cache
def _shared(service: str, endpoint: str | None, region: str | None, key_id: str | None, profile: str | None):
    return boto3.client(service, config=RETRIES)


def shared(service: str):
    """One client per service and per target (a client costs ~30 ms to make; a release makes ~100 calls).

    Keyed by the endpoint, region and credentials in the environment, so pointing the process at
    another AWS (the embedded one, another account) gets a new client.
    """
    env = os.environ
    return _shared(
        service,
        env.get("AWS_ENDPOINT_URL"),
        env.get("AWS_DEFAULT_REGION"),
        env.get("AWS_ACCESS_KEY_ID"),
        env.get("AWS_PROFILE"),
    )
