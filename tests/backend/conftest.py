"""Backend fixtures: a seeded single table in the embedded AWS and AppSync-shaped events."""

from __future__ import annotations

import boto3
import pytest

from backend import runtime, seed

TABLE = "bookingchat-test"
LOLA, ACME = "peluqueria-lola", "acme-dental"


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


def widget_event(tenant_id: str, field: str, arguments: dict, parent: str = "Query") -> dict:
    return {
        "arguments": arguments,
        "identity": {"resolverContext": {"tenantId": tenant_id}},
        "info": {"fieldName": field, "parentTypeName": parent, "variables": {}, "selectionSetList": []},
        "request": {"headers": {"x-amzn-requestid": "test-request"}},
    }


def admin_event(tenant_id: str, field: str, arguments: dict, parent: str = "Query", groups=()) -> dict:
    return {
        "arguments": arguments,
        "identity": {
            "sub": "admin-1",
            "claims": {"sub": "admin-1", "custom:tenantId": tenant_id, "cognito:groups": list(groups)},
        },
        "info": {"fieldName": field, "parentTypeName": parent, "variables": {}, "selectionSetList": []},
        "request": {"headers": {}},
    }


def say(tenant_id: str, text: str, conversation_id: str | None = None, locale: str | None = None) -> dict:
    from backend import chat

    args = {"text": text, "conversationId": conversation_id, "locale": locale}
    return chat.handler(widget_event(tenant_id, "sendMessage", {"input": args}, "Mutation"))
