"""A widget error in a real Chromium reaches Sentry — here tests/sentry_receiver.py, since no
Sentry server runs here — with the release, environment, tenant and debug ID, and no chat text.

The environment's config is what `./inv local-dev --sentry-dsn URL` (and, in AWS, every release)
writes: observability.json at the root of the widget bucket. The error is a real bug path: the
API answers quick replies that are not a list, the React tree throws while rendering, and the
widget's error boundary reports it. Nothing is captured from the host page.
"""

from __future__ import annotations

import time

import boto3
import pytest
from sentry_receiver import SentryReceiver

from orchestrator.observability import widget_config

PRIVATE = "Me llamo Jane Doe, jane.doe@example.com, +34 612 345 678"


def widget_bucket(s3) -> str:
    return next(b["Name"] for b in s3.list_buckets()["Buckets"] if "-local-widget-" in b["Name"])


@pytest.fixture
def reporting(platform):
    s3 = boto3.client(
        "s3",
        endpoint_url=platform["aws"],
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    bucket = widget_bucket(s3)
    with SentryReceiver() as receiver:
        body = widget_config.body("local", receiver.dsn(9), 1.0)
        s3.put_object(Bucket=bucket, Key=widget_config.KEY, Body=body, ContentType="application/json")
        yield receiver
    # back to what local-dev without --sentry-dsn writes: the SDK is never loaded
    s3.put_object(Bucket=bucket, Key=widget_config.KEY, Body=widget_config.body("local", "", 1.0))


def test_a_widget_error_arrives_with_release_environment_tenant_and_debug_id_and_no_chat_text(
    platform, page, reporting
):
    def broken_reply(route):
        if "SendMessage" in (route.request.post_data or ""):
            route.fulfill(
                status=200,
                content_type="application/json",
                body='{"data": {"sendMessage": {"conversationId": "c1", "message": "ok", '
                '"quickReplies": "not a list", "booking": null, "mode": "guided"}}}',
            )
        else:
            route.continue_()

    page.route(platform["graphql"] + "**", broken_reply)
    page.goto(f"{platform['demo']}peluqueria-lola/")
    page.evaluate("() => { setTimeout(() => { throw new Error('host page bug ' + 'Jane') }, 0) }")  # not ours
    page.get_by_role("button", name="Abrir chat de reservas").click()
    box = page.get_by_role("textbox", name="Escribe tu mensaje")
    box.fill(PRIVATE)
    box.press("Enter")
    deadline = time.monotonic() + 20
    while not reporting.events() and time.monotonic() < deadline:
        time.sleep(0.2)
    (event,) = reporting.events()
    assert event["release"] == f"booking-chat-widget@{platform['widget_version']}"
    assert event["environment"] == "local"
    assert event["tags"]["tenant"] == "peluqueria-lola"
    (exc,) = [v for v in event["exception"]["values"] if v["type"] == "TypeError"]
    assert "map" in exc["value"]
    images = event.get("debug_meta", {}).get("images", [])
    assert images and all(i["type"] == "sourcemap" and i["debug_id"] for i in images)
    app = f"{platform['cdn']}/v{platform['widget_version']}/chat-widget.app.js"
    assert app in [i["code_file"] for i in images]
    raw = b"".join(r.body for r in reporting.requests).decode()
    for private in ("Jane", "jane.doe@example.com", "612 345 678"):
        assert private not in raw
    assert "host page bug" not in raw
