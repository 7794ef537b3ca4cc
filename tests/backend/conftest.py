"""Backend fixtures: a seeded single table in the embedded AWS and AppSync-shaped events."""

from __future__ import annotations

import boto3
import pytest
from backend_events import TABLE, admin_sub

from backend import runtime, seed, store


@pytest.fixture
def table(aws, monkeypatch):
    """The demo tenants seeded into a fresh table with one admin record each; the AI switched on;
    Bedrock left unreached."""
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("ENV_NAME", "test")
    monkeypatch.setenv("DISABLE_IA_PARAM", "/bookingchat/test/DISABLE_IA")
    monkeypatch.setenv("DISABLE_IA_TTL_SECONDS", "0")
    runtime.reset()
    ids = seed.seed(TABLE)
    with runtime.using_table(TABLE):
        for tenant_id in ids:  # the admin record that backend.appsync.admin requires
            store.put_admin(tenant_id, admin_sub(tenant_id), f"admin@{tenant_id}.test")
    yield TABLE
    runtime.reset()


@pytest.fixture
def disable_ia(table):
    boto3.client("ssm").put_parameter(Name="/bookingchat/test/DISABLE_IA", Value="true", Type="String")
