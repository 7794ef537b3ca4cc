"""`reportClientEvent`: the widget's client health, counted per widget version (and tenant).

One source of client health for the canary judge: the widget app reports one boot per load and
its errors and failed chat turns (batched); this resolver turns each report into the EMF counters
`WidgetBoots` / `WidgetErrors` (backend.observability.widget_counts). The tenant is the one the
Lambda authorizer resolved from the key, never an argument.

The key is public, so the input is bounded: a strict version string (it becomes a metric
dimension value, and each distinct value is a new CloudWatch series) and a count from 1 to
MAX_COUNT per call. Per-request and per-IP limits are the public key's own (AppSync's depth and
resolver-count limits, the WAF rate rule: quality/api_limits.py); no extra DynamoDB counter, so
the bookings role keeps its read-only table access.
"""

from __future__ import annotations

import re

from backend import appsync
from backend.errors import BadInput

MAX_COUNT = 50  # one batch of one kind; the widget flushes well before this
# Used with fullmatch: a "$" anchor would let a trailing newline into the dimension value.
VERSION = re.compile(r"\d{1,4}\.\d{1,4}\.\d{1,4}(?:-[0-9A-Za-z]{1,20}(?:\.[0-9A-Za-z]{1,20}){0,3})?")
KINDS = {"BOOT": "boots", "ERROR": "errors", "FAILED_TURN": "errors"}  # failed turns count as errors


def parse(arguments: dict) -> tuple[str, str, int]:
    """(version, kind, count) from the mutation's input, or BadInput saying what is wrong."""
    data = (arguments or {}).get("input") or {}
    version, kind, count = data.get("widgetVersion"), data.get("kind"), data.get("count", 1)
    if not isinstance(version, str) or not VERSION.fullmatch(version):
        raise BadInput("widgetVersion must be a release version such as 1.4.0 or 1.5.0-beta.2")
    if kind not in KINDS:
        raise BadInput(f"kind must be one of {', '.join(KINDS)}")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise BadInput(f"count must be a whole number from 1 to {MAX_COUNT}")
    return version, kind, count


def report_client_event(event: dict) -> bool:
    from backend.observability import widget_counts

    tenant_id = appsync.widget_tenant(event)
    version, kind, count = parse(event.get("arguments") or {})
    boots = count if KINDS[kind] == "boots" else 0
    widget_counts(tenant_id, version, boots=boots, errors=count - boots)
    return True
