"""Error reports to Sentry from the Lambdas: on only when the environment's DSN parameter holds a DSN.

The DSN is never in the code or the template: `SENTRY_DSN_PARAM` names an SSM parameter of the
environment (infra/environments/*.toml `[sentry] dsn_parameter`), read once per container on the
first report. No parameter name, a missing parameter or one without a DSN → the SDK is never
initialised and nothing is sent (deleting the parameter stops reports without a deploy). Reports carry `release` = booking-chat-backend@<BACKEND_VERSION>, the environment,
and the colour and tenant as tags.

Only surprises are reported (the resolver dispatcher's catch-all, see appsync.dispatch): GraphQL
user errors are answers, not bugs. What leaves is scrubbed twice: the SDK's recursive
EventScrubber on key names, and `before_send` removing local variables, request bodies, AppSync
arguments and any string quoting the request's own texts (chat messages, names, phones, e-mails).
"""

from __future__ import annotations

import contextvars
import functools
import os
import re

RELEASE_PREFIX = "booking-chat-backend@"
REDACTED = "[redacted]"
_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail
    re.compile(r"\bda2-[a-z0-9]{20,}\b", re.I),  # AppSync API key
    re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]+"),  # JWT
    re.compile(r"(?:\+|\b)\d[\d ().-]{6,}\d\b"),  # phone numbers
]
_MIN_SECRET = 3
# The texts of the request being reported: before_send runs on the capturing thread, inside capture().
_secrets: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("sentry_secrets", default=())


def release() -> str:
    return RELEASE_PREFIX + os.environ.get("BACKEND_VERSION", "0.0.0-dev")


@functools.cache
def _dsn() -> str:
    """The environment's DSN from SSM ('' = reporting off). Cached for the container's life."""
    name = os.environ.get("SENTRY_DSN_PARAM", "")
    if not name:
        return ""
    from backend import runtime

    try:
        value = runtime.ssm().get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    except Exception:  # a missing parameter or no permission: report nothing rather than fail requests
        return ""
    return value.strip() if value.strip().startswith(("https://", "http://")) else ""


@functools.cache
def _client_ready() -> bool:
    dsn = _dsn()
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.aws_lambda import AwsLambdaIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=dsn,
        release=release(),
        environment=os.environ.get("ENV_NAME", "local"),
        sample_rate=float(os.environ.get("SENTRY_SAMPLE_RATE", "1.0")),
        # Only what we name: no auto-enabled integrations patching boto3, threading or logging.
        default_integrations=False,
        auto_enabling_integrations=False,
        include_local_variables=False,  # frames' locals hold the chat text
        max_breadcrumbs=0,
        integrations=[AwsLambdaIntegration(timeout_warning=True)],
        event_scrubber=EventScrubber(
            recursive=True,
            denylist=[*DEFAULT_DENYLIST, "x-api-key", "apikey", "text", "customername", "phone"],
        ),
        before_send=before_send,
    )
    return True


def reset() -> None:
    """Forget the cached DSN and client (tests; a new container starts this way anyway)."""
    _dsn.cache_clear()
    _client_ready.cache_clear()


def _texts(value, out: list[str]) -> list[str]:
    if isinstance(value, str):
        if len(value.strip()) >= _MIN_SECRET:
            out.append(value.strip())
    elif isinstance(value, dict):
        for v in value.values():
            _texts(v, out)
    elif isinstance(value, list | tuple):
        for v in value:
            _texts(v, out)
    return out


def scrub_string(value: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        value = value.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        value = pattern.sub(REDACTED, value)
    return value


_KEEP = {
    "event_id",
    "timestamp",
    "platform",
    "release",
    "environment",
    "sdk",
    "level",
    "server_name",
    "modules",
}


def _scrub(value, secrets, depth=0):
    if isinstance(value, str):
        return scrub_string(value, secrets)
    if depth > 10:
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, secrets, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, secrets, depth + 1) for v in value]
    return value


def before_send(event: dict, hint: dict | None = None) -> dict:
    """Drop what can hold private data, then redact the request's own texts wherever they appear."""
    secrets = list(_secrets.get())
    event.pop("user", None)
    event.pop("breadcrumbs", None)
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {k: v for k, v in request.items() if k in ("url", "method")}
    (event.get("extra") or {}).pop("lambda", None)  # the integration's copy of the raw event
    for exc in (event.get("exception") or {}).get("values") or []:
        for frame in (exc.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    return {k: (v if k in _KEEP else _scrub(v, secrets)) for k, v in event.items()}


def capture(exc: BaseException, event: dict | None = None, tenant_id: str | None = None) -> bool:
    """Report `exc` from a resolver; True when it was sent. Never raises."""
    try:
        if not _client_ready():
            return False
        import sentry_sdk

        event = event or {}
        with sentry_sdk.new_scope() as scope:
            scope.set_tag("colour", os.environ.get("COLOUR", "none"))
            scope.set_tag("tenant", tenant_id or "unknown")
            scope.set_tag("field", (event.get("info") or {}).get("fieldName") or "unknown")
            token = _secrets.set(tuple(_texts(event.get("arguments") or {}, [])))
            try:
                sentry_sdk.capture_exception(exc)
            finally:
                _secrets.reset(token)
        sentry_sdk.flush(timeout=2)  # the container may freeze right after the response
        return True
    except Exception:
        return False
