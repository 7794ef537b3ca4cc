"""The policy evaluator on plain data: AWS's documented evaluation logic for identity policies."""

import pytest

from orchestrator.quality.iam_policy import Policy, Verdict, evaluate

TABLE = "arn:aws:dynamodb:us-east-1:111122223333:table/bookingchat-dev"


def policy(*statements):
    return [Policy("p", {"Version": "2012-10-17", "Statement": list(statements)})]


def allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def verdict(policies, action="dynamodb:GetItem", resource=TABLE, context=None):
    return evaluate(policies, action, resource, context).verdict


def test_an_allow_is_required_and_an_explicit_deny_wins():
    assert verdict(policy()) is Verdict.IMPLICIT_DENY
    assert verdict(policy(allow("dynamodb:GetItem", TABLE))) is Verdict.ALLOWED
    deny = {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}
    assert verdict(policy(allow("dynamodb:GetItem", TABLE), deny)) is Verdict.DENIED
    # the deny may sit in another policy of the same role
    assert verdict(policy(allow("*", "*")) + [Policy("q", {"Statement": deny})]) is Verdict.DENIED


def test_actions_compare_case_insensitively_with_wildcards():
    assert verdict(policy(allow("DynamoDB:getitem", TABLE))) is Verdict.ALLOWED
    assert verdict(policy(allow("dynamodb:Get*", TABLE))) is Verdict.ALLOWED
    assert verdict(policy(allow("dynamodb:?etItem", TABLE))) is Verdict.ALLOWED
    assert verdict(policy(allow("dynamodb:Get*", TABLE)), "dynamodb:DeleteItem") is Verdict.IMPLICIT_DENY
    assert verdict(policy(allow(["s3:GetObject", "dynamodb:GetItem"], TABLE))) is Verdict.ALLOWED


def test_resources_compare_case_sensitively_with_wildcards():
    assert verdict(policy(allow("dynamodb:GetItem", TABLE.upper()))) is Verdict.IMPLICIT_DENY
    assert verdict(policy(allow("dynamodb:GetItem", TABLE.replace("dev", "DEV")))) is Verdict.IMPLICIT_DENY
    assert (
        verdict(policy(allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/bookingchat-*")))
        is Verdict.ALLOWED
    )
    assert (
        verdict(
            policy(allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:table/bookingchat-de?"))
        )
        is Verdict.ALLOWED
    )
    # the table's ARN does not cover its indexes, nor the other way round
    assert (
        verdict(policy(allow("dynamodb:Query", TABLE)), "dynamodb:Query", TABLE + "/index/gsi1")
        is Verdict.IMPLICIT_DENY
    )
    assert (
        verdict(policy(allow("dynamodb:Query", TABLE + "/index/*")), "dynamodb:Query", TABLE)
        is Verdict.IMPLICIT_DENY
    )
    # regex characters in ARNs are literal
    assert (
        verdict(policy(allow("s3:GetObject", "arn:aws:s3:::b/a.b")), "s3:GetObject", "arn:aws:s3:::b/aXb")
        is Verdict.IMPLICIT_DENY
    )


def test_not_action_and_not_resource_match_everything_not_listed():
    everything_but_delete = {"Effect": "Allow", "NotAction": "dynamodb:DeleteItem", "Resource": "*"}
    assert verdict(policy(everything_but_delete)) is Verdict.ALLOWED
    assert verdict(policy(everything_but_delete), "dynamodb:DeleteItem") is Verdict.IMPLICIT_DENY
    not_prod = {
        "Effect": "Allow",
        "Action": "dynamodb:*",
        "NotResource": "arn:aws:dynamodb:*:*:table/bookingchat-prod*",
    }
    assert verdict(policy(not_prod)) is Verdict.ALLOWED
    assert verdict(policy(not_prod), resource=TABLE.replace("dev", "prod")) is Verdict.IMPLICIT_DENY
    deny_outside = {"Effect": "Deny", "Action": "*", "NotResource": TABLE}
    assert verdict(policy(allow("*", "*"), deny_outside)) is Verdict.ALLOWED
    assert verdict(policy(allow("*", "*"), deny_outside), resource=TABLE + "-other") is Verdict.DENIED


def test_unknown_condition_keys_are_conditional_never_a_pass():
    conditioned = allow(
        "iam:PassRole",
        "*",
        Condition={"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
    )
    assert verdict(policy(conditioned), "iam:PassRole", "arn:aws:iam::1:role/r") is Verdict.CONDITIONAL
    known = {"iam:PassedToService": "cloudformation.amazonaws.com"}
    assert verdict(policy(conditioned), "iam:PassRole", "arn:aws:iam::1:role/r", known) is Verdict.ALLOWED
    other = {"iam:passedtoservice": "lambda.amazonaws.com"}  # key names are case-insensitive
    assert (
        verdict(policy(conditioned), "iam:PassRole", "arn:aws:iam::1:role/r", other) is Verdict.IMPLICIT_DENY
    )
    # …IfExists holds when the key is absent
    if_exists = allow("s3:GetObject", "*", Condition={"StringEqualsIfExists": {"s3:prefix": "a/"}})
    assert verdict(policy(if_exists), "s3:GetObject", "arn:aws:s3:::b/k") is Verdict.ALLOWED
    # a conditional Deny keeps an Allow from being a pass
    maybe_deny = {
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert verdict(policy(allow("*", "*"), maybe_deny)) is Verdict.CONDITIONAL
    assert (
        verdict(policy(allow("*", "*"), maybe_deny), context={"aws:SecureTransport": "true"})
        is Verdict.ALLOWED
    )


@pytest.mark.parametrize(
    ("operator", "wanted", "given", "expected"),
    [
        ("StringLike", "bookingchat-*", "bookingchat-dev", Verdict.ALLOWED),
        ("StringLike", "bookingchat-*", "other", Verdict.IMPLICIT_DENY),
        ("StringNotEquals", ["a", "b"], "c", Verdict.ALLOWED),
        ("StringNotEquals", ["a", "b"], "a", Verdict.IMPLICIT_DENY),
        ("ArnLike", "arn:aws:iam::*:role/x", "arn:aws:iam::1:role/x", Verdict.ALLOWED),
        ("NumericLessThan", "3", "2", Verdict.CONDITIONAL),  # operator not evaluated: not a pass
    ],
)
def test_condition_operators(operator, wanted, given, expected):
    st = allow("s3:GetObject", "*", Condition={operator: {"k:key": wanted}})
    assert verdict(policy(st), "s3:GetObject", "arn:aws:s3:::b/k", {"k:key": given}) is expected


def test_policy_variables_in_resources_are_conditional():
    st = allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*")
    assert verdict(policy(st), "s3:GetObject", "arn:aws:s3:::b/ana/x") is Verdict.CONDITIONAL
    literal = allow("s3:GetObject", "arn:aws:s3:::b/${*}")
    assert verdict(policy(literal), "s3:GetObject", "arn:aws:s3:::b/*") is Verdict.ALLOWED
    assert verdict(policy(literal), "s3:GetObject", "arn:aws:s3:::b/x") is Verdict.IMPLICIT_DENY


def test_the_decision_names_the_statements():
    d = evaluate(policy({"Sid": "Table", **allow("dynamodb:*", TABLE)}), "dynamodb:GetItem", TABLE)
    assert d.allowed_by == ("Table",) and "allowed" in str(d)
