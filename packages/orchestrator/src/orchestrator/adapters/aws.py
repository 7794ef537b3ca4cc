"""Every boto3 client the orchestrator makes (outside the embedded AWS and test instrumentation):
one retry policy, and one client per service, region and target, shared."""

from __future__ import annotations

import functools
import os

import boto3
from botocore.config import Config

# Transient errors (throttling, 5xx) are retried by botocore's standard mode; permanent ones raise.
RETRIES = Config(retries={"mode": "standard", "max_attempts": 6}, connect_timeout=5, read_timeout=30)


def client(service: str, region: str | None = None):
    """The client for this service and region in the target the environment points at.

    Made once (a client costs ~30 ms to make; a release makes ~100 calls, a test world a dozen
    clients) and shared: boto3's clients are thread-safe. Keyed by the endpoint, region and
    credentials in the environment, so pointing the process at another AWS (the embedded one,
    another account, fresh credentials) gets a new client.
    """
    env = os.environ
    return _shared(
        service,
        env.get("AWS_ENDPOINT_URL"),
        region or env.get("AWS_DEFAULT_REGION"),
        env.get("AWS_ACCESS_KEY_ID"),
        env.get("AWS_SESSION_TOKEN"),
        env.get("AWS_PROFILE"),
    )


@functools.cache
def _shared(
    service: str,
    endpoint: str | None,
    region: str | None,
    key_id: str | None,
    session_token: str | None,
    profile: str | None,
):
    return boto3.client(service, region_name=region, config=RETRIES)


def forget_clients() -> None:
    """Make every client again on next use: a hook registered on boto3's session from now on
    (a client copies its session's handlers when it is made) or a forked child's own sockets."""
    _shared.cache_clear()
