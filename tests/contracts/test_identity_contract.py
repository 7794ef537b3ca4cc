"""Contract: the Cognito attributes the code uses are the ones infra/data.yaml declares.

AWS refuses an undeclared custom attribute on AdminCreateUser, lets a user rewrite a mutable
attribute the app client may write (UpdateUserAttributes with their own access token), and puts
in the ID token only what the client may read. The embedded Cognito enforces none of that
(SANDBOX.md), so this test holds the code to the template:

- "used" is derived from the code: every `custom:<name>` literal in the sources, every
  `{"Name": <literal>, ...}` attribute the Python builds, every claim the backend reads, and the
  `UserAttributes` of the Cognito calls recorded while the real creation path runs;
- each must be standard or declared in the pool's `Schema` (with `AttributeDataType`, `Mutable`);
- the tenant attribute is immutable and not writable by the client, which declares its
  `ReadAttributes`/`WriteAttributes` explicitly and can read every claim the backend reads.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import boto3
import pytest

from backend import admins, runtime, store
from orchestrator.adapters.templates import load_template
from orchestrator.local import sandbox

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "data.yaml"
# Cognito's standard attributes (always present in a pool; `sub` is read-only).
STANDARD = {
    "address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name",
    "locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified",
    "picture", "preferred_username", "profile", "sub", "updated_at", "website", "zoneinfo",
}  # fmt: skip
CUSTOM = re.compile(r"custom:[A-Za-z0-9_]+")
HERE = Path(__file__).resolve()


def python_sources() -> list[Path]:
    files = []
    for top in ("tasks", "packages", "tests", "benchmarks"):
        files += [p for p in (ROOT / top).rglob("*.py") if ".venv" not in p.parts]
    return [f for f in files if f.resolve() != HERE]


def js_sources() -> list[Path]:
    return [p for ext in ("js", "jsx", "html") for p in (ROOT / "widget" / "src").rglob(f"*.{ext}")]


def custom_attributes_named() -> dict[str, list[str]]:
    """`custom:<name>` → where the code names it (py string literals, widget sources); shipped
    code naming it exactly comes first, prose (docstrings) and tests after."""
    ranked: dict[str, list[tuple[int, str]]] = {}
    for path in python_sources():
        shipped = path.relative_to(ROOT).parts[0] == "packages"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for name in CUSTOM.findall(node.value):
                    rank = (node.value != name) + 2 * (not shipped)
                    ranked.setdefault(name, []).append((rank, f"{path.relative_to(ROOT)}:{node.lineno}"))
    for path in js_sources():
        for name in CUSTOM.findall(path.read_text(encoding="utf-8")):
            ranked.setdefault(name, []).append((0, str(path.relative_to(ROOT))))
    return {name: [where for _, where in sorted(places)] for name, places in ranked.items()}


def attributes_built() -> dict[str, list[str]]:
    """Names of `{"Name": "<attr>", "Value": …}` literals: user attributes the Python sends to Cognito."""
    found: dict[str, list[str]] = {}
    for path in python_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Dict):
                continue
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            if sorted(keys) != ["Name", "Value"]:
                continue
            name = node.values[keys.index("Name")]
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                found.setdefault(name.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def claims_read_by_backend() -> set[str]:
    """Custom attributes the Lambdas read from a token: `claims.get("custom:…")` / `claims["custom:…"]`."""
    read = set()
    for path in (ROOT / "packages" / "backend" / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            key = None
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get" and node.args:
                key = node.args[0]
            elif isinstance(node, ast.Subscript):
                key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and CUSTOM.fullmatch(key.value):
                read.add(key.value)
    return read


def pool_and_client(template: dict) -> tuple[dict, dict]:
    res = template["Resources"]
    (pool,) = [r["Properties"] for r in res.values() if r["Type"] == "AWS::Cognito::UserPool"]
    (client,) = [r["Properties"] for r in res.values() if r["Type"] == "AWS::Cognito::UserPoolClient"]
    return pool, client


def declared(pool: dict) -> dict[str, dict]:
    """`custom:<name>` → its Schema entry (CloudFormation names custom attributes without the prefix)."""
    return {f"custom:{a['Name']}": a for a in pool.get("Schema") or [] if a["Name"] not in STANDARD}


def problems(template: dict, used: dict[str, list[str]], read: set[str]) -> list[str]:
    """Every way the template breaks what the code needs, one line each (the contract, pure)."""
    pool, client = pool_and_client(template)
    schema = declared(pool)
    out = []
    for name, where in sorted(used.items()):
        if name in STANDARD:
            continue
        entry = schema.get(name)
        if entry is None:
            out.append(f"{name} (used at {where[0]}) is not declared in the pool's Schema: AWS refuses it")
        elif "AttributeDataType" not in entry or "Mutable" not in entry:
            out.append(f"{name}: its Schema entry must state AttributeDataType and Mutable")
    tenant = schema.get(admins.TENANT_ATTRIBUTE, {})
    if tenant.get("Mutable", True) is not False:
        out.append(f"{admins.TENANT_ATTRIBUTE} must be Mutable: false (a user could rewrite their tenant)")
    for key in ("ReadAttributes", "WriteAttributes"):
        if key not in client:
            out.append(f"the app client does not declare {key} (the default is every attribute)")
    if admins.TENANT_ATTRIBUTE in (client.get("WriteAttributes") or []):
        out.append(
            f"the app client may write {admins.TENANT_ATTRIBUTE}: UpdateUserAttributes would rewrite it"
        )
    for name in sorted(read):
        if "ReadAttributes" in client and name not in client["ReadAttributes"]:
            out.append(f"the backend reads {name} from the ID token, but the app client cannot read it")
    return out


def used_by_code() -> dict[str, list[str]]:
    return {**attributes_built(), **custom_attributes_named()}


def test_the_code_uses_the_tenant_attribute_and_the_scan_sees_it():
    """The derivation finds what the code does use — otherwise the contract below is vacuous."""
    used = used_by_code()
    assert admins.TENANT_ATTRIBUTE in used
    assert {"email", "email_verified"} <= set(used)
    assert admins.TENANT_ATTRIBUTE in claims_read_by_backend()


def test_every_attribute_the_code_uses_is_declared_and_the_tenant_is_immutable():
    assert problems(load_template(TEMPLATE), used_by_code(), claims_read_by_backend()) == []


def test_the_contract_rejects_the_pre_fix_pool():
    """What it reported against the template before custom:tenantId was declared (issue 11)."""
    template = load_template(TEMPLATE)
    pool, client = pool_and_client(template)
    pool.pop("Schema", None)
    for key in ("ReadAttributes", "WriteAttributes"):
        client.pop(key, None)
    found = problems(template, used_by_code(), claims_read_by_backend())
    assert any(f.startswith("custom:tenantId (used at ") for f in found), found
    assert "custom:tenantId must be Mutable: false (a user could rewrite their tenant)" in found
    assert any("does not declare WriteAttributes" in f for f in found)


@pytest.fixture
def recorded_cognito_calls(aws, monkeypatch):
    """A cognito-idp client whose calls' parameters are recorded (botocore's provide-client-params)."""
    calls: list[tuple[str, dict]] = []
    idp = boto3.client("cognito-idp")
    idp.meta.events.register(
        "provide-client-params.cognito-idp.*",
        lambda params, model, **_: calls.append((model.name, dict(params))),
    )
    monkeypatch.setenv("TABLE_NAME", "bookingchat-contract")
    runtime.reset()
    from backend import table

    table.create_table(runtime.dynamodb(), "bookingchat-contract")
    store.put_tenant("acme-dental", {"name": "Acme"})
    yield idp, calls
    runtime.reset()


def test_the_creation_path_sends_only_declared_attributes(recorded_cognito_calls):
    """Recorded at run time: what `create_admin` really sends, checked against the template."""
    idp, calls = recorded_cognito_calls
    pool_id = sandbox._user_pool("contract")["UserPoolId"]  # made from infra/data.yaml
    admins.create_admin(pool_id, "acme-dental", "boss@acme.test", invite=False, idp=idp)
    sent = {
        a["Name"]: [f"{op} (recorded)"] for op, params in calls for a in params.get("UserAttributes") or []
    }
    assert admins.TENANT_ATTRIBUTE in sent, calls
    assert problems(load_template(TEMPLATE), sent, set()) == []
