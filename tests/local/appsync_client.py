"""Talking to the local AppSync as a client would: a Cognito ID token, a GraphQL POST (tenant keys
and tokens both in `Authorization`, the one header AppSync hands its authorizers)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import boto3

from backend import admins

PASSWORD = "Passw0rd!Local"  # pragma: allowlist secret


def admin_user(pool: dict, tenant: str, groups: tuple[str, ...] = (), email: str = "") -> str:
    """An admin of `tenant` made through the one creation path (backend.admins); returns the email."""
    idp = boto3.client("cognito-idp")
    made = admins.create_admin(
        pool["UserPoolId"], tenant, email or f"admin@{tenant}.test", invite=False, idp=idp
    )
    idp.admin_set_user_password(
        UserPoolId=pool["UserPoolId"], Username=made.email, Password=PASSWORD, Permanent=True
    )
    for group in groups:
        idp.create_group(GroupName=group, UserPoolId=pool["UserPoolId"])
        idp.admin_add_user_to_group(UserPoolId=pool["UserPoolId"], Username=made.email, GroupName=group)
    return made.email


def sign_in(pool: dict, user: str) -> dict:
    """The AuthenticationResult (IdToken, AccessToken, …) of a password sign-in."""
    auth = boto3.client("cognito-idp").admin_initiate_auth(
        UserPoolId=pool["UserPoolId"],
        ClientId=pool["UserPoolClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD},
    )
    return auth["AuthenticationResult"]


def id_token(pool: dict, tenant: str, groups: tuple[str, ...] = ()) -> str:
    return sign_in(pool, admin_user(pool, tenant, groups))["IdToken"]


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
