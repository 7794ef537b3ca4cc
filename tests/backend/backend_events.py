"""AppSync-shaped events for the backend tests (importable as `backend_events`)."""

from __future__ import annotations

LOLA, ACME = "peluqueria-lola", "acme-dental"
TABLE = "bookingchat-test"


def widget_event(tenant_id: str, field: str, arguments: dict, parent: str = "Query") -> dict:
    return {
        "arguments": arguments,
        "identity": {"resolverContext": {"tenantId": tenant_id}},
        "info": {"fieldName": field, "parentTypeName": parent, "variables": {}, "selectionSetList": []},
        "request": {"headers": {"x-amzn-requestid": "test-request"}},
    }


def admin_sub(tenant_id: str) -> str:
    """The Cognito `sub` of the test admin of a tenant (conftest's `table` writes its record)."""
    return f"admin-of-{tenant_id}"


def admin_event(
    tenant_id: str, field: str, arguments: dict, parent: str = "Query", groups=(), sub: str | None = None
) -> dict:
    sub = sub or admin_sub(tenant_id)
    return {
        "arguments": arguments,
        "identity": {
            "sub": sub,
            "claims": {"sub": sub, "custom:tenantId": tenant_id, "cognito:groups": list(groups)},
        },
        "info": {"fieldName": field, "parentTypeName": parent, "variables": {}, "selectionSetList": []},
        "request": {"headers": {}},
    }


def say(tenant_id: str, text: str, conversation_id: str | None = None, locale: str | None = None) -> dict:
    from backend import chat

    args = {"text": text, "conversationId": conversation_id, "locale": locale}
    return chat.handler(widget_event(tenant_id, "sendMessage", {"input": args}, "Mutation"))
