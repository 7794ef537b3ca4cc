"""The widget's `reportClientEvent` through the local AppSync reaches CloudWatch in the embedded AWS.

On AWS, CloudWatch turns the handler's EMF log lines into metrics; moto does not, so the local
AppSync forwards them (orchestrator/local/emf.py). Here the whole path runs over HTTP: a tenant
key, the authorizer, the bookings handler's EMF line, PutMetricData, and `canary watch`'s own
reader (GetMetricData) reading the sums back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appsync_client import post

from backend import observability as obs
from orchestrator.adapters import metrics
from orchestrator.local import emf
from orchestrator.release import canary_watch

REPORT = "mutation R($input: ClientEventInput!) { reportClientEvent(input: $input) }"


def report(api, key: str, version: str, kind: str, count: int) -> dict:
    status, body = post(
        api.url,
        REPORT,
        {"input": {"widgetVersion": version, "kind": kind, "count": count}},
        {"authorization": key},
    )
    assert status == 200, body
    return body


def test_reports_through_the_local_appsync_are_read_back_per_version(api, demo, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "bookingchat-local")  # as local-dev runs the handlers
    lola, acme = demo["keys"]["peluqueria-lola"], demo["keys"]["acme-dental"]
    start = datetime.now(UTC) - timedelta(minutes=5)
    for _ in range(3):
        assert report(api, lola, "1.1.0", "BOOT", 2) == {"data": {"reportClientEvent": True}}
    report(api, lola, "1.1.0", "ERROR", 1)
    report(api, acme, "1.1.0", "FAILED_TURN", 2)
    report(api, acme, "1.0.0", "BOOT", 10)
    refused = report(api, lola, "1.1.0", "BOOT", 500)
    assert refused["errors"][0]["errorType"] == "BadInput"
    end = datetime.now(UTC) + timedelta(minutes=2)

    canary, stable = canary_watch.cloudwatch_reader("local")("1.1.0", "1.0.0", start, end)
    assert (canary.boots, canary.errors) == (6, 3)  # errors and failed turns, both tenants
    assert (stable.boots, stable.errors) == (10, 0)
    per_tenant = {"tenantId": "peluqueria-lola", **obs.widget_dimensions("local", "1.1.0")}
    got = metrics.sums(obs.NAMESPACE, {"lola": ("WidgetErrors", per_tenant)}, start, end)
    assert got == {"lola": 1.0}


def test_without_an_embedded_endpoint_nothing_is_forwarded(monkeypatch, capsys):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with emf.forwarding():
        obs.widget_counts("t", "1.0.0", boots=1, errors=0)
    assert '"WidgetBoots"' in capsys.readouterr().out  # printed as on AWS; no client was made


def test_metric_data_follows_each_dimension_set_and_skips_other_lines():
    line = (
        '{"_aws":{"Timestamp":1796045519799,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":'
        '[["a","b"],["a"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"a":"x","b":"y","M":[1.0,2.0]}'
    )
    data = emf.metric_data(f"log line\n{line}\n{{not json\n")["N"]
    assert [(d["Value"], [x["Name"] for x in d["Dimensions"]]) for d in data] == [
        (1.0, ["a", "b"]), (2.0, ["a", "b"]), (1.0, ["a"]), (2.0, ["a"]),
    ]  # fmt: skip
    assert data[0]["Timestamp"] == datetime.fromtimestamp(1796045519.799, UTC) and data[0]["Unit"] == "Count"
