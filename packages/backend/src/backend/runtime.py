"""Configuration from the environment and AWS clients, created lazily.

Nothing here runs at import time: a cold start pays for a client only when a request needs it.
Clients are cached per process (thread-safe low-level clients, shared by a warm container).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import threading
import time

DEFAULT_MODEL_ID = "anthropic.claude-3-5-haiku-20241022-v1:0"


_table_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("table", default=None)


@contextlib.contextmanager
def using_table(name: str):
    """Point this thread's store calls at `name` (seeding, tools) without touching os.environ."""
    token = _table_override.set(name)
    try:
        yield
    finally:
        _table_override.reset(token)


def table_name() -> str:
    name = _table_override.get() or os.environ.get("TABLE_NAME")
    if not name:
        raise RuntimeError("TABLE_NAME is not set (the Lambda's environment names its DynamoDB table)")
    return name


def env_name() -> str:
    return os.environ.get("ENV_NAME", "local")


def model_id() -> str:
    return os.environ.get("MODEL_ID") or DEFAULT_MODEL_ID


def ai_engine() -> str:
    """converse (default) or agent: which Bedrock API the chat's AI uses ([ai] engine per environment)."""
    return "agent" if os.environ.get("AI_ENGINE", "converse").strip().lower() == "agent" else "converse"


def agent_alias() -> tuple[str, str]:
    """(agentId, agentAliasId) from AGENT_ALIAS_ARN (arn:…:agent-alias/AGENT/ALIAS); ValueError if unset."""
    arn = os.environ.get("AGENT_ALIAS_ARN", "")
    _, _, path = arn.partition(":agent-alias/")
    agent_id, _, alias_id = path.partition("/")
    if not agent_id or not alias_id:
        raise ValueError(f"AGENT_ALIAS_ARN is not an agent alias ARN: {arn!r}")
    return agent_id, alias_id


def disable_ia_param() -> str:
    return os.environ.get("DISABLE_IA_PARAM") or f"/bookingchat/{env_name()}/DISABLE_IA"


@functools.cache
def _client(service: str, connect_timeout: float, read_timeout: float, attempts: int):
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"max_attempts": attempts, "mode": "standard"},
        max_pool_connections=25,
    )
    return boto3.client(service, config=config)


def dynamodb():
    return _client("dynamodb", 3, 10, 3)


def ssm():
    return _client("ssm", 2, 2, 2)


def cognito():
    return _client("cognito-idp", 3, 10, 3)


def bedrock_timeout() -> float:
    return float(os.environ.get("BEDROCK_TIMEOUT_SECONDS", "12"))


def bedrock(read_timeout: float | None = None):
    """The Bedrock Runtime client, its read timeout at most `read_timeout` seconds.

    A slow model must not eat the turn's budget: it times out and the guided flow answers.
    Shorter timeouts are whole seconds (at least 1), so a warm container caches a handful of
    clients; without a shorter one this is the same client every call (tests stub that one).
    """
    limit = bedrock_timeout()
    if read_timeout is not None and read_timeout < limit:
        limit = float(max(1, int(read_timeout)))
    return _client("bedrock-runtime", min(2, limit), limit, 1)


def bedrock_agent_runtime(read_timeout: float | None = None):
    """The Bedrock Agents runtime client (InvokeAgent), with the same timeout rule as `bedrock`."""
    limit = bedrock_timeout()
    if read_timeout is not None and read_timeout < limit:
        limit = float(max(1, int(read_timeout)))
    return _client("bedrock-agent-runtime", min(2, limit), limit, 1)


def reset() -> None:
    """Forget cached clients and parameters (tests, or after the endpoint changes)."""
    _client.cache_clear()
    with _flag_lock:
        _flags.clear()


# ── DISABLE_IA, read from SSM with a short cache ─────────────────────────────────────────────

_flags: dict[str, tuple[bool, float]] = {}
_flag_lock = threading.Lock()


def ia_disabled() -> bool:
    """True when the environment's DISABLE_IA parameter says so (cached for a few seconds).

    A missing parameter means the AI is on; an unreadable one (SSM down) keeps the last value,
    or turns the AI off when there is none — the guided flow always works.
    """
    name = disable_ia_param()
    ttl = float(os.environ.get("DISABLE_IA_TTL_SECONDS", "30"))
    now = time.monotonic()
    with _flag_lock:
        cached = _flags.get(name)
    if cached and cached[1] > now:
        return cached[0]
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        value = ssm().get_parameter(Name=name)["Parameter"]["Value"]
        disabled = value.strip().lower() in ("true", "1", "yes", "on")
    except ClientError as err:
        if err.response["Error"]["Code"] != "ParameterNotFound":
            disabled = cached[0] if cached else True
        else:
            disabled = False
    except BotoCoreError:
        disabled = cached[0] if cached else True
    with _flag_lock:
        _flags[name] = (disabled, now + ttl)
    return disabled
