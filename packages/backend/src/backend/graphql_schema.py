"""AppSync's built-in scalars and directives, declared once, and the schema loader.

AppSync refuses these declarations in an uploaded schema (they are built in), yet graphql-core
needs them to load `infra/graphql/schema.graphql`. The local AppSync server, the release's
schema-compatibility check and the tests all load the schema through `load_schema` so the
three agree. The scalars validate like AppSync does, so the local server rejects what AWS would.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

SCHEMA_PATH = Path(__file__).resolve().parents[4] / "infra" / "graphql" / "schema.graphql"

APPSYNC_SCALARS = (
    "AWSDate",
    "AWSTime",
    "AWSDateTime",
    "AWSTimestamp",
    "AWSEmail",
    "AWSJSON",
    "AWSURL",
    "AWSPhone",
    "AWSIPAddress",
)

APPSYNC_DECLARATIONS = "\n".join(
    [*(f"scalar {name}" for name in APPSYNC_SCALARS)]
    + [
        "directive @aws_api_key on FIELD_DEFINITION | OBJECT",
        "directive @aws_iam on FIELD_DEFINITION | OBJECT",
        "directive @aws_oidc on FIELD_DEFINITION | OBJECT",
        "directive @aws_lambda on FIELD_DEFINITION | OBJECT",
        "directive @aws_cognito_user_pools(cognito_groups: [String]) on FIELD_DEFINITION | OBJECT",
        "directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION",
        "directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION",
        "directive @aws_publish(subscriptions: [String]) on FIELD_DEFINITION",
    ]
)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$")
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_date(value):
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError(f"AWSDate must look like 2026-12-31, got {value!r}")
    dt.date.fromisoformat(value[:10])
    return value


def _check_datetime(value):
    if not isinstance(value, str) or "T" not in value:
        raise ValueError(f"AWSDateTime must look like 2026-12-31T10:00:00Z, got {value!r}")
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"AWSDateTime needs a time zone offset or Z, got {value!r}")
    return value


def _check_time(value):
    if not isinstance(value, str) or not _TIME.match(value):
        raise ValueError(f"AWSTime must look like 10:30:00, got {value!r}")
    return value


def _check_email(value):
    if not isinstance(value, str) or not _EMAIL.match(value):
        raise ValueError(f"AWSEmail must be an e-mail address, got {value!r}")
    return value


def _check_timestamp(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"AWSTimestamp must be seconds since the epoch, got {value!r}")
    return value


def _parse_json(value):
    if isinstance(value, str):
        json.loads(value)
        return value
    return json.dumps(value)


_VALIDATORS = {
    "AWSDate": _check_date,
    "AWSDateTime": _check_datetime,
    "AWSTime": _check_time,
    "AWSEmail": _check_email,
    "AWSTimestamp": _check_timestamp,
    "AWSJSON": _parse_json,
}


def load_schema_text(sdl: str):
    """Build a graphql-core schema from AppSync SDL text (e.g. an older version out of git)."""
    from graphql import build_schema, value_from_ast_untyped

    schema = build_schema(APPSYNC_DECLARATIONS + "\n" + sdl)
    for name, check in _VALIDATORS.items():
        scalar = schema.type_map[name]
        # graphql-core 3.3 coerces through coerce_input_*; parse_* kept for older callers.
        scalar.coerce_input_value = scalar.parse_value = check
        scalar.coerce_input_literal = lambda node, _check=check: _check(value_from_ast_untyped(node))
        scalar.parse_literal = lambda node, variables=None, _check=check: _check(
            value_from_ast_untyped(node, variables)
        )
    return schema


def load_schema(path: str | Path | None = None):
    """Load `infra/graphql/schema.graphql` (or `path`) as a `graphql.GraphQLSchema`."""
    return load_schema_text(Path(path or SCHEMA_PATH).read_text(encoding="utf-8"))
