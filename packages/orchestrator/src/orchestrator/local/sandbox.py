"""THE ONLY sandbox-specific code: what moto's CloudFormation skips, made through service APIs.

moto creates a stack's tables, roles, functions, buckets and parameters, but silently skips
AppSync, CloudFront and Cognito resources (see ../shared/SANDBOX.md and infra/README.md).
Publishing, invalidation and smoke tests need them, so after each stack deploy this module
creates the same things through their own APIs and returns them as the stack outputs the
template would have produced. It also keeps the live colour in SSM, because AppSync custom
domains do not exist there. It refuses to run unless AWS_ENDPOINT_URL is a loopback address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
from urllib.parse import urlparse

from orchestrator.adapters import aws
from orchestrator.errors import UserError


def endpoint() -> str:
    return os.environ.get("AWS_ENDPOINT_URL", "")


def active() -> bool:
    """True when every AWS call goes to an emulator on this machine."""
    host = urlparse(endpoint()).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _require() -> None:
    if not active():
        raise UserError(
            "the sandbox emulation runs only against the embedded AWS",
            f"AWS_ENDPOINT_URL must point to loopback (it is {endpoint() or 'unset'})",
        )


def emulate(kind: str, stack: str, params: dict[str, str], outputs: dict[str, str]) -> dict[str, str]:
    """The stack's outputs with what moto skipped filled in (idempotent)."""
    _require()
    filled = dict(outputs)
    if kind == "data":
        # moto drops every output of a stack when one names a skipped type (the pool's Arn).
        table = aws.client("dynamodb").describe_table(TableName=f"bookingchat-{params['EnvName']}")["Table"]
        made = {
            "TableName": table["TableName"],
            "TableArn": table["TableArn"],
            **_user_pool(params["EnvName"]),
        }
        filled.update({k: v for k, v in made.items() if not filled.get(k)})
    elif kind == "app":
        filled.update({k: v for k, v in _graphql_api(params).items() if not filled.get(k)})
        filled.setdefault("NamePrefix", params["NamePrefix"])
        filled.setdefault("Colour", params.get("Colour", "none"))
    elif kind == "edge":
        if not filled.get("WidgetBucketName"):  # dropped with the outputs that name skipped types
            res = aws.client("cloudformation").describe_stack_resource(
                StackName=stack, LogicalResourceId="WidgetBucket"
            )
            filled["WidgetBucketName"] = res["StackResourceDetail"]["PhysicalResourceId"]
        made = _distribution(filled["WidgetBucketName"], stack)
        filled.update({k: v for k, v in made.items() if not filled.get(k)})
        filled.setdefault("ApiDomain", params.get("ApiDomain", ""))
    return filled


def emulate_deployed(
    s3, bucket: str, kind: str, stack: str, params: dict[str, str], outputs: dict[str, str], unchanged: bool
) -> dict[str, str]:
    """`emulate` after a deploy, remembered in the artifact bucket (`sandbox/outputs/<stack>.json`).

    A stack the deploy found up to date, with the same parameters and raw outputs as when it was
    last emulated, gets the same filled outputs: one GET instead of ~8 calls and four clients
    (most of a no-op deploy's sandbox cost). A reset of the embedded AWS empties the bucket too,
    so a remembered answer never outlives the resources it names."""
    _require()
    if kind not in ("data", "app", "edge"):
        return emulate(kind, stack, params, outputs)  # nothing skipped there: nothing to remember
    key = f"sandbox/outputs/{stack}.json"
    fingerprint = hashlib.sha256(json.dumps([kind, params, outputs], sort_keys=True).encode()).hexdigest()
    if unchanged:
        try:
            known = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
            if known.get("fingerprint") == fingerprint:
                return known["outputs"]
        except s3.exceptions.NoSuchKey:
            pass
    filled = emulate(kind, stack, params, outputs)
    s3.put_object(
        Bucket=bucket, Key=key, Body=json.dumps({"fingerprint": fingerprint, "outputs": filled}).encode()
    )
    return filled


def _pool_template() -> tuple[dict, dict]:
    """The pool's and the app client's properties as infra/data.yaml declares them."""
    from orchestrator.adapters.templates import load_template
    from orchestrator.paths import INFRA

    resources = load_template(INFRA / "data.yaml")["Resources"]
    return resources["AdminUserPool"]["Properties"], resources["AdminUserPoolClient"]["Properties"]


def _user_pool(env_name: str) -> dict[str, str]:
    """The pool and client of infra/data.yaml — same attribute schema, same Read/WriteAttributes —
    so the code meets the declarations it will meet on AWS (moto enforces neither; the identity
    contract test holds the code to them)."""
    idp = aws.client("cognito-idp")
    pool_props, client_props = _pool_template()
    name = f"bookingchat-{env_name}-admins"
    pools = [p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == name]
    if pools:
        pool = idp.describe_user_pool(UserPoolId=pools[0]["Id"])["UserPool"]
    else:
        pool = idp.create_user_pool(
            PoolName=name,
            UsernameAttributes=pool_props["UsernameAttributes"],
            AdminCreateUserConfig=pool_props["AdminCreateUserConfig"],
            **({"Schema": pool_props["Schema"]} if pool_props.get("Schema") else {}),
        )["UserPool"]
    client_name = f"bookingchat-{env_name}-admin-panel"
    clients = [
        c
        for c in idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]
        if c["ClientName"] == client_name
    ]
    client_id = (
        clients[0]["ClientId"]
        if clients
        else idp.create_user_pool_client(
            UserPoolId=pool["Id"],
            ClientName=client_name,
            # + ADMIN_USER_PASSWORD_AUTH: local tools and tests sign in without SRP.
            ExplicitAuthFlows=[
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ],
            **{k: client_props[k] for k in ("ReadAttributes", "WriteAttributes") if k in client_props},
        )["UserPoolClient"]["ClientId"]
    )
    return {"UserPoolId": pool["Id"], "UserPoolArn": pool["Arn"], "UserPoolClientId": client_id}


def _graphql_api(params: dict[str, str]) -> dict[str, str]:
    appsync = aws.client("appsync")
    name = f"{params['NamePrefix']}-api"
    apis = [a for a in appsync.list_graphql_apis()["graphqlApis"] if a["name"] == name]
    api = (
        apis[0]
        if apis
        else appsync.create_graphql_api(name=name, authenticationType="AWS_LAMBDA")["graphqlApi"]
    )
    return {"ApiId": api["apiId"], "ApiArn": api["arn"], "GraphQLUrl": api.get("uris", {}).get("GRAPHQL", "")}


def _distribution(bucket: str, stack: str) -> dict[str, str]:
    cloudfront = aws.client("cloudfront")
    items = cloudfront.list_distributions().get("DistributionList", {}).get("Items", [])
    found = [d for d in items if d.get("Comment") == stack]
    if found:
        dist = found[0]
    else:
        origin = f"{bucket}.s3.amazonaws.com"
        dist = cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": stack,
                "Comment": stack,
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {"Id": "widget", "DomainName": origin, "S3OriginConfig": {"OriginAccessIdentity": ""}}
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "widget",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "MinTTL": 0,
                    "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                    "TrustedSigners": {"Enabled": False, "Quantity": 0},
                },
            }
        )["Distribution"]
    return {"DistributionId": dist["Id"], "DistributionDomainName": dist["DomainName"]}


def bare_environment(env_name: str):
    """An environment's artifact and widget buckets and its distribution, nothing else — what the
    release tests and the release benchmark publish into (a full `./inv deploy` takes ~30 s)."""
    from orchestrator.engine.target import Target  # target imports this module

    _require()
    account = aws.client("sts").get_caller_identity()["Account"]
    artifact, widget = (
        f"bookingchat-{env_name}-artifacts-{account}",
        f"bookingchat-{env_name}-widget-{account}",
    )
    for bucket in (artifact, widget):
        aws.client("s3").create_bucket(Bucket=bucket)
    dist = _distribution(widget, f"bookingchat-{env_name}-edge")
    return Target(env_name, account, artifact, widget, dist["DistributionId"], cdn_url=None, sandbox=True)


def _colour_parameter(env_name: str) -> str:
    return f"/bookingchat/{env_name}/live-colour"


def live_colour(env_name: str) -> str | None:
    """The colour the (emulated) API domain serves; None before the first switch."""
    _require()
    ssm = aws.client("ssm")
    try:
        return ssm.get_parameter(Name=_colour_parameter(env_name))["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        return None


def switch_colour(env_name: str, colour: str) -> None:
    """Stand-in for AppSync `associate_api` (custom domains are 404 in moto)."""
    _require()
    aws.client("ssm").put_parameter(
        Name=_colour_parameter(env_name), Value=colour, Type="String", Overwrite=True
    )


def forget(env_name: str, kind: str, stack: str, outputs: dict[str, str]) -> None:
    """Remove what `emulate` made for a stack that is being torn down."""
    _require()
    if kind == "app" and outputs.get("ApiId"):
        aws.client("appsync").delete_graphql_api(apiId=outputs["ApiId"])
    if kind == "edge" and outputs.get("DistributionId"):
        pass  # moto keeps disabled distributions forever; a new stack gets a fresh one by Comment
