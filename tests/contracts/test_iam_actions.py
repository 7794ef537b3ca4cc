"""The mapper: API calls to the IAM actions and ARNs AWS checks; unknown calls fail loudly."""

import pytest

from orchestrator.quality.iam_actions import Need, Unmapped, needs
from orchestrator.quality.iam_calls import Call
from orchestrator.quality.iam_templates import Scope

SCOPE = Scope(account="111122223333", region="eu-west-1")
TABLE = "arn:aws:dynamodb:eu-west-1:111122223333:table/t"


def mapped(service, operation, **params):
    return needs(Call("x", service, operation, params), SCOPE)


def test_same_name_actions_take_their_arn_from_the_parameters():
    assert mapped("dynamodb", "DeleteItem", TableName="t", Key={}) == [Need("dynamodb:DeleteItem", TABLE)]
    assert mapped("dynamodb", "Query", TableName="t") == [Need("dynamodb:Query", TABLE)]
    assert mapped("dynamodb", "Query", TableName="t", IndexName="gsi1") == [
        Need("dynamodb:Query", TABLE + "/index/gsi1")
    ]
    assert mapped("ssm", "GetParameter", Name="/bookingchat/dev/X") == [
        Need("ssm:GetParameter", "arn:aws:ssm:eu-west-1:111122223333:parameter/bookingchat/dev/X")
    ]
    assert mapped("s3", "PutObject", Bucket="b", Key="k/1") == [Need("s3:PutObject", "arn:aws:s3:::b/k/1")]
    assert mapped("cloudfront", "CreateInvalidation", DistributionId="E1", InvalidationBatch={}) == [
        Need("cloudfront:CreateInvalidation", "arn:aws:cloudfront::111122223333:distribution/E1")
    ]


def test_the_known_mismatches():
    tx = mapped(
        "dynamodb",
        "TransactWriteItems",
        TransactItems=[
            {"Put": {"TableName": "t"}},
            {"Delete": {"TableName": "t"}},
            {"ConditionCheck": {"TableName": "u"}},
        ],
    )
    assert [n.action for n in tx] == [
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ]
    assert tx[2].resource.endswith(":table/u")
    assert mapped("bedrock-runtime", "Converse", modelId="anthropic.m-v1:0", messages=[]) == [
        Need("bedrock:InvokeModel", "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.m-v1:0")
    ]
    profile = mapped("bedrock-runtime", "ConverseStream", modelId="eu.anthropic.m-v1:0")
    assert [n.action for n in profile] == ["bedrock:InvokeModelWithResponseStream"] * 2
    assert profile[0].resource.endswith(":111122223333:inference-profile/eu.anthropic.m-v1:0")
    copy = mapped(
        "s3", "CopyObject", Bucket="b", Key="latest/x.js", CopySource={"Bucket": "b", "Key": "v1/x.js"}
    )
    assert copy == [
        Need("s3:GetObject", "arn:aws:s3:::b/v1/x.js"),
        Need("s3:PutObject", "arn:aws:s3:::b/latest/x.js"),
    ]
    assert mapped("s3", "HeadObject", Bucket="b", Key="k") == [Need("s3:GetObject", "arn:aws:s3:::b/k")]
    assert mapped("s3", "HeadBucket", Bucket="b") == [Need("s3:ListBucket", "arn:aws:s3:::b")]
    assert mapped("s3", "ListObjectsV2", Bucket="b", Prefix="p/") == [Need("s3:ListBucket", "arn:aws:s3:::b")]
    assert mapped("cloudwatch", "DescribeAlarms", AlarmNamePrefix="bookingchat-qa-", StateValue="ALARM") == [
        Need("cloudwatch:DescribeAlarms", "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:bookingchat-qa-*")
    ]
    assert mapped("sts", "GetCallerIdentity") == []


def test_an_unknown_call_fails_with_add_a_mapping():
    with pytest.raises(Unmapped, match="add a mapping"):
        mapped("dynamodb", "NoSuchOperation", TableName="t")
    with pytest.raises(Unmapped, match="add a mapping"):  # a real action, but no resource named
        mapped("dynamodb", "DeleteItem", Key={})


def test_change_set_calls_by_arn_are_checked_against_their_stack():
    from orchestrator.quality.iam_actions import with_change_set_stacks

    arn = "arn:aws:cloudformation:eu-west-1:111122223333:changeSet/cs-1/abc"
    calls = with_change_set_stacks(
        [
            Call(
                "d",
                "cloudformation",
                "CreateChangeSet",
                {"StackName": "bookingchat-dev-app", "ChangeSetName": "cs-1"},
            ),
            Call("d", "cloudformation", "ExecuteChangeSet", {"ChangeSetName": arn}),
            Call("d", "cloudformation", "DeleteChangeSet", {"ChangeSetName": arn.replace("cs-1", "cs-2")}),
        ]
    )
    stack = "arn:aws:cloudformation:eu-west-1:111122223333:stack/bookingchat-dev-app/"
    assert needs(calls[1], SCOPE)[0].resource.startswith(stack)
    with pytest.raises(Unmapped, match="add a mapping"):  # no CreateChangeSet named cs-2
        needs(calls[2], SCOPE)
    by_arn = mapped("cloudformation", "DescribeStackEvents", StackName=stack + "1234")
    assert by_arn == [Need("cloudformation:DescribeStackEvents", stack + "1234")]


def test_handing_cloudformation_a_role_is_a_pass_role_to_that_service():
    role = "arn:aws:iam::111122223333:role/bookingchat-dev-cfn-execution"
    out = mapped("cloudformation", "CreateChangeSet", StackName="s", ChangeSetName="c", RoleARN=role)
    assert out[1] == Need("iam:PassRole", role, (("iam:PassedToService", "cloudformation.amazonaws.com"),))
