"""`canary watch` against the embedded AWS and a real git repo: metrics read back from CloudWatch
(GetMetricData), the judge, and the canary commands as engine plans recorded in the manifest.

Most tests put the metrics with PutMetricData, under the exact names and dimension set the backend
publishes (backend.observability.widget_dimensions), at chosen times; the last one sends the
widget's real `reportClientEvent` mutations through the local AppSync, whose EMF lines reach the
embedded CloudWatch (local/emf.py). Only the clock is ours: it starts back in time so each step's
window holds the data put for it.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import boto3
import pytest
from release_world import two_releases_latest_on_first, world

from backend import observability as obs
from orchestrator.core import canary as cn
from orchestrator.errors import UserError
from orchestrator.local.rehearse import report_client_event as report
from orchestrator.release import canary, canary_watch, release

REQ = release.Request(env="dev", component="widget")


@pytest.fixture
def on_canary(release_repo, dev):
    """1.0.0 is stable/latest in dev; 1.1.0 is on canary for 5 % of tenants."""

    def build(repo, tgt):
        two_releases_latest_on_first(repo, tgt)
        canary.run(repo.path, "start", "dev", "1.1.0", percent="5", tgt=tgt)

    return world("two releases, 1.1.0 on canary for 5 %", release_repo, dev, build)


class Clock:
    def __init__(self, t: float):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


def put(version: str, at: float, boots: int, errors: int) -> None:
    dims = [{"Name": k, "Value": v} for k, v in obs.widget_dimensions("dev", version).items()]
    stamp = datetime.fromtimestamp(at, UTC)
    boto3.client("cloudwatch").put_metric_data(
        Namespace=obs.NAMESPACE,
        MetricData=[
            {"MetricName": "WidgetBoots", "Dimensions": dims, "Timestamp": stamp, "Value": boots, "Unit": "Count"},
            {"MetricName": "WidgetErrors", "Dimensions": dims, "Timestamp": stamp, "Value": errors, "Unit": "Count"},
        ],
    )  # fmt: skip


def routing(dev) -> dict:
    return json.loads(boto3.client("s3").get_object(Bucket=dev.widget_bucket, Key=cn.KEY)["Body"].read())


def test_a_healthy_step_is_raised_then_a_worse_canary_is_aborted_with_the_numbers(on_canary, dev):
    t0 = (time.time() - 3 * 3600) // 60 * 60
    # step 1 (5 %, t0 … t0+10 min): 1 % errors on both versions → raise to 25 %
    put("1.1.0", t0 + 120, 200, 2)
    put("1.0.0", t0 + 120, 4000, 40)
    # step 2 (25 %, from t0+10 min): the canary fails 20 % of its boots
    put("1.1.0", t0 + 660, 300, 60)
    put("1.0.0", t0 + 660, 4000, 40)
    clock = Clock(t0)
    w = canary_watch.run(
        on_canary.path, "dev", bake="10m", steps="5,25,50", interval="10m", tgt=dev,
        clock=clock, sleep=clock.sleep, echo=lambda s: None,
    )  # fmt: skip
    assert [a["action"] for a in w.actions] == ["set", "abort"]
    assert (w.result, w.exit_code) == ("aborted", 1)
    set_event, abort_event = on_canary.manifest()["events"][-2:]
    assert set_event["action"] == "canary-set" and set_event["details"]["canary"]["percent"] == 25
    assert set_event["details"]["watch"]["canary"] == {"version": "1.1.0", "boots": 200, "errors": 2}
    assert abort_event["action"] == "canary-abort"
    assert "canary is worse: canary 20.00% vs stable 1.00%" in abort_event["details"]["reason"]
    assert abort_event["details"]["watch"]["canary"] == {"version": "1.1.0", "boots": 300, "errors": 60}
    assert abort_event["details"]["watch"]["stable"] == {"version": "1.0.0", "boots": 4000, "errors": 40}
    assert routing(dev)["state"] == "aborted"


def test_a_healthy_canary_at_the_last_step_is_promoted_with_promote(on_canary, dev):
    t0 = (time.time() - 3 * 3600) // 60 * 60
    for minute in (2, 12):
        put("1.1.0", t0 + minute * 60, 500, 5)
        put("1.0.0", t0 + minute * 60, 5000, 50)
    clock = Clock(t0)
    w = canary_watch.run(
        on_canary.path, "dev", bake="10m", steps="5,100", interval="10m", promote=True, tgt=dev,
        clock=clock, sleep=clock.sleep, echo=lambda s: None,
    )  # fmt: skip
    assert [a["action"] for a in w.actions] == ["set", "promote"] and w.result == "promoted"
    assert routing(dev)["state"] == "promoted"
    assert on_canary.manifest()["environments"]["dev"]["channels"]["latest"] == "1.1.0"


def test_no_metric_at_all_stops_and_changes_nothing(on_canary, dev):
    clock = Clock((time.time() - 3 * 3600) // 60 * 60)
    w = canary_watch.run(
        on_canary.path, "dev", bake="10m", interval="10m", tgt=dev,
        clock=clock, sleep=clock.sleep, echo=lambda s: None,
    )  # fmt: skip
    assert (w.result, w.exit_code, w.actions) == ("stopped", 1, [])
    assert "canary: no data" in w.reason
    assert routing(dev)["canary"]["percent_bp"] == 500


def test_dry_run_judges_but_changes_nothing(on_canary, dev):
    t0 = (time.time() - 3 * 3600) // 60 * 60
    put("1.1.0", t0 + 120, 300, 60)
    put("1.0.0", t0 + 120, 4000, 40)
    clock, said = Clock(t0), []
    w = canary_watch.run(
        on_canary.path, "dev", bake="10m", interval="10m", dry_run=True, tgt=dev,
        clock=clock, sleep=clock.sleep, echo=said.append,
    )  # fmt: skip
    assert w.result == "aborted" and any(s.startswith("would run canary abort") for s in said)
    assert routing(dev)["state"] == "active"
    assert on_canary.manifest()["events"][-1]["action"] == "canary-start"


def test_a_bad_bake_is_refused_before_anything_is_read(on_canary, dev):
    with pytest.raises(UserError, match="--bake '30 minutes' is not a duration"):
        canary_watch.run(on_canary.path, "dev", bake="30 minutes", tgt=dev, sleep=lambda s: None)


def test_status_health_judges_the_window_since_the_routing_changed(on_canary, dev):
    st = canary.status(on_canary.path, "dev", tgt=dev)
    changed = datetime.fromisoformat(st["updated"].replace("Z", "+00:00")).timestamp()
    put("1.1.0", changed + 60, 300, 60)
    put("1.0.0", changed + 60, 4000, 40)
    put("1.1.0", changed - 600, 1000, 0)  # before the routing changed: not this canary's window
    h = canary_watch.health(st, "dev", now=changed + 300)
    assert h["canary"] == {"version": "1.1.0", "boots": 300, "errors": 60}
    assert h["verdict"]["outcome"] == "fail" and h["window"][0] == st["updated"]
    assert canary_watch.health({**st, "state": "aborted"}, "dev") is None


@pytest.fixture
def widget_api(aws, monkeypatch):
    """The local AppSync with dev's handlers, as the Lambdas run in dev (functions.yaml's values)."""
    from backend import runtime, seed
    from orchestrator.local import appsync as local_appsync

    for key, value in {
        "TABLE_NAME": "bookingchat-dev",
        "ENV_NAME": "dev",
        "POWERTOOLS_SERVICE_NAME": "bookingchat-dev",
    }.items():
        monkeypatch.setenv(key, value)
    runtime.reset()
    seed.seed("bookingchat-dev")
    server = local_appsync.start(0, aws_endpoint=aws.endpoint)
    yield server, seed.api_keys()
    server.stop()
    runtime.reset()


def test_client_reports_through_the_local_appsync_make_the_watch_abort_a_worse_canary(
    on_canary, dev, widget_api
):
    """The whole path: the widget's mutation with a tenant key → the bookings handler's EMF line →
    (local/emf.py) PutMetricData → GetMetricData → the judge → `canary abort`, recorded."""
    server, keys = widget_api
    lola, acme = keys["peluqueria-lola"], keys["acme-dental"]
    for key in (lola, acme):  # 100 canary boots, 30 of them with a failed turn or an error
        report(server.url, key, "1.1.0", "BOOT", 50)
        report(server.url, key, "1.1.0", "FAILED_TURN", 10)
        report(server.url, key, "1.1.0", "ERROR", 5)
    for _ in range(4):  # 200 stable boots, 2 errors
        report(server.url, acme, "1.0.0", "BOOT", 50)
    report(server.url, lola, "1.0.0", "ERROR", 2)
    clock = Clock(time.time() - 100)  # the first check, 2 min later, is just after the reports
    w = canary_watch.run(
        on_canary.path, "dev", bake="2m", interval="2m", tgt=dev,
        clock=clock, sleep=clock.sleep, echo=lambda s: None,
    )  # fmt: skip
    assert (w.result, w.exit_code) == ("aborted", 1)
    event = on_canary.manifest()["events"][-1]
    assert event["action"] == "canary-abort" and "30.00% vs stable 1.00%" in event["details"]["reason"]
    assert event["details"]["watch"]["canary"] == {"version": "1.1.0", "boots": 100, "errors": 30}
    assert event["details"]["watch"]["stable"] == {"version": "1.0.0", "boots": 200, "errors": 2}
    assert routing(dev)["state"] == "aborted"
