"""A local HTTP stand-in for Sentry that records what arrives (importable as `sentry_receiver`).

No Sentry server runs here, and none is faked beyond this: the receiver accepts
  - SDK envelopes (`POST /api/<project>/envelope/`, gzip or plain), parsed into their items, and
  - the web API calls `sentry-cli` makes (`/api/0/...`), answered with the minimal JSON the CLI reads,
    in the shapes of Sentry's API: a release (`dateReleased` once finalized, `commitCount`), its
    commits (`.../releases/{version}/commits/`), the project's releases (newest first), deploys
    (a name over 64 characters refused with 400, as Sentry's serializer does),
and keeps every request in order, so tests can assert what the real SDKs and the real CLI sent.
`fail_with` makes every API call answer with that status (Sentry refusing or down).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class Envelope:
    headers: dict
    items: list[tuple[dict, object]]

    def events(self) -> list[dict]:
        return [payload for header, payload in self.items if header.get("type") == "event"]


def parse_envelope(body: bytes) -> Envelope:
    """Sentry's envelope format: a JSON header line, then (item header, payload) pairs."""
    lines = body.split(b"\n")
    headers = json.loads(lines[0])
    items, i = [], 1
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        item = json.loads(lines[i])
        length = item.get("length")
        rest = b"\n".join(lines[i + 1 :])
        raw = rest[:length] if length is not None else lines[i + 1]
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = raw
        items.append((item, payload))
        consumed = raw.count(b"\n") + 1
        i += 1 + consumed
    return Envelope(headers, items)


@dataclass
class SentryReceiver:
    """Start with `with SentryReceiver() as r:`; `r.url` is Sentry's URL, `r.dsn(project)` a DSN."""

    requests: list[Request] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    fail_with: int | None = None
    deploys: dict[str, list[dict]] = field(default_factory=dict)  # release → deploys recorded
    releases: set[str] = field(default_factory=set)
    released: dict[str, str] = field(default_factory=dict)  # release → dateReleased (finalized)
    commits: dict[str, list[dict]] = field(default_factory=dict)  # release → commits set
    order: list[str] = field(default_factory=list)  # releases, oldest first
    chunks: set[str] = field(default_factory=set)  # sha1 of every chunk uploaded
    chunk_bytes: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def dsn(self, project: int = 1, key: str = "publickey") -> str:
        return f"http://{key}@127.0.0.1:{self._server.server_address[1]}/{project}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def api_calls(self) -> list[tuple[str, str]]:
        """(method, path) of every web API call, in order (chunk uploads and the CLI's probes left out)."""
        return [
            (r.method, r.path.split("?")[0])
            for r in self.requests
            if r.path.startswith("/api/0/") and "/chunk-upload/" not in r.path
        ]

    def events(self) -> list[dict]:
        return [e for env in self.envelopes for e in env.events()]

    def bundle_files(self) -> dict[str, dict]:
        """Every file of the artifact bundles uploaded: URL → its manifest entry (debug ID in headers)."""
        files = {}
        for data in self.chunk_bytes.values():
            # An artifact bundle: the 8-byte "SYSB" header, then a zip with manifest.json.
            with zipfile.ZipFile(io.BytesIO(data[8:] if data.startswith(b"SYSB") else data)) as z:
                for entry in json.loads(z.read("manifest.json"))["files"].values():
                    files[entry["url"]] = entry
        return files

    # -- the server --------------------------------------------------------------------------

    def _record(self, req: Request) -> tuple[int, object]:
        with self._lock:
            self.requests.append(req)
            if re.fullmatch(r"/api/\d+/envelope/", req.path.split("?")[0]):
                self.envelopes.append(parse_envelope(req.body))
                return 200, {"id": "0" * 32}
            if self.fail_with:
                return self.fail_with, {"detail": f"refused with {self.fail_with} (test receiver)"}
            return _api_answer(req, self.url, self)

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet test output
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                encoding = (self.headers.get("Content-Encoding") or "").lower()
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                req = Request(self.command, self.path, dict(self.headers.items()), body)
                status, answer = receiver._record(req)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header(
                    "Access-Control-Allow-Origin", "*"
                )  # browsers post from the host page's origin
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def do_OPTIONS(self):  # a CORS preflight: allowed, not recorded
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Methods", "POST")
                self.send_header("Access-Control-Allow-Headers", "content-type")
                self.end_headers()

        return Handler


def _release(version: str, state: SentryReceiver | None = None) -> dict:
    commits = (state.commits if state else {}).get(version, [])
    return {
        "version": version,
        "shortVersion": version,
        "ref": None,
        "url": None,
        "dateCreated": "2026-01-01T00:00:00Z",
        "dateReleased": (state.released if state else {}).get(version),
        "lastEvent": None,
        "newGroups": 0,
        "projects": [],
        "commitCount": len(commits),
        "deployCount": 0,
        "lastDeploy": None,
        "authors": [],
        "data": {},
    }


def _api_answer(req: Request, base: str, state: SentryReceiver) -> tuple[int, object]:
    """The smallest answers `sentry-cli` accepts for the calls the orchestrator makes, with the
    little state that makes them honest: releases exist once created, chunks once uploaded."""
    path = req.path.split("?")[0]
    m = re.fullmatch(r"/api/0/organizations/[^/]+/releases/([^/]+)/", path)
    if m and m.group(1) not in state.releases:
        return 404, {"detail": "The requested resource does not exist"}
    if path.endswith("/chunk-upload/") and req.method == "POST":
        for sha1, data in _multipart_files(req):
            state.chunks.add(sha1)
            state.chunk_bytes[sha1] = data
    if path.endswith("/artifactbundle/assemble/"):
        wanted = (req.json() or {}).get("chunks", [])
        missing = [c for c in wanted if c not in state.chunks]
        return 200, {"state": "not_found" if missing else "ok", "missingChunks": missing, "detail": None}
    if path.endswith("/releases/") and req.method == "POST":
        version = (req.json() or {}).get("version", "")
        if version not in state.releases:
            state.releases.add(version)
            state.order.append(version)
    if (m := re.fullmatch(r"/api/0/organizations/[^/]+/releases/([^/]+)/", path)) and req.method == "PUT":
        body = req.json() or {}
        if body.get("dateReleased"):
            state.released[m.group(1)] = body["dateReleased"]
        if "commits" in body:  # Sentry replaces the release's commits with the list given
            state.commits[m.group(1)] = [
                {
                    "id": c["id"],
                    "message": c.get("message"),
                    "dateCreated": c.get("timestamp"),
                    "author": {"name": c.get("author_name"), "email": c.get("author_email")},
                }
                for c in body["commits"]
            ]
    if (m := re.search(r"/releases/([^/]+)/deploys/$", path)) and req.method == "POST":
        name = (req.json() or {}).get("name") or ""
        if len(name) > 64:
            return 400, {"name": ["Ensure this field has no more than 64 characters."]}
    return 200, _answer(req, base, state)


def _answer(req: Request, base: str, state: SentryReceiver) -> object:
    deploys = state.deploys
    path = req.path.split("?")[0]
    body = req.json() if req.body and req.body[:1] in (b"{", b"[") else {}
    if path.endswith("/chunk-upload/") and req.method == "GET":
        return {
            "url": f"{base}/api/0/organizations/org/chunk-upload/",
            "chunkSize": 8388608,
            "chunksPerRequest": 64,
            "maxFileSize": 2147483648,
            "maxRequestSize": 33554432,
            "concurrency": 1,
            "hashAlgorithm": "sha1",
            "compression": [],
            "accept": ["artifact_bundles", "artifact_bundles_v2", "release_files", "sources", "debug_files"],
        }
    if path.endswith("/chunk-upload/"):
        return {}
    if (m := re.search(r"/releases/([^/]+)/deploys/$", path)) and req.method == "GET":
        return deploys.get(m.group(1), [])
    if m := re.search(r"/releases/([^/]+)/deploys/$", path):
        deploy = {
            "id": hashlib.sha1(req.body).hexdigest()[:8],
            "environment": body.get("environment"),
            "name": body.get("name"),
            "url": None,
            "dateStarted": body.get("dateStarted"),
            "dateFinished": body.get("dateFinished") or "2026-01-01T00:00:00Z",
        }
        deploys.setdefault(m.group(1), []).append(deploy)
        return deploy
    if path.endswith("/releases/") and req.method == "POST":
        return _release(body.get("version", ""), state)
    if re.fullmatch(r"/api/0/projects/[^/]+/[^/]+/releases/", path) and req.method == "GET":
        return [_release(v, state) for v in reversed(state.order)]  # newest first, as Sentry lists
    if m := re.search(r"/releases/([^/]+)/commits/$", path):
        return state.commits.get(m.group(1), [])
    if m := re.search(r"/releases/([^/]+)/$", path):
        return _release(m.group(1), state)
    if path.endswith("/repos/"):
        return []
    return {}


def _multipart_files(req: Request) -> list[tuple[str, bytes]]:
    """(filename, bytes) of each part of a multipart/form-data body (sentry-cli's chunk upload)."""
    m = re.search(r"boundary=(\S+)", req.headers.get("Content-Type", ""))
    if not m:
        return []
    out = []
    for part in req.body.split(b"--" + m.group(1).encode()):
        head, sep, data = part.partition(b"\r\n\r\n")
        name = re.search(rb'filename="([^"]+)"', head)
        if sep and name:
            data = data[:-2] if data.endswith(b"\r\n") else data
            if b"gzip" in head.lower():
                data = gzip.decompress(data)
            out.append((name.group(1).decode(), data))
    return out
