"""`./inv seed ENV`: an environment's tenants created by the tool, not by hand — idempotent.

- every environment gets the smoke tenant (infra/seed/smoke.toml); its API key is generated once,
  kept only in the SSM SecureString `/bookingchat/<env>/smoke-api-key` (what `./inv smoke`
  reads), and its hash goes to the table;
- environments with `seed.demo_tenants` (qa) also get the demo tenants of infra/seed/demo.toml;
  prod never does, whatever its file says.

It runs through the engine (lease, plan under it, journal, record); a second run finds
everything in place and changes nothing. The backend's own code (`backend.tenants`,
`backend.store`) writes the items, so they are exactly what the Lambdas read.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

from botocore.exceptions import ClientError

from orchestrator import environments
from orchestrator.adapters import aws
from orchestrator.adapters import cloudformation as cf
from orchestrator.deploy import rollout
from orchestrator.deploy.environment_records import RecordEvent
from orchestrator.engine import operation, runner, target
from orchestrator.engine.context import Ctx
from orchestrator.errors import UserError
from orchestrator.paths import INFRA

SMOKE_FILE = INFRA / "seed" / "smoke.toml"
DEMO_FILE = INFRA / "seed" / "demo.toml"
SMOKE_KEY_PARAM = "/bookingchat/{env}/smoke-api-key"  # the name orchestrator.board.smoke reads


def smoke_tenant() -> dict:
    with open(SMOKE_FILE, "rb") as fh:
        return tomllib.load(fh)["tenants"][0]


def demo_tenants() -> list[dict]:
    with open(DEMO_FILE, "rb") as fh:
        return tomllib.load(fh)["tenants"]


def wants_demo(env: environments.Environment) -> bool:
    return bool(env["seed.demo_tenants"]) and not env.is_prod


def table_name(env_name: str) -> str:
    t = rollout.target(env_name, lambda s: None)
    stack = t.config.stack_name("data")
    if cf.describe(t.cfn, stack) is None:
        raise UserError(
            f"{stack} is not deployed, so there is no table to seed", f"./inv deploy {env_name} first"
        )
    name = cf.outputs(t.cfn, stack).get("TableName") or f"bookingchat-{env_name}"
    return name


def _ssm(env_name: str):
    return aws.client("ssm", environments.load(env_name).region)


def smoke_key(env_name: str) -> str | None:
    try:
        name = SMOKE_KEY_PARAM.format(env=env_name)
        return _ssm(env_name).get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    except ClientError as err:
        if err.response["Error"]["Code"] == "ParameterNotFound":
            return None
        raise


def _tenant_exists(table: str, tenant_id: str) -> bool:
    from backend import runtime, store

    with runtime.using_table(table):
        try:
            store.get_tenant(tenant_id)
            return True
        except store.NotFound:
            return False


def _key_works(table: str, tenant_id: str, plain: str | None) -> bool:
    from backend import runtime, store

    with runtime.using_table(table):
        return plain is not None and store.tenant_for_api_key(plain) == tenant_id


def missing(env_name: str, table: str) -> dict:
    """What is not there yet: demo tenant ids, and whether the smoke tenant or its key is missing."""
    env = environments.load(env_name)
    demo = [t["id"] for t in demo_tenants() if not _tenant_exists(table, t["id"])] if wants_demo(env) else []
    tenant = smoke_tenant()["id"]
    smoke_ok = _tenant_exists(table, tenant) and _key_works(table, tenant, smoke_key(env_name))
    return {"demo": demo, "smoke": not smoke_ok}


class SeedDemoTenants:
    name = "seed-demo-tenants"

    def describe(self, ctx: Ctx) -> str:
        return f"write the demo tenants {', '.join(ctx.plan['demo'])} into {ctx.plan['table']}"

    def done(self, ctx: Ctx) -> bool:
        return not missing(ctx.plan["env"], ctx.plan["table"])["demo"]

    def apply(self, ctx: Ctx) -> dict:
        from backend import seed as demo

        return {"tenants": demo.seed(ctx.plan["table"], DEMO_FILE, create_table=False)}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("the demo tenants are not all in the table", "run the command again")


class SeedSmokeTenant:
    """The smoke tenant and its key: the SecureString first, then the hash — so a crash between
    the two is finished by the rerun with the same key, never leaves a second live key."""

    name = "seed-smoke-tenant"

    def describe(self, ctx: Ctx) -> str:
        return f"smoke tenant {ctx.plan['smoke_tenant']}, its key in {SMOKE_KEY_PARAM.format(env=ctx.plan['env'])}"

    def done(self, ctx: Ctx) -> bool:
        return not missing(ctx.plan["env"], ctx.plan["table"])["smoke"]

    def apply(self, ctx: Ctx) -> dict:
        from backend import runtime, store
        from backend.tenants import write_tenant

        env, table = ctx.plan["env"], ctx.plan["table"]
        tenant = smoke_tenant()
        plain = smoke_key(env)
        with runtime.using_table(table):
            if plain is None or store.tenant_for_api_key(plain) not in (None, tenant["id"]):
                _, plain = store.new_api_key()
                _ssm(env).put_parameter(
                    Name=SMOKE_KEY_PARAM.format(env=env),
                    Value=plain,
                    Type="SecureString",
                    Overwrite=True,
                    Description="API key of the smoke tenant (./inv seed writes it, ./inv smoke reads it)",
                )
            write_tenant(tenant["id"], tenant)
            try:
                key_id = store.store_api_key(tenant["id"], plain)
            except ClientError as err:
                if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                key_id = plain.split("_")[1]  # stored by the attempt that crashed
        return {"tenant": tenant["id"], "key_id": key_id}

    def verify(self, ctx: Ctx) -> None:
        if not self.done(ctx):
            raise UserError("the smoke tenant's key does not authenticate", "run the command again")


def plan(env_name: str) -> dict | None:
    table = table_name(env_name)
    todo = missing(env_name, table)
    if not todo["demo"] and not todo["smoke"]:
        return None
    steps = (["seed-demo-tenants"] if todo["demo"] else []) + (["seed-smoke-tenant"] if todo["smoke"] else [])
    return {
        "kind": "seed",
        "env": env_name,
        "table": table,
        "demo": todo["demo"],
        "smoke_tenant": smoke_tenant()["id"],
        "event": {
            "demo_tenants": todo["demo"],
            "smoke_tenant": smoke_tenant()["id"] if todo["smoke"] else None,
        },
        "steps": steps + ["record-environment"],
        "summary": f"seed {env_name}: "
        + ", ".join(
            ([f"demo tenants {', '.join(todo['demo'])}"] if todo["demo"] else [])
            + (["smoke tenant"] if todo["smoke"] else [])
        ),
    }


STEPS = {s.name: s for s in (SeedDemoTenants(), SeedSmokeTenant(), RecordEvent())}


def run(
    root: Path,
    env_name: str,
    *,
    dry_run: bool = False,
    push: bool = False,
    resume: str | None = None,
    echo: Callable[[str], None] = print,
    on_event: Callable[[runner.Event], None] = lambda e: None,
) -> dict:
    from orchestrator.deploy import backend_commands

    place = target.place(env_name)
    op = operation.Operation(
        kind="seed",
        env=env_name,
        request={"env": env_name},
        make_plan=lambda: plan(env_name),
        steps_for=lambda p: [STEPS[name] for name in p["steps"]],
        needs_cdn=False,
    )
    return backend_commands.execute(
        root, op, place, dry_run=dry_run, resume=resume, push=push, echo=echo, on_event=on_event
    )
