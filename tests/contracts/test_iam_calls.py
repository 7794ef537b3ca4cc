"""The recorder, against the embedded AWS: what it sees, and whom it blames."""

import threading

import boto3

from orchestrator.quality.iam_calls import Recorder, acting_as


def handler(event, context=None):  # stands for a Lambda handler module's entry point
    return boto3.client("sqs").list_queues()


def test_calls_are_recorded_with_their_principal(aws):
    early = boto3.client("sqs")  # made before the hook: a client copies its session's handlers
    with Recorder({(__name__, "handler"): "queue-fn"}) as rec:
        early.list_queues()
        sqs = boto3.client("sqs")
        with acting_as("setup"):
            url = sqs.create_queue(QueueName="q")["QueueUrl"]
        with acting_as("worker"):
            sqs.send_message(QueueUrl=url, MessageBody="hi")
        handler({})
        sqs.get_queue_url(QueueName="q")

        done = []

        def in_thread():  # a new thread does not inherit the contextvar: it must act itself
            sqs.list_queues()
            with acting_as("worker"):
                sqs.list_queues()
            done.append(1)

        t = threading.Thread(target=in_thread)
        t.start()
        t.join()
    boto3.client("sqs").list_queues()  # after uninstall: not recorded
    assert [(c.principal, c.operation) for c in rec.calls] == [
        ("setup", "CreateQueue"),
        ("worker", "SendMessage"),
        ("queue-fn", "ListQueues"),
        (None, "GetQueueUrl"),
        (None, "ListQueues"),
        ("worker", "ListQueues"),
    ]
    assert rec.calls[0].service == "sqs" and rec.calls[1].params == {"QueueUrl": url, "MessageBody": "hi"}


def test_params_are_a_snapshot_and_bodies_become_tags(aws):
    with Recorder() as rec:
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="contract-bucket")
        tags = {"TagSet": [{"Key": "a", "Value": "1"}]}
        s3.put_bucket_tagging(Bucket="contract-bucket", Tagging=tags)
        tags["TagSet"].clear()
        s3.put_object(Bucket="contract-bucket", Key="k", Body=b"bytes")
    assert rec.calls[1].params["Tagging"] == {"TagSet": [{"Key": "a", "Value": "1"}]}
    assert rec.calls[2].params["Body"] == "<bytes>"


def test_the_orchestrators_shared_clients_are_recorded_even_when_made_earlier(aws):
    """adapters/aws.client keeps one client per service and target for the whole process: one
    made by an earlier test (before the hook) went unrecorded, and the orchestrator's IAM
    contract missed every S3 and CloudFront call of a release that ran after another test."""
    from orchestrator.adapters import cdn

    cdn.s3().list_buckets()  # an earlier test's release made it
    with Recorder() as rec:
        cdn.s3().list_buckets()
    assert [(c.service, c.operation) for c in rec.calls] == [("s3", "ListBuckets")]
