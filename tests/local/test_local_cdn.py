"""The local CDN serves the widget bucket as CloudFront would (infra/edge.yaml)."""

from __future__ import annotations

import urllib.error
import urllib.request

import boto3
import pytest

from orchestrator.adapters import cdn
from orchestrator.local import cdn as local_cdn

BUCKET = "bookingchat-local-widget-123456789012"  # pragma: allowlist secret


@pytest.fixture
def site(aws):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(
        Bucket=BUCKET,
        Key="v1.0.0/chat-widget.js",
        Body=b"/*v1*/",
        CacheControl=cdn.IMMUTABLE,
        ContentType=cdn.content_type("chat-widget.js"),
    )
    s3.put_object(
        Bucket=BUCKET,
        Key="latest/chat-widget.js",
        Body=b"/*v1*/",
        CacheControl=cdn.CHANNEL,
        ContentType=cdn.content_type("chat-widget.js"),
    )
    tenants = [local_cdn.DemoTenant("peluqueria-lola", "Peluquería Lola", "bc_demo_key", "es")]
    server = local_cdn.start(local_cdn.Site(BUCKET, "http://127.0.0.1:4000/graphql", tenants), 0)
    yield server
    server.stop()


def get(url: str, headers: dict | None = None, method: str = "GET"):
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_version_paths_are_immutable_and_channel_paths_short_lived(site):
    status, headers, body = get(f"{site.url}/v1.0.0/chat-widget.js")
    assert (status, body) == (200, b"/*v1*/")
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Type"].startswith("text/javascript")
    status, headers, _ = get(f"{site.url}/latest/chat-widget.js")
    assert headers["Cache-Control"] == "public, max-age=300"


def test_a_matching_etag_is_304_and_a_stale_one_gets_the_bytes(site):
    _, headers, _ = get(f"{site.url}/latest/chat-widget.js")
    status, _, body = get(f"{site.url}/latest/chat-widget.js", {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    status, _, body = get(f"{site.url}/latest/chat-widget.js", {"If-None-Match": '"stale"'})
    assert (status, body) == (200, b"/*v1*/")


def test_cors_only_for_requests_with_an_origin_and_preflight_answers(site):
    _, plain, _ = get(f"{site.url}/latest/chat-widget.js")
    assert "Access-Control-Allow-Origin" not in plain
    _, cors, _ = get(f"{site.url}/latest/chat-widget.js", {"Origin": "https://shop.example"})
    assert cors["Access-Control-Allow-Origin"] == "*"
    status, pre, _ = get(
        f"{site.url}/latest/chat-widget.js",
        {"Origin": "https://shop.example", "Access-Control-Request-Method": "GET"},
        method="OPTIONS",
    )
    assert status == 200 and pre["Access-Control-Allow-Methods"] == "GET, HEAD"


def test_a_missing_key_is_access_denied_like_an_oac_origin(site):
    status, headers, body = get(f"{site.url}/v9.9.9/chat-widget.js")
    assert status == 403 and b"AccessDenied" in body
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_demo_pages_embed_latest_with_the_tenant_key_and_a_hostile_page_exists(site):
    status, _, body = get(f"{site.url}/demo/peluqueria-lola/")
    page = body.decode()
    assert status == 200
    assert 'src="/latest/chat-widget.js"' in page and 'data-api-key="bc_demo_key"' in page
    status, headers, body = get(f"{site.url}/demo/hostile/")
    assert status == 200 and "font-size: 62.5%" in body.decode()
    assert "Content-Security-Policy" not in headers  # the distribution's CSP is for its own files
    assert get(f"{site.url}/demo/nobody/")[0] == 403
