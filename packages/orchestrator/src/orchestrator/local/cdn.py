"""The local CDN: the `local` widget bucket served the way CloudFront serves it (infra/edge.yaml).

moto creates the distribution but serves nothing, so `inv local-dev` serves the bucket here
(http://127.0.0.1:8080): GET/HEAD of `/<key>` reads the object from the embedded S3 and passes
its `Cache-Control`, `Content-Type` and `ETag` through; `If-None-Match` / `If-Modified-Since`
give 304; the response headers policy adds CORS (only when the request has an `Origin`, as
CloudFront does) and the security headers; a missing key is S3's 403 AccessDenied, because the
origin access control grants `s3:GetObject` only (no `ListBucket`), exactly like CloudFront.

Beside the bucket (never from it) it serves `/demo/`: one host page per demo tenant embedding
`/latest/chat-widget.js`, and a deliberately hostile host page (global CSS resets,
`html { font-size: 62.5% }`, huge z-indexes) for the browser tests and for people.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from orchestrator.errors import UserError
from orchestrator.local.embedded_aws import port_is_free

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}
ACCESS_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
)


@dataclass(frozen=True)
class DemoTenant:
    id: str
    name: str
    api_key: str
    locale: str


@dataclass
class Site:
    """What the pages need to know: the bucket, the GraphQL endpoint and the demo tenants."""

    bucket: str
    graphql_url: str
    tenants: list[DemoTenant] = field(default_factory=list)
    distribution_id: str = ""

    def s3(self):
        from orchestrator.adapters import cdn

        return cdn.s3()


# ── the demo host pages ─────────────────────────────────────────────────────────────────────


def _script_tag(site: Site, tenant: DemoTenant, extra: str = "") -> str:
    attrs = {
        "src": "/latest/chat-widget.js",
        "data-tenant": tenant.id,
        "data-api-key": tenant.api_key,
        "data-endpoint": site.graphql_url,
        "data-locale": tenant.locale,
    }
    rendered = " ".join(f'{k}="{html.escape(v, quote=True)}"' for k, v in attrs.items())
    return f"<script async {rendered}{extra}></script>"


def demo_index(site: Site) -> str:
    items = "\n".join(
        f'<li><a href="/demo/{html.escape(t.id)}/">{html.escape(t.name)}</a> '
        f"({html.escape(t.locale)}) — API key <code>{html.escape(t.api_key)}</code></li>"
        for t in site.tenants
    )
    hostile = (
        f'<li><a href="/demo/hostile/">A hostile host page</a> ({html.escape(site.tenants[0].name)})</li>'
        if site.tenants
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>Booking Chat · local demo</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}</style>
</head><body><h1>Booking Chat · local demo</h1>
<p>Each page embeds <code>/latest/chat-widget.js</code> from this local CDN, as a tenant would, and
talks to the local GraphQL API at <code>{html.escape(site.graphql_url)}</code>.</p>
<ul>
{items}
{hostile}
</ul></body></html>
"""


def demo_page(site: Site, tenant: DemoTenant) -> str:
    lang = html.escape(tenant.locale)
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>{html.escape(tenant.name)} · demo</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:0}} header{{background:#f4f4f4;padding:1rem 2rem}}
main{{max-width:46rem;margin:0 auto;padding:1rem 2rem}}</style>
</head><body>
<header><strong>{html.escape(tenant.name)}</strong></header>
<main><h1>{html.escape(tenant.name)}</h1>
<p>A tenant's page with the booking chat embedded by one script tag.</p>
<p><a href="/demo/">All demo pages</a></p></main>
{_script_tag(site, tenant)}
</body></html>
"""


def hostile_page(site: Site, tenant: DemoTenant) -> str:
    """Everything a careless theme does to a page, to prove the widget's Shadow DOM holds."""
    return f"""<!doctype html>
<html lang="{html.escape(tenant.locale)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>Hostile host page · demo</title>
<style>
html {{ font-size: 62.5% !important; }}
*, *::before, *::after {{ margin: 0 !important; padding: 0; box-sizing: content-box !important;
  font-family: "Comic Sans MS", Papyrus, fantasy !important; line-height: 3 !important;
  letter-spacing: .3em; text-transform: uppercase; color: #0f0; }}
body {{ font-size: 3rem !important; background: #111; }}
div, button, input, section, dialog {{ border: 5px dotted red !important; width: auto; }}
button {{ background: hotpink !important; font-size: 4rem !important; min-height: 10rem; }}
input {{ font-size: 40px; height: 80px; }}
svg {{ width: 300px !important; height: 300px !important; }}
[role], [class] {{ transform: none; filter: none; }}
.overlay {{ position: fixed; inset: auto 0 0 auto; width: 40vw; height: 20vh; z-index: 2147483647;
  pointer-events: none; background: transparent; }}
header {{ position: sticky; top: 0; z-index: 999999999; background: #333; }}
</style></head><body>
<header>HOSTILE THEME · {html.escape(tenant.name)}</header>
<main><h1>Global resets everywhere</h1><p>html font-size 62.5%, uppercase, Comic Sans, dotted borders,
huge z-indexes. The widget must look exactly as on a plain page.</p>
<div class="overlay" aria-hidden="true"></div>
<div style="height:150vh"></div></main>
{_script_tag(site, tenant)}
</body></html>
"""


def demo_route(site: Site, path: str) -> str | None:
    """The HTML for a /demo/ path, or None."""
    parts = [p for p in path.split("/") if p]
    if parts == ["demo"]:
        return demo_index(site)
    by_id = {t.id: t for t in site.tenants}
    if len(parts) == 2 and parts[1] in ("hostile", "hostile.html") and site.tenants:
        return hostile_page(site, site.tenants[0])
    if len(parts) == 2 and parts[1].removesuffix(".html") in by_id:
        return demo_page(site, by_id[parts[1].removesuffix(".html")])
    return None


# ── CloudFront semantics ────────────────────────────────────────────────────────────────────


def not_modified(headers: dict[str, str], etag: str, last_modified) -> bool:
    """RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since only without it."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or etag in tags
    ims = headers.get("if-modified-since")
    if ims and last_modified is not None:
        try:
            return last_modified.replace(microsecond=0) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class _Handler(BaseHTTPRequestHandler):
    server_version = "CloudFront"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    site: Site

    def log_message(self, format, *args):  # noqa: A002 — quiet: the panel shows the state
        pass

    def _headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()}

    def _common(self, cors: bool, bucket: bool = True) -> None:
        if not bucket:
            return  # the demo pages are this server's own, not the distribution's
        self.send_header("Via", "1.1 local.cloudfront.net (CloudFront)")
        self.send_header("X-Cache", "Miss from cloudfront")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        if cors and "origin" in self._headers():
            self.send_header("Access-Control-Allow-Origin", "*")

    def do_OPTIONS(self):  # noqa: N802
        h = self._headers()
        self.send_response(200)
        self._common(cors=True)
        if "origin" in h:
            self.send_header("Access-Control-Allow-Methods", "GET, HEAD")
            self.send_header("Access-Control-Allow-Headers", h.get("access-control-request-headers", "*"))
            self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):  # noqa: N802
        self._serve(body=False)

    def do_GET(self):  # noqa: N802
        self._serve(body=True)

    def do_POST(self):  # noqa: N802
        self._refuse_method()

    do_PUT = do_DELETE = do_PATCH = do_POST

    def _refuse_method(self) -> None:
        body = b"This distribution is not configured to allow the HTTP request method that was used."
        self.send_response(403)
        self._common(cors=False)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve(self, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == "/demo" or path.startswith("/demo/"):
            page = demo_route(self.site, path)
            if path == "/demo" or (page is not None and not path.endswith(("/", ".html"))):
                return self._redirect(path.rstrip("/") + "/")
            if page is not None:
                return self._send(
                    200,
                    page.encode(),
                    {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
                    body,
                    cors=False,
                    bucket=False,
                )
        if path == "/":
            return self._redirect("/demo/")
        self._serve_object(path.lstrip("/"), body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _serve_object(self, key: str, body: bool) -> None:
        from botocore.exceptions import ClientError

        try:
            obj = self.site.s3().get_object(Bucket=self.site.bucket, Key=key)
        except ClientError as err:
            if err.response["Error"]["Code"] in ("NoSuchKey", "404", "NotFound", "NoSuchBucket"):
                return self._send(403, ACCESS_DENIED, {"Content-Type": "application/xml"}, body, cors=True)
            raise
        etag = obj["ETag"]
        last_modified = obj.get("LastModified")
        headers = {
            "Content-Type": obj.get("ContentType") or "binary/octet-stream",
            "ETag": etag,
            "Accept-Ranges": "bytes",
        }
        if obj.get("CacheControl"):
            headers["Cache-Control"] = obj["CacheControl"]
        if last_modified is not None:
            headers["Last-Modified"] = formatdate(last_modified.timestamp(), usegmt=True)
        data = obj["Body"].read()
        if not_modified(self._headers(), etag, last_modified):
            return self._send(
                304, b"", {k: v for k, v in headers.items() if k != "Content-Type"}, False, cors=True
            )
        self._send(200, data, headers, body, cors=True)

    def _send(
        self, status: int, data: bytes, headers: dict[str, str], body: bool, cors: bool, bucket: bool = True
    ) -> None:
        self.send_response(status)
        self._common(cors=cors, bucket=bucket)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body and status != 304:
            self.wfile.write(data)


@dataclass
class LocalCDN:
    host: str
    port: int
    site: Site
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def demo_url(self) -> str:
        return f"{self.url}/demo/"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def start(site: Site, port: int = 8080, host: str = "127.0.0.1") -> LocalCDN:
    """Serve `site` on host:port (0 = a free port)."""
    if port and not port_is_free(port):
        raise UserError(
            f"port {port} (the local CDN) is already in use", "stop what uses it (another ./inv local-dev?)"
        )
    handler = type("Handler", (_Handler,), {"site": site})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="local-cdn", daemon=True).start()
    return LocalCDN(host, server.server_address[1], site, server)


def tenants_from_seed() -> list[DemoTenant]:
    from backend import seed

    return [DemoTenant(t["id"], t["name"], t["api_key"], t["locale"]) for t in seed.load()]


def to_json(tenants: list[DemoTenant]) -> list[dict]:
    return [{"id": t.id, "api_key": t.api_key} for t in tenants]
