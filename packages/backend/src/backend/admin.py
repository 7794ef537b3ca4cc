"""The admin function: the admin panel's operations, authorised by the Cognito user pool.

The tenant is the `custom:tenantId` claim of the signed-in user; `createTenant` also needs the
`platform-admin` group. Arguments never choose the tenant.
"""

from __future__ import annotations

import re

from backend import appsync
from backend.errors import BadInput, Unauthorized

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
    from backend import store

    who = appsync.admin(event)
    tenant = store.set_plan(who.tenant_id, (event.get("arguments") or {}).get("plan", ""))
    return {"tenantId": who.tenant_id, "plan": tenant["plan"], "monthlyTokenLimit": store.token_limit(tenant)}


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

    who = appsync.admin(event)
    if appsync.PLATFORM_ADMIN_GROUP not in who.groups:
        raise Unauthorized("creating a tenant needs the platform-admin group")
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
