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


def test_connections_are_kept_alive_as_aws_keeps_them(aws):
    """moto's own server closed the connection after every response (a new TCP connection and
    thread per call); the embedded AWS keeps it, as AWS does, and botocore reuses it."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="probe")
    headers = s3.list_buckets()["ResponseMetadata"]["HTTPHeaders"]
    assert headers.get("connection", "").lower() != "close"
    pool = next(iter(s3._endpoint.http_session._manager.pools._container.values()))
    for _ in range(5):
        s3.head_bucket(Bucket="probe")
    assert pool.num_connections == 1


def test_an_empty_put_is_answered_at_once(aws):
    """botocore sends `Expect: 100-continue` on every S3 PUT, empty bodies included (the journal's
    open markers); a server that answers 100 and then waits for a body that never comes hangs."""
    from botocore.config import Config

    s3 = boto3.client("s3", config=Config(read_timeout=5, retries={"max_attempts": 1}))
    s3.create_bucket(Bucket="probe")
    s3.put_object(Bucket="probe", Key="journal/dev/open/x", Body=b"")
    assert s3.head_object(Bucket="probe", Key="journal/dev/open/x")["ContentLength"] == 0


def test_s3_user_metadata_comes_back_as_s3_sends_it(aws):
    """S3 answers user metadata in lower case; botocore keeps each key as spelled in its header,
    and the release reads `sha256` and `version` from them."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="probe")
    s3.put_object(Bucket="probe", Key="a", Body=b"x", Metadata={"sha256": "abc", "version": "1.0.0"})
    assert s3.head_object(Bucket="probe", Key="a")["Metadata"] == {"sha256": "abc", "version": "1.0.0"}


def test_cloudformation_templates_parse_the_same_with_the_c_loader(embedded):
    """The embedded AWS parses templates with PyYAML's C loader (moto uses the pure-Python one):
    both must build the same data from every template we deploy."""
    import yaml
    from moto.cloudformation import models
    from moto.cloudformation.utils import yaml_tag_constructor

    from orchestrator.paths import INFRA

    class Pure(yaml.Loader):
        pass

    Pure.add_multi_constructor("", yaml_tag_constructor)
    assert models.yaml.Loader.__mro__[1] is yaml.CLoader  # what moto now parses with
    templates = sorted(INFRA.rglob("*.yaml"))
    assert {"app.yaml", "data.yaml", "edge.yaml", "monitoring.yaml"} <= {p.name for p in templates}
    for path in templates:
        text = path.read_text()
        assert yaml.load(text, Loader=embedded_aws.cloudformation_loader()) == yaml.load(text, Loader=Pure), (
            path
        )
