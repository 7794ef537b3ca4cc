"""`observability.json` at the root of an environment's widget bucket: what the widget reads at run
time to decide whether, and where, to report its errors (widget/src/app/observability.js).

The widget is built once and promoted as the same bytes, so the DSN is per environment and lives
here, never in the bundle. No object (or no DSN in it) → the widget never loads the Sentry SDK.
A DSN is public by design (it only allows sending events), so it may sit on the CDN.
"""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from orchestrator.adapters import cdn
from orchestrator.observability.settings import SentrySettings

KEY = "observability.json"
CACHE = "public, max-age=300"  # a DSN change reaches every visitor within minutes, like a channel move


def body(env: str, dsn: str, sample_rate: float) -> bytes:
    """The config the widget reads: pure, so a test can hold it against the widget's parser."""
    data = {"sentry": {"dsn": dsn, "environment": env, "sampleRate": sample_rate}} if dsn else {}
    return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()


def dsn_from_ssm(parameter: str) -> str:
    """The DSN the environment keeps in SSM ('' when the parameter does not exist)."""
    from orchestrator.adapters import aws

    try:
        value = aws.client("ssm").get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]
    except ClientError as err:
        if err.response["Error"]["Code"] == "ParameterNotFound":
            return ""
        raise
    return value.strip()


def publish(widget_bucket: str, env: str, dsn: str, sample_rate: float) -> bytes:
    data = body(env, dsn, sample_rate)
    cdn.s3().put_object(
        Bucket=widget_bucket, Key=KEY, Body=data, ContentType="application/json", CacheControl=CACHE
    )
    return data


def publish_for(widget_bucket: str, s: SentrySettings) -> bytes:
    """The environment's config as its settings say: the DSN from SSM when on, nothing when off."""
    dsn = dsn_from_ssm(s.dsn_parameter) if s.enabled else ""
    return publish(widget_bucket, s.env, dsn, s.widget_sample_rate)
