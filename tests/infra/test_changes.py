"""Reading change sets for data loss, and the static createOnlyProperties check."""

from orchestrator.core import changes as ch

TABLE = {
    "Type": "AWS::DynamoDB::Table",
    "DeletionPolicy": "Retain",
    "Properties": {"TableName": {"Fn::Sub": "bookingchat-${EnvName}"}, "BillingMode": "PAY_PER_REQUEST"},
}


def test_create_only_properties_come_from_the_bundled_schemas():
    assert "TableName" in ch.create_only_properties("AWS::DynamoDB::Table")
    assert "BucketName" in ch.create_only_properties("AWS::S3::Bucket")


def test_a_renamed_table_is_a_replacement_even_when_the_change_set_says_modify():
    old = {"Resources": {"Table": TABLE}}
    new = {"Resources": {"Table": {**TABLE, "Properties": {**TABLE["Properties"], "TableName": "other"}}}}
    risks = ch.static_risks("s", old, new, {"EnvName": "dev"}, {"EnvName": "dev"})
    assert [(r.logical_id, r.replacement) for r in risks] == [("Table", "True")]
    assert risks[0].destroys_data and "TableName" in risks[0].reason


def test_a_parameter_that_renames_the_table_is_caught():
    tpl = {"Resources": {"Table": TABLE}}
    assert ch.static_risks("s", tpl, tpl, {"EnvName": "dev"}, {"EnvName": "qa"})[0].destroys_data


def test_updatable_properties_and_stateless_resources_are_not_risks():
    new_table = {**TABLE, "Properties": {**TABLE["Properties"], "BillingMode": "PROVISIONED"}}
    old = {"Resources": {"Table": TABLE, "Q": {"Type": "AWS::SQS::Queue"}}}
    new = {"Resources": {"Table": new_table}}
    assert ch.static_risks("s", old, new, {"EnvName": "dev"}, {"EnvName": "dev"}) == []


def test_a_removed_pool_is_data_loss():
    old = {"Resources": {"Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {}}}}
    (risk,) = ch.static_risks("s", old, {"Resources": {}})
    assert risk.action == "Remove" and risk.destroys_data


def test_change_set_rows_flag_replacement_of_stateful_types_only():
    rows = ch.from_change_set(
        "s",
        [
            {
                "ResourceChange": {
                    "Action": "Modify",
                    "LogicalResourceId": "B",
                    "ResourceType": "AWS::S3::Bucket",
                    "Replacement": "Conditional",
                }
            },
            {
                "ResourceChange": {
                    "Action": "Modify",
                    "LogicalResourceId": "F",
                    "ResourceType": "AWS::Lambda::Function",
                    "Replacement": "True",
                }
            },
        ],
    )
    assert [r.destroys_data for r in rows] == [True, False]
