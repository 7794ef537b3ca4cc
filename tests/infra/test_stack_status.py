"""The status → action table, on plain data (moto cannot produce these states)."""

import datetime as dt

import pytest

from orchestrator.core.stack_status import Action, decide, root_cause


@pytest.mark.parametrize(
    ("status", "prod", "action"),
    [
        (None, False, Action.CREATE),
        ("CREATE_COMPLETE", True, Action.UPDATE),
        ("UPDATE_ROLLBACK_COMPLETE", False, Action.UPDATE),
        ("REVIEW_IN_PROGRESS", False, Action.DELETE_THEN_CREATE),
        ("ROLLBACK_COMPLETE", False, Action.DELETE_THEN_CREATE),
        ("ROLLBACK_COMPLETE", True, Action.REFUSE),
        ("REVIEW_IN_PROGRESS", True, Action.REFUSE),
        ("UPDATE_ROLLBACK_FAILED", True, Action.CONTINUE_ROLLBACK),
        ("UPDATE_IN_PROGRESS", False, Action.WAIT),
        ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", True, Action.WAIT),
        ("DELETE_FAILED", False, Action.REFUSE),
        ("UPDATE_FAILED", False, Action.REFUSE),
    ],
)
def test_each_status_maps_to_one_action(status, prod, action):
    assert decide(status, prod=prod).action is action


def test_a_prod_refusal_says_what_to_do_next():
    decision = decide("ROLLBACK_COMPLETE", prod=True)
    assert "never got created" in decision.reason and "delete" in decision.hint


def _event(stack, logical, status, reason, second):
    return {
        "StackName": stack,
        "LogicalResourceId": logical,
        "ResourceStatus": status,
        "ResourceStatusReason": reason,
        "Timestamp": dt.datetime(2026, 1, 1, 0, 0, second, tzinfo=dt.UTC),
    }


def test_root_cause_is_the_nested_failure_not_the_embedded_stack_echo():
    events = [
        _event(
            "root", "Api", "CREATE_FAILED", "Embedded stack arn:…/root-Api was not successfully created", 5
        ),
        _event("root-Api", "Schema", "CREATE_FAILED", "Resource creation cancelled", 4),
        _event("root-Api", "AuthorizerPermission", "CREATE_FAILED", "Function not found: …-authorizer", 3),
        _event(
            "root", "root", "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [Api]", 6
        ),
    ]
    cause = root_cause(events)
    assert (cause["StackName"], cause["LogicalResourceId"]) == ("root-Api", "AuthorizerPermission")


def test_no_failure_means_no_root_cause():
    assert root_cause([_event("root", "T", "CREATE_COMPLETE", None, 1)]) is None
