"""The contract check on plain data: what makes it fail, and what it only reports."""

from orchestrator.quality.iam_calls import SETUP, Call
from orchestrator.quality.iam_contract import check
from orchestrator.quality.iam_policy import Policy
from orchestrator.quality.iam_principals import Principal
from orchestrator.quality.iam_templates import Scope

SCOPE = Scope(account="111122223333", region="eu-west-1")
TABLE = "arn:aws:dynamodb:eu-west-1:111122223333:table/t"


def role(*statements):
    return {"fn": Principal("fn", "role-fn", (Policy("role-fn/p", {"Statement": list(statements)}),))}


def test_every_kind_of_failure_is_reported_and_setup_is_ignored():
    principals = role(
        {
            "Sid": "Items",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "Resource": TABLE,
        },
        {
            "Sid": "Pass",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
        },
        {
            "Sid": "Params",
            "Effect": "Allow",
            "Action": "ssm:GetParameter",
            "Resource": "*",
            "Condition": {"Bool": {"aws:ViaAWSService": "true"}},
        },
    )
    calls = [
        Call(SETUP, "dynamodb", "DeleteTable", {"TableName": "t"}),
        Call("fn", "dynamodb", "GetItem", {"TableName": "t", "Key": {}}),
        Call("fn", "dynamodb", "DeleteItem", {"TableName": "t", "Key": {}}),
        Call("fn", "dynamodb", "DeleteItem", {"TableName": "t", "Key": {}}),  # reported once
        Call("fn", "ssm", "GetParameter", {"Name": "/x"}),
        Call(
            "fn",
            "cloudformation",
            "CreateChangeSet",
            {"StackName": "s", "ChangeSetName": "c", "RoleARN": "arn:aws:iam::1:role/r"},
        ),
        Call("fn", "dynamodb", "Frobnicate", {"TableName": "t"}),
        Call(None, "dynamodb", "GetItem", {"TableName": "t"}),
        Call("other", "dynamodb", "GetItem", {"TableName": "t"}),
    ]
    report = check("t", calls, principals, SCOPE)
    assert not report.ok
    text = report.summary()
    assert "dynamodb:DeleteItem on " + TABLE + ": implicit-deny" in text and text.count("DeleteItem on") == 1
    assert "ssm:GetParameter" in text and "conditional (unknown condition keys: aws:ViaAWSService)" in text
    assert (
        "iam:PassRole on arn:aws:iam::1:role/r: implicit-deny" in text
    )  # passed to cloudformation, not lambda
    assert "cloudformation:CreateChangeSet" in text
    assert "add a mapping" in text and "unattributed call dynamodb.GetItem" in text
    assert "no production principal is known for 'other'" in text
    assert "DeleteTable" not in text  # SETUP is nobody in production
    assert report.unused == [
        "role-fn: Items grants dynamodb:PutItem, which no recorded call needed",
        "role-fn: Pass grants iam:PassRole, which no recorded call needed",  # its condition never held
    ]


def test_a_fully_granted_run_passes():
    principals = role({"Effect": "Allow", "Action": "dynamodb:*", "Resource": [TABLE, TABLE + "/index/*"]})
    calls = [Call("fn", "dynamodb", "Query", {"TableName": "t", "IndexName": "gsi1"})]
    report = check("t", calls, principals, SCOPE)
    assert report.ok and report.unused == []
