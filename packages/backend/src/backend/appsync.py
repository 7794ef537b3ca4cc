"""AppSync resolver events: the caller's identity, field dispatch, and error shaping.

The tenant id always comes from the identity — the authorizer's `resolverContext` for widget
calls, the `custom:tenantId` claim for admin calls — never from arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backend.errors import GraphQLUserError, InternalError, Unauthorized

PLATFORM_ADMIN_GROUP = "platform-admin"


@dataclass(frozen=True)
class Admin:
    tenant_id: str
    subject: str
    groups: tuple[str, ...]


def widget_tenant(event: dict) -> str:
    """The tenant a widget call acts for: set by the Lambda authorizer, never by the caller."""
    identity = event.get("identity") or {}
    tenant_id = (identity.get("resolverContext") or {}).get("tenantId")
    if not tenant_id:
        raise Unauthorized("this operation needs a tenant API key")
    return tenant_id


def admin(event: dict) -> Admin:
    """The admin user behind a Cognito user pool call, with the tenant from its claims."""
    identity = event.get("identity") or {}
    claims = identity.get("claims") or {}
    tenant_id = claims.get("custom:tenantId")
    subject = claims.get("sub") or identity.get("sub")
    if not subject or not tenant_id:
        raise Unauthorized("this operation needs an admin user of a tenant (Cognito, custom:tenantId)")
    groups = claims.get("cognito:groups") or identity.get("groups") or []
    if isinstance(groups, str):
        groups = [g for g in groups.replace(",", " ").split() if g]
    return Admin(tenant_id=tenant_id, subject=subject, groups=tuple(groups))


def request_id(event: dict, context) -> str:
    rid = getattr(context, "aws_request_id", None)
    if rid:
        return rid
    headers = (event.get("request") or {}).get("headers") or {}
    return headers.get("x-amzn-requestid") or headers.get("x-amzn-trace-id") or "local"


def dispatch(event: dict, context, resolvers: dict[str, Callable[[dict], object]]):
    """Run the resolver for `info.fieldName`; turn surprises into InternalError (no stack trace)."""
    from backend.observability import logger

    log = logger()
    info = event.get("info") or {}
    field = info.get("fieldName")
    rid = request_id(event, context)
    log.append_keys(request_id=rid, field=field, tenant_id=_tenant_hint(event))
    fn = resolvers.get(field)
    if fn is None:
        raise InternalError(f"this function does not resolve the field {field!r}")
    try:
        return fn(event)
    except GraphQLUserError as err:
        log.info("refused", extra={"error_type": err.error_type, "reason": err.message})
        raise
    except Exception:
        log.exception("resolver failed")
        raise InternalError(f"something went wrong on our side (request {rid})") from None


def _tenant_hint(event: dict) -> str | None:
    identity = event.get("identity") or {}
    return (identity.get("resolverContext") or {}).get("tenantId") or (identity.get("claims") or {}).get(
        "custom:tenantId"
    )
