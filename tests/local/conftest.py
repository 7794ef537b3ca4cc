"""Fixtures for the local stand-ins: the demo data and a user pool in a fresh embedded AWS."""

from __future__ import annotations

import boto3
import pytest

from backend import runtime, seed
from orchestrator.local import appsync as local_appsync
from orchestrator.local import sandbox

TABLE = "bookingchat-local"


@pytest.fixture
def demo(aws, monkeypatch):
    """The demo tenants seeded, the guided flow on, and a user pool with one admin per tenant."""
    for key, value in {
        "TABLE_NAME": TABLE,
        "ENV_NAME": "local",
        "DISABLE_IA_PARAM": "/bookingchat/local/DISABLE_IA",
        "POWERTOOLS_SERVICE_NAME": "bookingchat-local-test",
    }.items():
        monkeypatch.setenv(key, value)
    runtime.reset()
    seed.seed(TABLE)
    boto3.client("ssm").put_parameter(Name="/bookingchat/local/DISABLE_IA", Value="true", Type="String")
    pool = sandbox._user_pool("local")
    yield {"pool": pool, "keys": seed.api_keys(), "aws": aws}
    runtime.reset()


@pytest.fixture
def api(demo):
    server = local_appsync.start(
        0, aws_endpoint=demo["aws"].endpoint, user_pool_id=demo["pool"]["UserPoolId"]
    )
    yield server
    server.stop()
