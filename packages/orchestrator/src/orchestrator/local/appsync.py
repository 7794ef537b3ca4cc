"""The local AppSync: `infra/graphql/schema.graphql` executed by graphql-core, the way AppSync does.

moto keeps AppSync's control plane but runs no resolver, so `inv local-dev` serves the API here
(http://127.0.0.1:4000/graphql) with AppSync's semantics:

- auth: the default mode is the Lambda authorizer (`backend.authorizer.handler`), fed the
  `Authorization` header — the only header AppSync hands a Lambda authorizer, so a key sent
  only as `x-api-key` is refused here as on AWS; a Cognito JWT in `Authorization` is the
  additional user-pool mode, verified (RS256) against the pool's JWKS on the embedded AWS.
  A refused or missing token is HTTP 401 `UnauthorizedException`.
- field auth from the schema's `@aws_lambda` / `@aws_cognito_user_pools(cognito_groups:)`
  directives and the authorizer's `deniedFields`: `Unauthorized` errors, `data` null there.
- each root field calls its Lambda handler (`backend.functions.RESOLVERS` → `FUNCTIONS`)
  in-process with an AppSync-shaped direct-Lambda event; a handler's exception becomes an
  AppSync error `{errorType: <class name>, message}`.
- the API's limits from `infra/app/api.yaml` with the `local` environment's values
  (`quality.api_limits`): a token that fails `IdentityValidationExpression` never reaches the
  authorizer (401), a query over `QueryDepthLimit` or `ResolverCountLimit` runs nothing.
- CORS like AppSync (any origin), and a small GraphiQL-like page on GET (no CDN, no internet).
"""

from __future__ import annotations

import base64
import importlib
import json
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

from orchestrator.errors import UserError
from orchestrator.local import emf
from orchestrator.local.embedded_aws import port_is_free

UNAUTHORIZED_BODY = {
    "errors": [{"errorType": "UnauthorizedException", "message": "You are not authorized to make this call."}]
}
COGNITO_GROUPS = "cognito_groups"


# ── Cognito JWTs, verified like AppSync does (RS256 against the pool's JWKS) ─────────────────


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def looks_like_jwt(token: str) -> bool:
    parts = token.split(".")
    return len(parts) == 3 and all(parts) and token.startswith("eyJ")


@dataclass
class CognitoVerifier:
    """Claims of a valid token from one user pool, or None (RS256 against the pool's JWKS, with joserfc)."""

    aws_endpoint: str
    user_pool_id: str
    region: str = "us-east-1"
    _keys: object = None

    @property
    def jwks_url(self) -> str:
        return f"{self.aws_endpoint.rstrip('/')}/{self.user_pool_id}/.well-known/jwks.json"

    def _key_set(self):
        from joserfc.jwk import KeySet

        if self._keys is None:
            with urllib.request.urlopen(self.jwks_url, timeout=10) as r:
                self._keys = KeySet.import_key_set(json.load(r))
        return self._keys

    def claims(self, token: str) -> dict | None:
        from joserfc import jwt
        from joserfc.errors import JoseError

        try:
            claims = jwt.decode(token, self._key_set(), algorithms=["RS256"]).claims
        except (JoseError, ValueError, KeyError, OSError):
            return None
        if claims.get("exp", 0) < time.time():
            return None
        if not str(claims.get("iss", "")).endswith("/" + self.user_pool_id):
            return None
        if claims.get("token_use") not in ("id", "access"):
            return None
        return claims


# ── identities ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Identity:
    mode: str  # "lambda" | "cognito"
    event_identity: dict
    denied: frozenset[str] = frozenset()
    groups: tuple[str, ...] = ()


def _field_modes(field_def, parent_type) -> dict[str, list[str] | None]:
    """auth mode → allowed groups (None = any) from the field's directives, else its type's."""
    nodes = [getattr(field_def, "ast_node", None), getattr(parent_type, "ast_node", None)]
    for node in nodes:
        found: dict[str, list[str] | None] = {}
        for d in getattr(node, "directives", None) or ():
            name = d.name.value
            if name == "aws_lambda":
                found["lambda"] = None
            elif name in ("aws_cognito_user_pools", "aws_auth"):
                groups = None
                for arg in d.arguments or ():
                    if arg.name.value == COGNITO_GROUPS:
                        groups = [v.value for v in getattr(arg.value, "values", [])]
                found["cognito"] = groups
        if found:
            return found
    return {"lambda": None}  # no directive: the API's default mode (AWS_LAMBDA) only


def allowed(identity: Identity, parent_type, field_name: str) -> bool:
    """AppSync's field-level auth: the identity's mode must be named on the field (or its type)."""
    if f"{parent_type.name}.{field_name}" in identity.denied:
        return False
    field_def = parent_type.fields[field_name]
    modes = _field_modes(field_def, parent_type)
    if identity.mode not in modes:
        return False
    groups = modes[identity.mode]
    return groups is None or bool(set(groups) & set(identity.groups))


def _field_key(denied: str) -> str:
    """`Query.bookings`, or the ARN form `arn:…:apis/<id>/types/Query/fields/bookings`."""
    parts = denied.split("/")
    return f"{parts[-3]}.{parts[-1]}" if len(parts) >= 4 and parts[-2] == "fields" else denied


# ── the server ──────────────────────────────────────────────────────────────────────────────


class AppSyncError(Exception):
    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


@dataclass
class Api:
    """What one request needs: the schema, the pool, and the handlers (imported once)."""

    verifier: CognitoVerifier | None
    api_id: str = "local"
    account_id: str = "123456789012"
    schema: object = None
    limits: object = None  # quality.api_limits.ApiLimits, or None for no limits
    _handlers: dict = field(default_factory=dict)
    _auth_cache: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        if self.schema is None:
            from backend.graphql_schema import load_schema

            self.schema = load_schema()

    def handler(self, function: str):
        if function not in self._handlers:
            from backend.functions import FUNCTIONS

            module, attr = FUNCTIONS[function].rsplit(".", 1)
            self._handlers[function] = getattr(importlib.import_module(module), attr)
        return self._handlers[function]

    # auth
    def identify(self, headers: dict[str, str], body: dict, request_id: str) -> Identity | None:
        auth = headers.get("authorization", "").strip()
        if auth.lower().startswith("bearer "):
            auth = auth[7:].strip()
        if auth and looks_like_jwt(auth) and self.verifier is not None:
            claims = self.verifier.claims(auth)
            if claims is None:
                return None
            groups = claims.get("cognito:groups") or []
            return Identity(
                "cognito",
                {
                    "sub": claims.get("sub"),
                    "issuer": claims.get("iss"),
                    "username": claims.get("cognito:username") or claims.get("username"),
                    "claims": claims,
                    "sourceIp": [headers.get("x-forwarded-for", "127.0.0.1")],
                    "defaultAuthStrategy": "ALLOW",
                    "groups": groups or None,
                },
                groups=tuple(groups),
            )
        if not auth:  # an `x-api-key` alone never reaches an AWS_LAMBDA authorizer
            return None
        return self._lambda_identity(auth, headers, body, request_id)

    def _lambda_identity(self, token: str, headers: dict, body: dict, request_id: str) -> Identity | None:
        if self.limits is not None and not self.limits.token_allowed(token):
            return None  # AppSync refuses it without invoking the authorizer
        now = time.monotonic()
        with self._lock:
            cached = self._auth_cache.get(token)
        if cached and cached[1] > now:
            result = cached[0]
        else:
            event = {
                "authorizationToken": token,
                "requestContext": {
                    "apiId": self.api_id,
                    "accountId": self.account_id,
                    "requestId": request_id,
                    "queryString": body.get("query", ""),
                    "operationName": body.get("operationName"),
                    "variables": body.get("variables") or {},
                },
                "requestHeaders": headers,
            }
            result = self.handler("authorizer")(event, _context("authorizer", request_id)) or {}
            ttl = int(result.get("ttlOverride", 300) or 0)
            if ttl > 0:
                with self._lock:
                    self._auth_cache[token] = (result, now + ttl)
        if not result.get("isAuthorized"):
            return None
        denied = frozenset(_field_key(f) for f in result.get("deniedFields") or [])
        return Identity("lambda", {"resolverContext": result.get("resolverContext") or {}}, denied)

    def forget_tokens(self) -> None:
        with self._lock:
            self._auth_cache.clear()

    # execution
    def execute(self, body: dict, identity: Identity, headers: dict, request_id: str) -> dict:
        from graphql import graphql_sync

        over = (
            self.limits.refusal(body.get("query") or "", body.get("operationName")) if self.limits else None
        )
        if over:
            return {"data": None, "errors": [{"errorType": "ValidationError", "message": over}]}

        def resolve_root(source, info, **args):
            from backend.errors import GraphQLUserError
            from backend.functions import RESOLVERS

            parent = info.parent_type.name
            if not allowed(identity, info.parent_type, info.field_name):
                raise AppSyncError(
                    "Unauthorized", f"Not Authorized to access {info.field_name} on type {parent}"
                )
            function = RESOLVERS.get((parent, info.field_name))
            if function is None:
                raise AppSyncError("NoResolver", f"no resolver is attached to {parent}.{info.field_name}")
            event = {
                "arguments": args,
                "identity": identity.event_identity,
                "source": None,
                "request": {"headers": headers, "domainName": None},
                "prev": None,
                "stash": {},
                "info": {
                    "fieldName": info.field_name,
                    "parentTypeName": parent,
                    "variables": body.get("variables") or {},
                    "selectionSetList": _selection_list(info),
                    "selectionSetGraphQL": "",
                },
            }
            try:
                # CloudWatch's EMF processing, emulated: the handler's metrics reach the embedded AWS.
                with emf.forwarding():
                    return self.handler(function)(event, _context(function, request_id))
            except GraphQLUserError as err:
                raise AppSyncError(err.error_type, err.message) from None
            except Exception as err:  # noqa: BLE001 — AppSync reports an unhandled Lambda error so
                raise AppSyncError("Lambda:Unhandled", f"{type(err).__name__}: {err}") from None

        def field_resolver(source, info, **args):
            if info.parent_type in (self.schema.query_type, self.schema.mutation_type):
                return resolve_root(source, info, **args)
            if not allowed(identity, info.parent_type, info.field_name):
                raise AppSyncError(
                    "Unauthorized",
                    f"Not Authorized to access {info.field_name} on type {info.parent_type.name}",
                )
            value = (
                source.get(info.field_name)
                if isinstance(source, dict)
                else getattr(source, info.field_name, None)
            )
            return value

        result = graphql_sync(
            self.schema,
            body.get("query") or "",
            variable_values=body.get("variables") or None,
            operation_name=body.get("operationName") or None,
            field_resolver=field_resolver,
        )
        out: dict = {"data": result.data}
        if result.errors:
            out["errors"] = [_appsync_error(e, result.data is None and not e.path) for e in result.errors]
        return out


def _appsync_error(err, validation: bool) -> dict:
    original = err.original_error
    if isinstance(original, AppSyncError):
        error_type = original.error_type
        message = str(original)
    elif validation:
        error_type, message = "ValidationError", err.message
    else:
        error_type, message = "GraphQLError", err.message
    shaped = {
        "path": err.path,
        "data": None,
        "errorType": error_type,
        "errorInfo": None,
        "locations": [
            {"line": loc.line, "column": loc.column, "sourceName": None} for loc in err.locations or []
        ],
        "message": message,
    }
    return shaped


def _selection_list(info) -> list[str]:
    names: list[str] = []

    def walk(selection_set, prefix: str):
        for sel in getattr(selection_set, "selections", None) or ():
            name = getattr(getattr(sel, "name", None), "value", None)
            if not name or name.startswith("__"):
                continue
            names.append(prefix + name)
            if sel.selection_set:
                walk(sel.selection_set, prefix + name + "/")

    for node in info.field_nodes:
        walk(node.selection_set, "")
    return names


def _context(function: str, request_id: str):
    return SimpleNamespace(aws_request_id=request_id, function_name=f"bookingchat-local-{function}")


GRAPHIQL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Booking Chat · local GraphQL</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;display:grid;grid-template-columns:1fr 1fr;height:100vh}
section{display:flex;flex-direction:column;padding:8px;gap:6px;min-height:0}
textarea,pre{font:13px ui-monospace,monospace;border:1px solid #bbb;border-radius:4px;padding:6px;margin:0}
textarea{flex:1}pre{flex:1;overflow:auto;background:#f6f6f6}
label{font-weight:600}button{padding:6px 14px;font-weight:600}
</style></head><body>
<section><label for="q">Query</label><textarea id="q">__QUERY__</textarea>
<label for="v">Variables (JSON)</label><textarea id="v" style="flex:0 0 60px">{}</textarea>
<label for="a">Authorization: a tenant API key (widget operations) or a Cognito ID token (admin)</label>
<input id="a" value="__KEY__">
<button id="run">Run ▶</button></section>
<section><label for="out">Result</label><pre id="out" aria-live="polite"></pre></section>
<script>
document.getElementById('run').onclick = async () => {
  const h = {'content-type': 'application/json'};
  const a = document.getElementById('a').value;
  if (a) h['authorization'] = a;
  let variables = {};
  try { variables = JSON.parse(document.getElementById('v').value || '{}'); } catch (e) {
    document.getElementById('out').textContent = 'variables: ' + e; return; }
  const r = await fetch(location.pathname, {method: 'POST', headers: h,
    body: JSON.stringify({query: document.getElementById('q').value, variables})});
  document.getElementById('out').textContent = r.status + '\\n' + JSON.stringify(await r.json(), null, 2);
};
</script></body></html>
"""
DEFAULT_QUERY = "query TenantConfig {\n  tenantConfig { tenantId name greeting locale timeZone themeColor }\n  services { id name durationMinutes }\n}\n"


class _Handler(BaseHTTPRequestHandler):
    server_version = "LocalAppSync/1.0"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    api: Api
    demo_key: str = ""

    def log_message(self, format, *args):  # noqa: A002 — quiet: the panel shows the state
        pass

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header(
            "Access-Control-Allow-Headers",
            "content-type, x-api-key, authorization, x-amz-date, x-amz-security-token, x-amz-user-agent",
        )
        self.send_header("Access-Control-Max-Age", "86400")

    def _send(self, status: int, body: bytes, ctype: str, request_id: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if request_id:
            self.send_header("x-amzn-RequestId", request_id)
        self._cors()
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: dict, request_id: str) -> None:
        self._send(status, json.dumps(data).encode(), "application/json; charset=UTF-8", request_id)

    def do_OPTIONS(self):  # noqa: N802
        self.send_response(200)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):  # noqa: N802
        if self.path.split("?")[0].rstrip("/") not in ("", "/graphql", "/graphiql"):
            return self._send(404, b"not found", "text/plain")
        page = GRAPHIQL.replace("__QUERY__", DEFAULT_QUERY).replace("__KEY__", self.demo_key)
        self._send(200, page.encode(), "text/html; charset=utf-8")

    def do_POST(self):  # noqa: N802
        request_id = str(uuid.uuid4())
        if self.path.split("?")[0].rstrip("/") != "/graphql":
            return self._send(404, b"not found", "text/plain")
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
        except ValueError as err:
            return self._json(
                400,
                {"errors": [{"errorType": "MalformedHttpRequestException", "message": str(err)}]},
                request_id,
            )
        identity = self.api.identify(headers, body, request_id)
        if identity is None:
            return self._json(401, UNAUTHORIZED_BODY, request_id)
        self._json(200, self.api.execute(body, identity, headers, request_id), request_id)


@dataclass
class LocalAppSync:
    """A running server; `url` is the GraphQL endpoint."""

    host: str
    port: int
    api: Api
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/graphql"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def start(
    port: int = 4000,
    *,
    aws_endpoint: str = "",
    user_pool_id: str = "",
    api_id: str = "local",
    demo_key: str = "",
    host: str = "127.0.0.1",
    limits=None,
) -> LocalAppSync:
    """Serve the API on host:port (0 = a free port). Handlers run in this process: set TABLE_NAME,
    ENV_NAME and AWS_ENDPOINT_URL in os.environ first (local_dev does)."""
    if port and not port_is_free(port):
        raise UserError(
            f"port {port} (the local AppSync) is already in use",
            "stop what uses it (another ./inv local-dev?)",
        )
    verifier = CognitoVerifier(aws_endpoint, user_pool_id) if aws_endpoint and user_pool_id else None
    if limits is None:
        from orchestrator.quality import api_limits

        limits = api_limits.for_environment("local")
    api = Api(verifier=verifier, api_id=api_id, limits=limits)
    handler = type("Handler", (_Handler,), {"api": api, "demo_key": demo_key})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="local-appsync", daemon=True)
    thread.start()
    return LocalAppSync(host, server.server_address[1], api, server, thread)
