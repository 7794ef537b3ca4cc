"""AppSync resolver events: the caller's identity, field dispatch, and error shaping.

The tenant id always comes from the identity — the authorizer's `resolverContext` for widget
calls, the `custom:tenantId` claim for admin calls, honoured only when the tenant's admin
records (DynamoDB, `TENANT#<id> / ADMIN#<sub>`) name the signed-in user — never from arguments.
Platform admins (group `platform-admin`) act on the tenant an argument names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backend.errors import GraphQLUserError, InternalError, Unauthorized

PLATFORM_ADMIN_GROUP = "platform-admin"


@dataclass(frozen=True)
class Admin:
    tenant_id: str  # "" for a platform admin acting on no tenant of their own
    subject: str
    groups: tuple[str, ...]

    @property
    def platform(self) -> bool:
        return PLATFORM_ADMIN_GROUP in self.groups


def widget_tenant(event: dict) -> str:
    """The tenant a widget call acts for: set by the Lambda authorizer, never by the caller."""
    identity = event.get("identity") or {}
    tenant_id = (identity.get("resolverContext") or {}).get("tenantId")
    if not tenant_id:
        raise Unauthorized("this operation needs a tenant API key")
    return tenant_id


def signed_in(event: dict) -> Admin:
    """The Cognito user behind a user-pool call, as its (signed) token names them.

    The groups are trusted: only an operator (AdminAddUserToGroup) changes them. The
    `custom:tenantId` claim is only a hint — `admin` checks it against the admin records."""
    identity = event.get("identity") or {}
    claims = identity.get("claims") or {}
    subject = claims.get("sub") or identity.get("sub")
    if not subject:
        raise Unauthorized("this operation needs a signed-in admin (Cognito user pool)")
    groups = claims.get("cognito:groups") or identity.get("groups") or []
    if isinstance(groups, str):
        groups = [g for g in groups.replace(",", " ").split() if g]
    return Admin(tenant_id=claims.get("custom:tenantId") or "", subject=subject, groups=tuple(groups))


def admin(event: dict) -> Admin:
    """The admin of a tenant: the claimed tenant must hold an admin record for this user.

    A user who rewrote their `custom:tenantId` (the embedded Cognito allows it; a pool that
    declares the attribute immutable does not) names a tenant with no record of them: refused."""
    from backend import store

    who = signed_in(event)
    if not who.tenant_id:
        raise Unauthorized("this operation needs an admin user of a tenant (Cognito, custom:tenantId)")
    if not store.is_admin(who.tenant_id, who.subject):
        raise Unauthorized(f"this user is not an admin of tenant {who.tenant_id!r}")
    return who


def platform_admin(event: dict, what: str) -> Admin:
    """A member of the platform-admin group (AppSync checks the field's directive too)."""
    who = signed_in(event)
    if not who.platform:
        raise Unauthorized(f"{what} needs the {PLATFORM_ADMIN_GROUP} group")
    return who


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
    except Exception as exc:
        log.exception("resolver failed")
        from backend import error_reports

        error_reports.capture(exc, event, _tenant_hint(event))
        raise InternalError(f"something went wrong on our side (request {rid})") from None


def _tenant_hint(event: dict) -> str | None:
    identity = event.get("identity") or {}
    return (identity.get("resolverContext") or {}).get("tenantId") or (identity.get("claims") or {}).get(
        "custom:tenantId"
    )
