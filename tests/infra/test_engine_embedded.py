"""One stack through the engine against the embedded AWS: refusals, failures, recovery."""

from __future__ import annotations

import boto3
import pytest
import yaml

from orchestrator.adapters import cloudformation as cf
from orchestrator.deploy import stacks as dp
from orchestrator.errors import UserError

BUCKET = "engine-artifacts"
TABLE = {
    "Type": "AWS::DynamoDB::Table",
    "DeletionPolicy": "Retain",
    "UpdateReplacePolicy": "Retain",
    "Properties": {
        "TableName": "engine-t1",
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    },
}


@pytest.fixture
def engine(aws, tmp_path):
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    lines: list[str] = []

    def run(template: dict, stack: str = "engine", **opts):
        path = tmp_path / "root.yaml"
        path.write_text(yaml.safe_dump(template))
        packaged = dp.package_template(boto3.client("s3"), BUCKET, path)
        options = dp.Options(echo=lines.append, poll=0, **opts)
        return dp.deploy_stack(cf.client(), "data", stack, packaged, {}, {}, options)

    run.lines = lines
    run.dir = tmp_path
    return run


def _renamed(name: str) -> dict:
    return {"Resources": {"Table": {**TABLE, "Properties": {**TABLE["Properties"], "TableName": name}}}}


def test_a_change_set_that_replaces_a_table_is_refused_and_nothing_changes(engine):
    engine({"Resources": {"Table": TABLE}})
    with pytest.raises(
        UserError, match=r"replace or remove stateful data: Table \(AWS::DynamoDB::Table\)"
    ) as err:
        engine(_renamed("engine-t2"))
    assert "--allow-data-loss" in err.value.hint
    assert any("DATA LOSS" in line for line in engine.lines)
    assert cf.template(cf.client(), "engine")["Resources"]["Table"]["Properties"]["TableName"] == "engine-t1"
    left = boto3.client("cloudformation").list_change_sets(StackName="engine")["Summaries"]
    assert [c["ExecutionStatus"] for c in left] == ["EXECUTE_COMPLETE"]  # the refused one was deleted


def test_allow_data_loss_lets_it_through_outside_prod_but_never_in_prod(engine):
    engine({"Resources": {"Table": TABLE}})
    with pytest.raises(UserError, match="never allowed in prod|stateful data"):
        engine(_renamed("engine-t2"), prod=True, allow_data_loss=True)
    assert engine(_renamed("engine-t2"), allow_data_loss=True).outcome == "updated"


def test_a_removed_table_is_refused(engine):
    engine({"Resources": {"Table": TABLE, "Q": {"Type": "AWS::SQS::Queue"}}})
    with pytest.raises(UserError, match="stateful data: Table"):
        engine({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})


def test_dry_run_shows_the_changes_and_executes_nothing(engine):
    result = engine({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, dry_run=True)
    assert result.outcome == "dry run" and [c.logical_id for c in result.changes] == ["Q"]
    assert boto3.client("sqs").list_queues().get("QueueUrls", []) == []


def test_a_failed_nested_stack_names_its_root_cause_and_the_next_deploy_recovers(engine):
    (engine.dir / "child.yaml").write_text(
        yaml.safe_dump(
            {
                "Resources": {
                    "Q": {
                        "Type": "AWS::SQS::Queue",
                        "Properties": {"QueueName": {"Fn::GetAtt": ["Nope", "Arn"]}},
                    }
                }
            }
        )
    )
    nested = {
        "Resources": {
            "Child": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "child.yaml"}}
        }
    }
    with pytest.raises(dp.DeployFailed, match="undefined resource Nope") as err:
        engine(nested)
    assert err.value.exit_code == 1
    # moto leaves the never-created stack in REVIEW_IN_PROGRESS: the rule deletes, then creates.
    assert cf.describe(cf.client(), "engine")["StackStatus"] == "REVIEW_IN_PROGRESS"
    (engine.dir / "child.yaml").write_text(yaml.safe_dump({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}))
    assert engine(nested).outcome == "created"
    assert any("never got created → delete, then create" in line for line in engine.lines)


def test_a_stuck_stack_in_prod_is_refused_not_deleted(engine):
    boto3.client("cloudformation").create_change_set(
        StackName="engine",
        ChangeSetName="left",
        ChangeSetType="CREATE",
        TemplateBody='{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}',
    )
    with pytest.raises(UserError, match="REVIEW_IN_PROGRESS"):
        engine({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, prod=True)
    assert cf.describe(cf.client(), "engine")["StackStatus"] == "REVIEW_IN_PROGRESS"


def test_a_dry_run_of_a_new_stack_leaves_no_stack_behind(engine):
    engine({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, dry_run=True)
    assert cf.describe(cf.client(), "engine") is None


def test_with_an_execution_role_cloudformation_acts_as_that_role(engine):
    """The deploy role only passes the github-oidc stack's execution role; CloudFormation uses it."""
    role = "arn:aws:iam::123456789012:role/bookingchat-dev-cfn-execution"
    engine({"Resources": {"Table": TABLE}}, role_arn=role)
    assert boto3.client("cloudformation").describe_stacks(StackName="engine")["Stacks"][0]["RoleARN"] == role
