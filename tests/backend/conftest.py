"""Backend fixtures: a seeded single table in the embedded AWS and AppSync-shaped events."""

from __future__ import annotations

import boto3
import pytest
from backend_events import TABLE

from backend import runtime, seed


@pytest.fixture
def table(aws, monkeypatch):
    """The demo tenants seeded into a fresh table; the AI switched on; Bedrock left unreached."""
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("ENV_NAME", "test")
    monkeypatch.setenv("DISABLE_IA_PARAM", "/bookingchat/test/DISABLE_IA")
    monkeypatch.setenv("DISABLE_IA_TTL_SECONDS", "0")
    runtime.reset()
    seed.seed(TABLE)
    yield TABLE
    runtime.reset()


@pytest.fixture
def disable_ia(table):
    boto3.client("ssm").put_parameter(Name="/bookingchat/test/DISABLE_IA", Value="true", Type="String")
