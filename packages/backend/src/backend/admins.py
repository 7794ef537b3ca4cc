"""Creating a tenant's admin: the Cognito user (declared attributes only) and its admin record.

The one path every caller takes — `./inv admin-create` (orchestrator.board.admins), local-dev's demo
admins, the tests. Two writes, in this order:

1. `AdminCreateUser` with `email`, `email_verified` and `custom:tenantId` — attributes the pool
   declares (infra/data.yaml). AWS refuses undeclared custom attributes; the embedded AWS does
   not, so `require_declared` checks the pool first and refuses the same way on both.
2. the admin record `TENANT#<tenant> / ADMIN#<sub>` (store.put_admin). The record, not the
   token's attribute, grants access (backend.appsync.admin).

A user that already exists for the same tenant is not an error (its record is written again),
so a rerun after a failure between 1 and 2 completes the admin. Input is checked before either
write, so bad input writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.errors import BadInput

TENANT_ATTRIBUTE = "custom:tenantId"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z0-9-]{2,}$")


@dataclass(frozen=True)
class CreatedAdmin:
    tenant_id: str
    email: str
    subject: str  # the Cognito `sub`: the key of the admin record
    created: bool  # False: the user existed already; only its record was (re)written


def user_attributes(email: str, tenant_id: str) -> list[dict[str, str]]:
    """The attributes an admin is created with — every one declared by the pool (or standard)."""
    return [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
        {"Name": TENANT_ATTRIBUTE, "Value": tenant_id},
    ]


def require_declared(idp, user_pool_id: str, names: list[str]) -> None:
    """Refuse, as AWS would, custom attributes the pool does not declare; and a mutable tenant.

    A pool whose `custom:tenantId` can be rewritten is refused too: with it, an admin could
    point their next ID token at another tenant (the record check still stops that, but the
    pool is wrong and must be redeployed from infra/data.yaml)."""
    try:
        pool = idp.describe_user_pool(UserPoolId=user_pool_id)["UserPool"]
    except idp.exceptions.ResourceNotFoundException:
        raise BadInput(f"there is no user pool {user_pool_id}; deploy the data stack first") from None
    declared = {a["Name"]: a for a in pool.get("SchemaAttributes") or []}
    for name in names:
        if name.startswith("custom:") and name not in declared:
            raise BadInput(
                f"the user pool {user_pool_id} does not declare {name}; deploy infra/data.yaml to it first"
            )
    tenant = declared.get(TENANT_ATTRIBUTE)
    if tenant is not None and tenant.get("Mutable", True):
        raise BadInput(
            f"the user pool {user_pool_id} lets users rewrite {TENANT_ATTRIBUTE}; "
            "it must be immutable (deploy infra/data.yaml)"
        )


def create_admin(
    user_pool_id: str,
    tenant_id: str,
    email: str,
    *,
    invite: bool = True,
    idp=None,
) -> CreatedAdmin:
    """Make `email` an admin of `tenant_id`: the Cognito user and the admin record.

    `invite=False` suppresses Cognito's invitation mail (local dev sets a password itself)."""
    from backend import runtime, store

    idp = idp or runtime.cognito()
    email = (email or "").strip().lower()
    if not EMAIL.match(email):
        raise BadInput(f"{email!r} is not an email address; an admin signs in with their email")
    store.get_tenant(tenant_id)  # NotFound for an unknown tenant, before anything is written
    attributes = user_attributes(email, tenant_id)
    require_declared(idp, user_pool_id, [a["Name"] for a in attributes])
    extra = {"MessageAction": "SUPPRESS"} if not invite else {"DesiredDeliveryMediums": ["EMAIL"]}
    try:
        user = idp.admin_create_user(
            UserPoolId=user_pool_id, Username=email, UserAttributes=attributes, **extra
        )["User"]
        found, created = user.get("Attributes") or [], True
    except idp.exceptions.UsernameExistsException:
        found = idp.admin_get_user(UserPoolId=user_pool_id, Username=email)["UserAttributes"]
        created = False
    values = {a["Name"]: a["Value"] for a in found}
    if values.get(TENANT_ATTRIBUTE) != tenant_id:
        raise BadInput(
            f"{email} already signs in for tenant {values.get(TENANT_ATTRIBUTE)!r}; "
            "one user administers one tenant — use another email"
        )
    store.put_admin(tenant_id, values["sub"], email)
    return CreatedAdmin(tenant_id=tenant_id, email=email, subject=values["sub"], created=created)
