"""`reportClientEvent`: bounded input, the tenant from the authorizer, and the EMF counters it prints."""

from __future__ import annotations

import json

import pytest

from backend import bookings
from backend.errors import BadInput, Unauthorized


def call(arguments: dict, tenant: str | None = "salon-luna") -> object:
    identity = {"resolverContext": {"tenantId": tenant}} if tenant else {}
    return bookings.handler(
        {
            "arguments": arguments,
            "identity": identity,
            "info": {"fieldName": "reportClientEvent", "parentTypeName": "Mutation", "variables": {}},
            "request": {"headers": {}},
        }
    )


def emf(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if '"_aws"' in line]


@pytest.mark.parametrize(
    ("kind", "boots", "errors"), [("BOOT", 3, 0), ("ERROR", 0, 3), ("FAILED_TURN", 0, 3)]
)
def test_each_kind_prints_both_counters_per_version_and_per_tenant(capsys, monkeypatch, kind, boots, errors):
    monkeypatch.setenv("ENV_NAME", "dev")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "bookingchat-dev")
    args = {"input": {"widgetVersion": "1.5.0-beta.2", "kind": kind, "count": 3}}
    assert call(args) is True
    (doc,) = emf(capsys.readouterr().out)
    assert (doc["WidgetBoots"], doc["WidgetErrors"]) == ([boots], [errors])
    assert doc["tenantId"] == "salon-luna" and doc["WidgetVersion"] == "1.5.0-beta.2"
    (directive,) = doc["_aws"]["CloudWatchMetrics"]
    assert sorted(map(sorted, directive["Dimensions"])) == [
        ["WidgetVersion", "environment", "service"],
        ["WidgetVersion", "environment", "service", "tenantId"],
    ]


def test_the_tenant_is_the_authorizers_never_the_input(capsys):
    args = {"input": {"widgetVersion": "1.4.0", "kind": "BOOT", "count": 1, "tenantId": "someone-else"}}
    call(args)
    (doc,) = emf(capsys.readouterr().out)
    assert doc["tenantId"] == "salon-luna"
    with pytest.raises(Unauthorized):
        call(args, tenant=None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"widgetVersion": "latest", "kind": "BOOT", "count": 1}, "widgetVersion"),
        ({"widgetVersion": "1.4.0" + "x" * 300, "kind": "BOOT", "count": 1}, "widgetVersion"),
        ({"widgetVersion": "1.4.0\n", "kind": "BOOT", "count": 1}, "widgetVersion"),
        ({"widgetVersion": "1.4.0", "kind": "CRASH", "count": 1}, "kind"),
        ({"widgetVersion": "1.4.0", "kind": "ERROR", "count": 0}, "count"),
        ({"widgetVersion": "1.4.0", "kind": "ERROR", "count": 51}, "count"),
        ({"widgetVersion": "1.4.0", "kind": "ERROR", "count": True}, "count"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_printed(capsys, data, message):
    with pytest.raises(BadInput, match=message):
        call({"input": data})
    assert emf(capsys.readouterr().out) == []
