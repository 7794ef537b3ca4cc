"""`./inv admin-create ENV --tenant T --email E`: a tenant admin through the one creation path.

Thin: finds the environment's user pool and table (the data stack's outputs; in the sandbox the
pool moto skipped is made from infra/data.yaml), then calls `backend.admins.create_admin`,
which creates the Cognito user with declared attributes only and writes the admin record.
A refusal of the backend (bad email, unknown tenant, undeclared attribute) is a UserError.
"""

from __future__ import annotations

from orchestrator.errors import UserError


def pool_and_table(env_name: str) -> tuple[str, str, str]:
    """(user pool id, table name, region) of an environment's deployed data stack."""
    from orchestrator import environments
    from orchestrator.engine import target
    from orchestrator.local import sandbox

    env = environments.load(env_name)
    stack = env.stack_name("data")
    outputs = target.stack_outputs(stack)
    if sandbox.active():
        outputs = sandbox.emulate("data", stack, {"EnvName": env_name}, outputs)
    if not outputs.get("UserPoolId") or not outputs.get("TableName"):
        raise UserError(
            f"stack {stack} names no user pool or table", f"deploy it with ./inv deploy {env_name}"
        )
    return outputs["UserPoolId"], outputs["TableName"], env.region


def create(env_name: str, tenant_id: str, email: str, *, invite: bool = True):
    """Create the admin; returns backend.admins.CreatedAdmin."""
    from backend import admins, runtime
    from backend.errors import GraphQLUserError
    from orchestrator.adapters import aws

    if not tenant_id:
        raise UserError(
            "which tenant? --tenant is required",
            "e.g. ./inv admin-create dev --tenant acme-dental --email a@b.com",
        )
    pool_id, table, region = pool_and_table(env_name)
    idp = aws.client("cognito-idp", region)
    try:
        with runtime.using_table(table):
            return admins.create_admin(pool_id, tenant_id, email, invite=invite, idp=idp)
    except GraphQLUserError as err:
        raise UserError(err.message, "nothing was created; fix the input and run it again") from None
