import boto3
import pytest

from orchestrator.errors import UserError
from orchestrator.local import embedded_aws


def test_boto3_talks_to_the_embedded_aws_over_http(aws):
    s3 = boto3.client("s3")
    assert s3.meta.endpoint_url == aws.endpoint
    s3.create_bucket(Bucket="probe")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["probe"]


def test_each_test_starts_from_an_empty_embedded_aws(aws):
    assert boto3.client("s3").list_buckets()["Buckets"] == []


def test_a_busy_port_is_a_clear_refusal(embedded):
    with pytest.raises(UserError, match=f"port {embedded.port} is already in use"):
        embedded_aws.start(embedded.port)
