"""The AppSync custom domain: which API (colour) it serves, and the instant switch."""

from __future__ import annotations

import boto3
from botocore.exceptions import ClientError


def client(region: str | None = None):
    return boto3.client("appsync", region_name=region)


def associated_api(appsync, domain: str) -> str | None:
    """The API id the domain serves now, or None when nothing is associated."""
    try:
        assoc = appsync.get_api_association(domainName=domain)["apiAssociation"]
    except ClientError as err:
        if err.response["Error"]["Code"] == "NotFoundException":
            return None
        raise
    return assoc.get("apiId") if assoc.get("associationStatus") != "FAILED" else None


def associate(appsync, domain: str, api_id: str) -> None:
    """Point the domain at `api_id`: the colour switch. AppSync applies it within seconds."""
    appsync.associate_api(domainName=domain, apiId=api_id)


def graphql_url(appsync, api_id: str) -> str:
    """The API's own endpoint (the app template exports only its id)."""
    return appsync.get_graphql_api(apiId=api_id)["graphqlApi"].get("uris", {}).get("GRAPHQL", "")
