"""Contract: every client the project ships sends the tenant key in `Authorization`.

AppSync hands an AWS_LAMBDA authorizer the `Authorization` header only; a key sent only as
`x-api-key` never reaches it and the call is refused — on AWS. The local AppSync is ours, so it
refuses such a call too (tests/local/test_local_appsync.py); this contract keeps the clients
honest where no test runs them against AWS:

- no shipped client names `x-api-key` as a request header (widget/src, the orchestrator —
  smoke, rehearse, the GraphiQL page of the local AppSync —, benchmarks, tests' helpers);
- the widget's client and the GraphiQL page set `authorization`;
- the smoke test's request, captured by a plain HTTP server, carries the key in Authorization.
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve()
# `x-api-key` used as a header name: a dict/object key, an index (h['x-api-key'] = …), a
# setRequestHeader / headers.set call.
AS_HEADER = re.compile(
    r"""(['"])x-api-key\1\s*:"""  # {"x-api-key": …}
    r"""|\[\s*(['"])x-api-key\2\s*\]\s*="""  # h['x-api-key'] = …
    r"""|(?:setRequestHeader|headers\.set|add_header|putheader)\(\s*(['"])x-api-key\3""",
    re.IGNORECASE,
)
# A test that sends x-api-key on purpose (to show it is refused) says so on that line.
ON_PURPOSE = "sends x-api-key on purpose"


def client_sources() -> list[Path]:
    files = [
        p for ext in ("js", "jsx", "ts", "tsx", "html") for p in (ROOT / "widget" / "src").rglob(f"*.{ext}")
    ]
    for top in ("packages/orchestrator/src", "benchmarks", "tests"):
        files += (ROOT / top).rglob("*.py")
    return [f for f in files if f.resolve() != HERE]


def x_api_key_senders(paths, root: Path = ROOT) -> list[str]:
    found = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if AS_HEADER.search(line) and ON_PURPOSE not in line:
                found.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    return found


def test_the_scan_recognises_every_way_a_client_sets_the_header(tmp_path):
    """So a clean result means something: each form the clients use (or used) is caught."""
    sample = tmp_path / "sample.js"
    sample.write_text(
        "headers: { 'content-type': 'application/json', 'x-api-key': apiKey }\n"
        "if (k) h['x-api-key'] = k;\n"
        'req = Request(url, headers={"x-api-key": key})\n'
        "xhr.setRequestHeader('X-Api-Key', key)\n"
        'allow = "content-type, x-api-key, authorization"  # a CORS list names it, sends nothing\n'
    )
    assert [line.split(":", 2)[1] for line in x_api_key_senders_in(sample)] == ["1", "2", "3", "4"]


def x_api_key_senders_in(path: Path) -> list[str]:
    return [
        f"x:{n}:{line}" for n, line in enumerate(path.read_text().splitlines(), 1) if AS_HEADER.search(line)
    ]


def test_no_shipped_client_sends_the_key_as_x_api_key():
    assert x_api_key_senders(client_sources()) == []


def test_the_widget_and_the_graphiql_page_send_authorization():
    widget = (ROOT / "widget" / "src" / "api" / "client.js").read_text()
    assert re.search(r"headers:\s*\{[^}]*\bauthorization:\s*apiKey", widget), "widget/src/api/client.js"
    from orchestrator.local.appsync import GRAPHIQL

    assert "h['authorization'] = a" in GRAPHIQL


class _Capture(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        body = b'{"data": {"__typename": "Query"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_the_smoke_test_sends_the_key_in_authorization_only():
    from orchestrator.board import smoke

    handler = type("Capture", (_Capture,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        smoke._post(
            f"http://127.0.0.1:{server.server_address[1]}/graphql", "bc_key_x", "{ __typename }", None
        )
    finally:
        server.shutdown()
        server.server_close()
    (headers,) = handler.seen
    assert headers.get("authorization") == "bc_key_x"
    assert "x-api-key" not in headers
