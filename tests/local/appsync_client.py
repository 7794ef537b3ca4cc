"""Talking to the local AppSync as a client would: a Cognito ID token, a GraphQL POST."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import boto3

PASSWORD = "Passw0rd!Local"  # pragma: allowlist secret


def id_token(pool: dict, tenant: str, groups: tuple[str, ...] = ()) -> str:
    idp = boto3.client("cognito-idp")
    user = f"admin@{tenant}.test"
    idp.admin_create_user(
        UserPoolId=pool["UserPoolId"],
        Username=user,
        UserAttributes=[{"Name": "email", "Value": user}, {"Name": "custom:tenantId", "Value": tenant}],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool["UserPoolId"], Username=user, Password=PASSWORD, Permanent=True
    )
    for group in groups:
        idp.create_group(GroupName=group, UserPoolId=pool["UserPoolId"])
        idp.admin_add_user_to_group(UserPoolId=pool["UserPoolId"], Username=user, GroupName=group)
    auth = idp.admin_initiate_auth(
        UserPoolId=pool["UserPoolId"],
        ClientId=pool["UserPoolClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD},
    )
    return auth["AuthenticationResult"]["IdToken"]


def post(
    url: str, query: str, variables: dict | None = None, headers: dict | None = None, raw: bytes | None = None
):
    """(status, JSON body) of one GraphQL POST."""
    body = raw if raw is not None else json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(
        url, data=body, headers={"content-type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)
