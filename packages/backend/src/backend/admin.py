"""The admin function: the admin panel's operations, authorised by the Cognito user pool.

A tenant admin acts on the tenant of their `custom:tenantId` claim, and only when the tenant's
admin records name them (backend.appsync.admin). `createTenant` and `setPlan` are for the
`platform-admin` group; `setPlan` is the one operation whose tenant an argument names.
"""

from __future__ import annotations

import re

from backend import appsync
from backend.errors import BadInput

MAX_RANGE_DAYS = 92


def bookings(event: dict) -> list[dict]:
    from backend import scheduling, store

    who = appsync.admin(event)
    args = event.get("arguments") or {}
    start, end = _when(args.get("from")), _when(args.get("to"))
    if end < start:
        raise BadInput("'to' is before 'from'")
    if (end - start).days > MAX_RANGE_DAYS:
        raise BadInput(f"ask for at most {MAX_RANGE_DAYS} days at a time")
    tenant = store.get_tenant(who.tenant_id)
    found = store.list_bookings(who.tenant_id, start, end)
    return [scheduling.booking_view(b, tenant) for b in found]


def cancel_booking(event: dict) -> dict:
    from backend import scheduling, store

    who = appsync.admin(event)
    booking_id = (event.get("arguments") or {}).get("id", "")
    booking = store.cancel_booking(who.tenant_id, booking_id)
    return scheduling.booking_view(booking, store.get_tenant(who.tenant_id))


def rotate_api_key(event: dict) -> dict:
    from backend import store

    who = appsync.admin(event)
    key_id, plain = store.rotate_api_key(who.tenant_id)
    return {"tenantId": who.tenant_id, "keyId": key_id, "apiKey": plain}


def set_plan(event: dict) -> dict:
    """A plan lifts a tenant's token limit, so only the platform's operators set it — on the
    tenant they name. A tenant admin is refused (AppSync checks the group first; so do we)."""
    from backend import store

    appsync.platform_admin(event, "changing a tenant's plan")
    args = event.get("arguments") or {}
    tenant_id = args.get("tenantId") or ""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", tenant_id):
        raise BadInput(f"malformed tenant id {tenant_id!r}")
    tenant = store.set_plan(tenant_id, args.get("plan", ""))
    return {"tenantId": tenant_id, "plan": tenant["plan"], "monthlyTokenLimit": store.token_limit(tenant)}


def usage(event: dict) -> dict:
    from backend import store

    who = appsync.admin(event)
    tenant = store.get_tenant(who.tenant_id)
    return {
        **store.get_usage(who.tenant_id),
        "plan": tenant.get("plan", "FREE"),
        "monthlyTokenLimit": store.token_limit(tenant),
    }


def create_tenant(event: dict) -> dict:
    from backend import scheduling, store
    from backend.tenants import new_tenant

    appsync.platform_admin(event, "creating a tenant")
    tenant_id, plain = new_tenant((event.get("arguments") or {}).get("input") or {})
    tenant = store.get_tenant(tenant_id)
    key_id = store.API_KEY.match(plain).group(1)
    return {
        "tenant": scheduling.tenant_view(tenant),
        "apiKey": {"tenantId": tenant_id, "keyId": key_id, "apiKey": plain},
    }


def _when(text):
    import datetime as dt

    if not isinstance(text, str) or not re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        raise BadInput(f"malformed date-time {text!r}; use e.g. 2026-12-01T00:00:00Z")
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"malformed date-time {text!r}") from None
    if moment.tzinfo is None:
        raise BadInput(f"{text!r} needs a time zone (Z or +01:00)")
    return moment


RESOLVERS = {
    "bookings": bookings,
    "cancelBooking": cancel_booking,
    "rotateApiKey": rotate_api_key,
    "setPlan": set_plan,
    "usage": usage,
    "createTenant": create_tenant,
}


def handler(event, context=None):
    return appsync.dispatch(event, context, RESOLVERS)
