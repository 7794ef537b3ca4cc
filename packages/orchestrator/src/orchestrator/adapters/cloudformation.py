"""CloudFormation, thinly: stacks, change sets, events (nested stacks included), waits.

No decisions here: what to do with a status lives in `core.stack_status`, what a change set
means in `core.changes`, and the order of things in `deploy`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable

from botocore.exceptions import ClientError

from orchestrator.adapters import aws

NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
POLL_SECONDS = 3.0


def client(region: str | None = None):
    return aws.client("cloudformation", region)


def _missing(err: ClientError) -> bool:
    return "does not exist" in str(err.response.get("Error", {}).get("Message", ""))


def describe(cfn, stack: str) -> dict | None:
    """The stack's description, or None when there is no such (live) stack."""
    try:
        return cfn.describe_stacks(StackName=stack)["Stacks"][0]
    except ClientError as err:
        if _missing(err):
            return None
        raise


def outputs(cfn, stack: str) -> dict[str, str]:
    return outputs_of(describe(cfn, stack))


def outputs_of(desc: dict | None) -> dict[str, str]:
    return {o["OutputKey"]: o.get("OutputValue", "") for o in (desc or {}).get("Outputs", [])}


def parameters(desc: dict | None) -> dict[str, str]:
    return {p["ParameterKey"]: p.get("ParameterValue", "") for p in (desc or {}).get("Parameters", [])}


def template(cfn, stack: str) -> dict:
    """The deployed template as a dict (JSON or YAML with short-form tags)."""
    body = cfn.get_template(StackName=stack, TemplateStage="Original")["TemplateBody"]
    if isinstance(body, dict):
        return json.loads(json.dumps(body))
    from orchestrator.adapters.templates import parse_template

    return parse_template(body)  # JSON is YAML too


def tags(desc: dict | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in (desc or {}).get("Tags", [])}


def nested_stacks(cfn, stack: str) -> list[tuple[str, str]]:
    """(logical id, stack id) of each nested stack directly under `stack`."""
    found = []
    for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack):
        for res in page["StackResourceSummaries"]:
            if res["ResourceType"] == "AWS::CloudFormation::Stack" and res.get("PhysicalResourceId"):
                found.append((res["LogicalResourceId"], res["PhysicalResourceId"]))
    return found


def create_change_set(
    cfn,
    *,
    stack: str,
    name: str,
    kind: str,
    template_url: str,
    parameters: dict[str, str],
    tags: dict,
    token: str,
    role_arn: str = "",
) -> str:
    # With a role, CloudFormation acts as that role: the deploy role itself only passes it.
    role = {"RoleARN": role_arn} if role_arn else {}
    resp = cfn.create_change_set(
        **role,
        StackName=stack,
        ChangeSetName=name,
        ChangeSetType=kind,
        TemplateURL=template_url,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())],
        IncludeNestedStacks=True,
        ClientToken=token,
        Description=f"bookingchat deploy {token}"[:1024],
    )
    return resp["Id"]


def describe_change_set(cfn, arn: str) -> dict:
    """The change set with every page of Changes joined."""
    first = cfn.describe_change_set(ChangeSetName=arn)
    changes, token = list(first.get("Changes", [])), first.get("NextToken")
    while token:
        page = cfn.describe_change_set(ChangeSetName=arn, NextToken=token)
        changes += page.get("Changes", [])
        token = page.get("NextToken")
    return {**first, "Changes": changes}


def wait_change_set(cfn, arn: str, poll: float = POLL_SECONDS) -> dict:
    while True:
        desc = describe_change_set(cfn, arn)
        if desc["Status"] in ("CREATE_COMPLETE", "FAILED", "DELETE_COMPLETE", "DELETE_FAILED"):
            return desc
        time.sleep(poll)


def is_empty(change_set: dict) -> bool:
    return change_set["Status"] == "FAILED" and any(
        m in (change_set.get("StatusReason") or "") for m in NO_CHANGES
    )


def delete_change_set(cfn, arn: str) -> None:
    with contextlib.suppress(ClientError):  # already gone with its stack, or executed
        cfn.delete_change_set(ChangeSetName=arn)


def execute_change_set(cfn, arn: str, token: str) -> dt.datetime:
    """Execute; returns the server's time of the call (the marker for events that follow)."""
    resp = cfn.execute_change_set(ChangeSetName=arn, ClientRequestToken=token)
    return server_time(resp)


def server_time(resp: dict) -> dt.datetime:
    """The response's Date header: event filtering that ignores the local clock (Sceptre)."""
    from email.utils import parsedate_to_datetime

    header = resp.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    moment = parsedate_to_datetime(header) if header else dt.datetime.now(dt.UTC)
    return moment - dt.timedelta(seconds=1)


def events(cfn, stack: str, since: dt.datetime | None = None, _depth: int = 0) -> list[dict]:
    """Events of `stack` and of every stack nested in it, oldest first."""
    found: list[dict] = []
    try:
        for page in cfn.get_paginator("describe_stack_events").paginate(StackName=stack):
            batch = [e for e in page["StackEvents"] if since is None or e["Timestamp"] >= since]
            found += batch
            if len(batch) < len(page["StackEvents"]):
                break
        nested = nested_stacks(cfn, stack) if _depth < 5 else []
    except ClientError as err:
        # Gone, or (the embedded AWS) a stack whose template it can no longer parse: no more events.
        if _missing(err) or err.response.get("Error", {}).get("Code") == "ValidationError":
            return found
        raise
    for _logical, child in nested:
        found += events(cfn, child, since, _depth + 1)
    return sorted(found, key=lambda e: e["Timestamp"])


def wait_stack(
    cfn, stack: str, since: dt.datetime | None, echo: Callable[[dict], None], poll: float = POLL_SECONDS
) -> str:
    """Wait until the stack settles, echoing each new event (nested too) once. Returns the status."""
    seen: set[str] = set()
    while True:
        desc = describe(cfn, stack)
        for event in events(cfn, stack, since):
            if event["EventId"] not in seen:
                seen.add(event["EventId"])
                echo(event)
        status = desc["StackStatus"] if desc else "DELETE_COMPLETE"
        if not status.endswith("_IN_PROGRESS") or status == "REVIEW_IN_PROGRESS":
            return status
        time.sleep(poll)


def delete_stack(cfn, stack: str, token: str, retain: tuple[str, ...] = ()) -> None:
    kwargs = {"RetainResources": list(retain)} if retain else {}
    cfn.delete_stack(StackName=stack, ClientRequestToken=token, **kwargs)


def continue_update_rollback(cfn, stack: str, token: str, skip: tuple[str, ...] = ()) -> None:
    """Always on the root stack; nested resources to skip are `Nested.Logical` (AWS API docs)."""
    kwargs = {"ResourcesToSkip": list(skip)} if skip else {}
    cfn.continue_update_rollback(StackName=stack, ClientRequestToken=token, **kwargs)


def set_termination_protection(cfn, stack: str, on: bool) -> None:
    cfn.update_termination_protection(StackName=stack, EnableTerminationProtection=on)
