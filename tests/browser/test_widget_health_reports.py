"""The widget app's client-health reports in a real Chromium against local-dev: one boot per page
load reaches the API as `ReportClientEvent`, and — through local-dev's EMF forwarding — CloudWatch
in the embedded AWS, under the version and dimension set `canary watch` reads."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from backend import observability as obs
from orchestrator.adapters import metrics
from orchestrator.local.embedded_aws import FAKE_CREDENTIALS


def test_one_boot_per_page_load_is_reported_and_lands_in_cloudwatch(platform, page, monkeypatch):
    for key, value in {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": platform["aws"]}.items():
        monkeypatch.setenv(key, value)
    version = platform["widget_version"]
    dims = {"tenantId": "peluqueria-lola", **obs.widget_dimensions("local", version)}
    start = datetime.now(UTC) - timedelta(minutes=1)

    def boots() -> float:
        end = datetime.now(UTC) + timedelta(minutes=1)
        return metrics.sums(obs.NAMESPACE, {"b": ("WidgetBoots", dims)}, start, end)["b"] or 0

    before = boots()
    reports: list[dict] = []
    page.on(
        "request",
        lambda r: (
            reports.append(json.loads(r.post_data))
            if r.method == "POST" and "ReportClientEvent" in (r.post_data or "")
            else None
        ),
    )
    page.goto(f"{platform['demo']}peluqueria-lola/")
    host = '[data-booking-chat="peluqueria-lola"]'
    page.locator(f"{host} .bkc-launcher").click()
    page.get_by_role("dialog", name="Peluquería Lola").wait_for()
    deadline = time.monotonic() + 30
    while not reports and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert [r["variables"]["input"] for r in reports] == [
        {"widgetVersion": version, "kind": "BOOT", "count": 1}
    ]
    while boots() < before + 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert boots() == before + 1
    assert page.errors == []
