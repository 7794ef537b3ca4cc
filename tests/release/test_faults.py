"""Transient AWS errors are retried; a permanent one stops the release before any channel moves.

A small fault-injecting proxy stands between the orchestrator and the embedded AWS: it forwards
every request over HTTP and answers chosen ones with the errors S3 and CloudFront really send
(503 SlowDown, 500 InternalError, 403 AccessDenied), so botocore's own retry logic is what runs.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from release_world import objects

from orchestrator.engine import journal
from orchestrator.engine.runner import Event, StepFailed
from orchestrator.release import release

REQ = release.Request(env="dev", component="widget")
SLOW_DOWN = (503, b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>")
INTERNAL = (
    500,
    b"<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>oops</Message></Error></ErrorResponse>",
)
DENIED = (403, b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")


class FaultProxy:
    """Forwards to the embedded AWS; `rule(method, path, headers)` may answer (status, body) instead."""

    def __init__(self, upstream: str, rule: Callable[[str, str, dict], tuple[int, bytes] | None]):
        self.injected: list[str] = []
        target = urlparse(upstream)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fault = rule(self.command, self.path, dict(self.headers))
                if fault:
                    proxy.injected.append(f"{self.command} {self.path} → {fault[0]}")
                    status, payload = fault
                    self.send_response(status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                conn.request(self.command, self.path, body=body or None, headers=dict(self.headers))
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for key, value in resp.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def through_proxy(dev, aws, monkeypatch):
    proxies = []

    def start(rule):
        proxy = FaultProxy(aws.endpoint, rule)
        proxies.append(proxy)
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)  # a new endpoint: new clients
        return proxy

    yield start
    for proxy in proxies:
        proxy.close()


def first(n: int, fault, match: Callable[[str, str, dict], bool]):
    seen = {"count": 0}

    def rule(method, path, headers):
        if match(method, path, headers) and seen["count"] < n:
            seen["count"] += 1
            return fault
        return None

    return rule


def test_throttling_and_server_errors_are_retried_and_the_release_completes(release_repo, dev, through_proxy):
    copies = first(2, SLOW_DOWN, lambda m, p, h: m == "PUT" and "x-amz-copy-source" in {k.lower() for k in h})
    invalidations = first(1, INTERNAL, lambda m, p, h: m == "POST" and p.endswith("/invalidation"))
    proxy = through_proxy(lambda m, p, h: copies(m, p, h) or invalidations(m, p, h))
    outcome = release.run(release_repo.path, REQ, tgt=dev)
    assert outcome.journal.status == "done"
    assert len(proxy.injected) == 3, proxy.injected
    assert objects(dev.widget_bucket)["latest/chat-widget.js"]["version"] == "1.0.0"


def test_a_permanent_error_stops_the_release_before_any_channel_moves(release_repo, dev, through_proxy):
    events: list[Event] = []
    through_proxy(lambda m, p, h: DENIED if m == "PUT" and "/v1.0.0/chat-widget.app.js" in p else None)
    with pytest.raises(StepFailed, match="step publish-widget failed: .*AccessDenied") as err:
        release.run(release_repo.path, REQ, tgt=dev, on_event=events.append)
    assert err.value.exit_code == 1, "an AWS refusal is a failure (exit 1), not bad input (2)"
    assert "run the same command again to resume release-" in err.value.hint
    assert "move-channels" not in [e.step for e in events]
    published = objects(dev.widget_bucket)
    assert not any(key.endswith("/chat-widget.js") and not key.startswith("v") for key in published), (
        "no pointer"
    )
    assert release_repo.tags() == []
    [unfinished] = journal.unfinished(dev.artifact_bucket, "dev")
    assert "publish-widget" not in unfinished.steps and "upload-widget" in unfinished.steps
