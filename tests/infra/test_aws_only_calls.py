"""Calls the embedded AWS cannot serve, checked with botocore's Stubber on real shapes.

moto's CloudFormation is synchronous (never ROLLBACK_COMPLETE / UPDATE_ROLLBACK_FAILED /
IN_PROGRESS) and AppSync custom domains are 404 there, so these paths are stubbed, one call
at a time, in the order the engine makes them.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.stub import ANY, Stubber

from orchestrator.adapters import api_domain
from orchestrator.deploy import rollout
from orchestrator.deploy import stacks as dp
from orchestrator.engine.target import Target

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
STACK_ID = "arn:aws:cloudformation:us-east-1:111111111111:stack/bookingchat-dev-app/abc"


def _stack(status: str) -> dict:
    return {
        "Stacks": [
            {
                "StackName": "bookingchat-dev-app",
                "StackId": STACK_ID,
                "StackStatus": status,
                "CreationTime": T0,
            }
        ]
    }


def _missing() -> dict:
    return {
        "service_error_code": "ValidationError",
        "service_message": "Stack with id bookingchat-dev-app does not exist",
    }


@pytest.fixture
def cfn():
    client = boto3.client(
        "cloudformation", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def test_rollback_complete_outside_prod_is_deleted_then_created(cfn):
    client, stub = cfn
    stub.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"))
    stub.add_response("delete_stack", {}, {"StackName": STACK_ID, "ClientRequestToken": ANY})
    stub.add_client_error("describe_stacks", **_missing())  # the wait sees it gone
    stub.add_client_error("describe_stack_events", **_missing())
    stub.add_client_error("describe_stacks", **_missing())  # decide again: create
    assert dp._settle(client, "bookingchat-dev-app", dp.Options(echo=lambda _l: None, poll=0)) is None


def test_update_rollback_failed_is_continued_on_the_root_stack(cfn):
    client, stub = cfn
    stub.add_response("describe_stacks", _stack("UPDATE_ROLLBACK_FAILED"))
    stub.add_response(
        "continue_update_rollback", {}, {"StackName": "bookingchat-dev-app", "ClientRequestToken": ANY}
    )
    stub.add_response("describe_stacks", _stack("UPDATE_ROLLBACK_COMPLETE"))
    stub.add_response("describe_stack_events", {"StackEvents": []})
    stub.add_response("list_stack_resources", {"StackResourceSummaries": []})
    stub.add_response("describe_stacks", _stack("UPDATE_ROLLBACK_COMPLETE"))
    desc = dp._settle(client, "bookingchat-dev-app", dp.Options(echo=lambda _l: None, poll=0))
    assert desc["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"


def test_a_stack_in_progress_is_waited_for_never_overlapped(cfn):
    client, stub = cfn
    stub.add_response("describe_stacks", _stack("UPDATE_IN_PROGRESS"))
    stub.add_response("describe_stacks", _stack("UPDATE_COMPLETE"))  # the wait: settled
    stub.add_response("describe_stack_events", {"StackEvents": []})
    stub.add_response("list_stack_resources", {"StackResourceSummaries": []})
    stub.add_response("describe_stacks", _stack("UPDATE_COMPLETE"))
    lines = []
    assert dp._settle(client, "bookingchat-dev-app", dp.Options(echo=lines.append, poll=0))
    assert lines == [
        "bookingchat-dev-app: the stack is UPDATE_IN_PROGRESS: another operation is running → wait until it settles"
    ]


def _event(stack, logical, status, reason, second):
    return {
        "StackId": STACK_ID,
        "EventId": f"{stack}-{logical}-{second}",
        "StackName": stack,
        "LogicalResourceId": logical,
        "ResourceStatus": status,
        "ResourceStatusReason": reason,
        # after the execute call (no Date header from the stub: the marker is "now")
        "Timestamp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1, seconds=second),
    }


def test_a_failed_update_reports_the_nested_stacks_root_cause(cfn):
    client, stub = cfn
    child_id = "arn:aws:cloudformation:us-east-1:111111111111:stack/bookingchat-dev-app-Api-X/def"
    root_events = {
        "StackEvents": [
            _event(
                "bookingchat-dev-app",
                "Api",
                "UPDATE_FAILED",
                "Embedded stack … was not successfully updated",
                9,
            )
        ]
    }
    child_events = {
        "StackEvents": [
            _event(
                "bookingchat-dev-app-Api-X",
                "Schema",
                "UPDATE_FAILED",
                "Schema is invalid: Unknown type Foo",
                8,
            )
        ]
    }
    nested = {
        "StackResourceSummaries": [
            {
                "LogicalResourceId": "Api",
                "PhysicalResourceId": child_id,
                "ResourceType": "AWS::CloudFormation::Stack",
                "LastUpdatedTimestamp": T0,
                "ResourceStatus": "UPDATE_FAILED",
            }
        ]
    }
    stub.add_response("execute_change_set", {}, {"ChangeSetName": "arn:cs", "ClientRequestToken": "tok"})
    stub.add_response("describe_stacks", _stack("UPDATE_ROLLBACK_COMPLETE"))
    for _ in range(2):  # once while watching, once to find the cause
        stub.add_response("describe_stack_events", root_events)
        stub.add_response("list_stack_resources", nested)
        stub.add_response("describe_stack_events", child_events)
        stub.add_response("list_stack_resources", {"StackResourceSummaries": []})
    lines = []
    with pytest.raises(
        dp.DeployFailed, match="root cause: bookingchat-dev-app-Api-X Schema: Schema is invalid"
    ):
        dp._execute(client, "bookingchat-dev-app", "arn:cs", "tok", dp.Options(echo=lines.append, poll=0))
    assert any("Embedded stack" in line for line in lines)  # the live view shows every event


def test_the_colour_switch_is_one_associate_api_call(monkeypatch):
    appsync = boto3.client(
        "appsync", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    monkeypatch.setattr(api_domain, "client", lambda region=None: appsync)
    target = Target("prod", "111111111111", "bookingchat-prod-artifacts-111111111111")
    with Stubber(appsync) as stub:
        stub.add_response(
            "associate_api",
            {
                "apiAssociation": {
                    "domainName": "api.bookingchat.example",
                    "apiId": "green-api",
                    "associationStatus": "PROCESSING",
                }
            },
            {"domainName": "api.bookingchat.example", "apiId": "green-api"},
        )
        rollout.switch_colour(target, "green", "green-api", echo=lambda _l: None)
        stub.assert_no_pending_responses()


def test_the_live_api_is_read_from_the_domain_association():
    appsync = boto3.client(
        "appsync", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(appsync) as stub:
        stub.add_response(
            "get_api_association",
            {"apiAssociation": {"domainName": "api.x", "apiId": "blue-api", "associationStatus": "SUCCESS"}},
            {"domainName": "api.x"},
        )
        stub.add_client_error("get_api_association", "NotFoundException", "no association")
        assert api_domain.associated_api(appsync, "api.x") == "blue-api"
        assert api_domain.associated_api(appsync, "api.x") is None
