"""Who an admin is: the tenant's admin records, not the token's `custom:tenantId` alone.

The embedded Cognito lets a user rewrite any attribute of their own — immutable or not, whatever
the client's WriteAttributes (SANDBOX.md) — so these tests do what an attacker would on a pool
misconfigured that way, through real tokens and the local AppSync, and show it grants nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from appsync_client import PASSWORD, admin_user, post, sign_in

from backend import admins, runtime, store
from backend.errors import BadInput, NotFound

ROOT = Path(__file__).resolve().parents[2]
ACME, LOLA = "acme-dental", "peluqueria-lola"
BOOKINGS = "query B($from: AWSDateTime!, $to: AWSDateTime!) { bookings(from: $from, to: $to) { id status } }"
ROTATE = "mutation { rotateApiKey { tenantId keyId } }"
SET_PLAN = (
    "mutation P($t: ID!, $p: Plan!) { setPlan(tenantId: $t, plan: $p) { tenantId plan monthlyTokenLimit } }"
)
WINDOW = {"from": "2026-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"}


def claims(token: str) -> dict:
    import base64

    segment = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def test_an_admin_who_rewrites_custom_tenant_id_still_cannot_reach_the_other_tenant(api, demo):
    pool = demo["pool"]
    user = admin_user(pool, ACME)
    auth = sign_in(pool, user)
    status, body = post(api.url, BOOKINGS, WINDOW, {"authorization": auth["IdToken"]})
    assert status == 200 and "errors" not in body, body  # a real admin of acme: allowed

    # The attack: rewrite the attribute with the user's own access token, sign in again.
    boto3.client("cognito-idp").update_user_attributes(
        AccessToken=auth["AccessToken"], UserAttributes=[{"Name": "custom:tenantId", "Value": LOLA}]
    )
    forged = sign_in(pool, user)["IdToken"]
    assert claims(forged)["custom:tenantId"] == LOLA  # the emulator accepted the rewrite

    for query, variables in ((BOOKINGS, WINDOW), (ROTATE, {})):
        status, body = post(api.url, query, variables, {"authorization": forged})
        assert status == 200
        assert body["data"] is None, body
        (error,) = body["errors"]
        assert error["errorType"] == "Unauthorized"
        assert f"not an admin of tenant '{LOLA}'" in error["message"]
    assert store.tenant_for_api_key(demo["keys"][LOLA]) == LOLA  # lola's key was not rotated


def test_a_cognito_user_with_the_attribute_but_no_admin_record_is_refused(api, demo):
    """Made behind the creation path's back (as AdminCreateUser alone would): no record, no access."""
    idp = boto3.client("cognito-idp")
    pool_id, user = demo["pool"]["UserPoolId"], "stray@acme.test"
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=user,
        UserAttributes=admins.user_attributes(user, ACME),
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=pool_id, Username=user, Password=PASSWORD, Permanent=True)
    status, body = post(api.url, BOOKINGS, WINDOW, {"authorization": sign_in(demo["pool"], user)["IdToken"]})
    assert body["errors"][0]["errorType"] == "Unauthorized", body


def test_set_plan_is_for_platform_admins_only(api, demo):
    tenant_admin = sign_in(demo["pool"], admin_user(demo["pool"], ACME))["IdToken"]
    status, body = post(api.url, SET_PLAN, {"t": ACME, "p": "ENTERPRISE"}, {"authorization": tenant_admin})
    assert status == 200
    assert body["data"] is None
    assert body["errors"][0]["errorType"] == "Unauthorized"
    assert body["errors"][0]["path"] == ["setPlan"]
    assert store.get_tenant(ACME).get("plan", "FREE") == "FREE"

    operator = sign_in(demo["pool"], admin_user(demo["pool"], LOLA, ("platform-admin",)))["IdToken"]
    status, body = post(api.url, SET_PLAN, {"t": ACME, "p": "PRO"}, {"authorization": operator})
    assert "errors" not in body, body
    assert body["data"]["setPlan"] == {"tenantId": ACME, "plan": "PRO", "monthlyTokenLimit": 2_000_000}


def test_set_plan_handler_refuses_a_tenant_admin_even_without_appsyncs_group_check(demo):
    """Defence in depth: the Lambda checks the group itself, with a clear message."""
    from backend import admin
    from backend.errors import Unauthorized

    made = admins.create_admin(demo["pool"]["UserPoolId"], ACME, "boss@acme.test", invite=False)
    event = {
        "arguments": {"tenantId": ACME, "plan": "ENTERPRISE"},
        "identity": {"sub": made.subject, "claims": {"sub": made.subject, "custom:tenantId": ACME}},
        "info": {"fieldName": "setPlan", "parentTypeName": "Mutation"},
    }
    with pytest.raises(Unauthorized, match="needs the platform-admin group"):
        admin.handler(event)
    assert store.get_tenant(ACME).get("plan", "FREE") == "FREE"


def test_create_admin_refuses_bad_input_before_writing_anything(demo):
    pool_id = demo["pool"]["UserPoolId"]
    idp = boto3.client("cognito-idp")
    with pytest.raises(BadInput, match="not an email address"):
        admins.create_admin(pool_id, ACME, "not-an-email", invite=False)
    with pytest.raises(NotFound, match="tenant does not exist"):
        admins.create_admin(pool_id, "no-such-tenant", "boss@x.test", invite=False)
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []

    admins.create_admin(pool_id, ACME, "boss@acme.test", invite=False)
    again = admins.create_admin(pool_id, ACME, "Boss@Acme.test", invite=False)  # a rerun completes
    assert again.created is False and store.is_admin(ACME, again.subject)
    with pytest.raises(BadInput, match="already signs in for tenant 'acme-dental'"):
        admins.create_admin(pool_id, LOLA, "boss@acme.test", invite=False)
    assert not store.is_admin(LOLA, again.subject)


def test_create_admin_refuses_a_pool_that_does_not_declare_the_attribute_as_aws_would(demo):
    idp = boto3.client("cognito-idp")
    bare = idp.create_user_pool(PoolName="undeclared", UsernameAttributes=["email"])["UserPool"]["Id"]
    with pytest.raises(BadInput, match="does not declare custom:tenantId"):
        admins.create_admin(bare, ACME, "boss@acme.test", invite=False)
    mutable = idp.create_user_pool(
        PoolName="mutable",
        Schema=[{"Name": "tenantId", "AttributeDataType": "String", "Mutable": True}],
    )["UserPool"]["Id"]
    with pytest.raises(BadInput, match="lets users rewrite custom:tenantId"):
        admins.create_admin(mutable, ACME, "boss@acme.test", invite=False)
    assert idp.list_users(UserPoolId=bare)["Users"] == idp.list_users(UserPoolId=mutable)["Users"] == []


def _inv(*args: str, aws) -> subprocess.CompletedProcess:
    env = {**os.environ, **aws.env}
    return subprocess.run(
        [str(Path(sys.executable).parent / "invoke"), "--search-root", str(ROOT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
    )


def test_inv_admin_create_makes_a_working_admin_and_refuses_bad_input_with_exit_2(aws, monkeypatch):
    """The task against a data stack deployed from infra/data.yaml in the embedded AWS."""
    from backend import seed
    from orchestrator.adapters.templates import load_template

    template = load_template(ROOT / "infra" / "data.yaml")
    cfn = boto3.client("cloudformation")
    cfn.create_change_set(  # as ./inv deploy does (moto's CreateStack rejects the pool's outputs)
        StackName="bookingchat-local-data",
        ChangeSetName="create",
        ChangeSetType="CREATE",
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "EnvName", "ParameterValue": "local"}],
    )
    cfn.execute_change_set(StackName="bookingchat-local-data", ChangeSetName="create")
    monkeypatch.setenv("TABLE_NAME", "bookingchat-local")
    runtime.reset()
    seed.seed("bookingchat-local", create_table=False)

    bad = _inv("admin-create", "local", "--tenant", ACME, "--email", "nope", aws=aws)
    assert bad.returncode == 2, bad.stderr
    assert "refused:" in bad.stderr and "not an email address" in bad.stderr
    assert "Traceback" not in bad.stderr

    made = _inv("admin-create", "local", "--tenant", ACME, "--email", "boss@acme.test", "--json", aws=aws)
    assert made.returncode == 0, made.stderr
    result = json.loads(made.stdout)
    assert result["tenant_id"] == ACME and result["created"] is True
    assert store.is_admin(ACME, result["subject"])
    user = boto3.client("cognito-idp").admin_get_user(UserPoolId=admins_pool_id(), Username="boss@acme.test")
    assert {"Name": "custom:tenantId", "Value": ACME} in user["UserAttributes"]


def admins_pool_id() -> str:
    pools = boto3.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]
    return next(p["Id"] for p in pools if p["Name"] == "bookingchat-local-admins")
