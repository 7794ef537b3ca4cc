"""The AppSync Lambda authorizer: a tenant API key in, the tenant id out.

Keys are stored only as SHA-256 hashes (see `store.tenant_for_api_key`); a rotated, unknown or
malformed key is refused. Deploys never touch the keys, so tenants keep working across releases.

The key is public, so refusals must be cheap: AppSync's IdentityValidationExpression (api.yaml)
stops junk before this function runs, a malformed key is refused here before any DynamoDB
call, and a refusal is cached like an acceptance (a rotated key is a new token, so a cached
refusal never hides a key that became valid).
"""

from __future__ import annotations

from backend.functions import RESOLVERS

TTL_SECONDS = 300
# Defence in depth: a widget key never reaches admin fields, even if a directive is forgotten.
DENIED_FIELDS = sorted(f"{parent}.{field}" for (parent, field), fn in RESOLVERS.items() if fn == "admin")


def handler(event, context=None):
    from backend import store
    from backend.observability import logger

    token = (event or {}).get("authorizationToken") or ""
    request = (event or {}).get("requestContext") or {}
    tenant_id = store.tenant_for_api_key(token.strip()) if isinstance(token, str) else None
    log = logger()
    log.append_keys(request_id=request.get("requestId"), tenant_id=tenant_id)
    if tenant_id is None:
        log.info("api key refused", extra={"operation": request.get("operationName")})
        return {"isAuthorized": False, "ttlOverride": TTL_SECONDS}
    log.info("api key accepted", extra={"operation": request.get("operationName")})
    return {
        "isAuthorized": True,
        "resolverContext": {"tenantId": tenant_id},
        "deniedFields": DENIED_FIELDS,
        "ttlOverride": TTL_SECONDS,
    }
