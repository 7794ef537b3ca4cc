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
