"""CPU and wall time per AWS call against the embedded AWS: moto's own server (werkzeug's
development server, a new connection per call) against ours (waitress, kept-alive connections).

    .venv/bin/python benchmarks/local/embedded_aws_calls.py [--calls 2000] [--runs 3]

Each run starts a fresh server in this process (as the tests and local-dev do: client and server
share one interpreter), then makes the same S3 HEAD + DynamoDB PutItem pairs with one client per
service. CPU is this process's (client and server together).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time

import boto3

from orchestrator.local import embedded_aws


def moto_server() -> tuple[str, object]:
    from moto.server import ThreadedMotoServer

    port = embedded_aws.free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return f"http://127.0.0.1:{port}", server


def ours() -> tuple[str, object]:
    aws = embedded_aws.start()
    return aws.endpoint, aws


def measure(start, calls: int) -> tuple[float, float]:
    endpoint, server = start()
    s3 = boto3.client("s3", endpoint_url=endpoint)
    ddb = boto3.client("dynamodb", endpoint_url=endpoint)
    s3.create_bucket(Bucket="bench")
    s3.put_object(Bucket="bench", Key="k", Body=b"x" * 100)
    ddb.create_table(
        TableName="bench",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(calls // 2):
        s3.head_object(Bucket="bench", Key="k")
        ddb.put_item(TableName="bench", Item={"pk": {"S": str(i)}})
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    embedded_aws.EmbeddedAWS(port=int(endpoint.rsplit(":", 1)[1])).reset()  # moto's state is per process
    server.stop()
    return wall / calls * 1000, cpu / calls * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    os.environ.update(embedded_aws.FAKE_CREDENTIALS)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # it logs every request
    for name, start in (("moto's server (werkzeug)", moto_server), ("embedded AWS (waitress)", ours)):
        runs = [measure(start, args.calls) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"{name:28s} wall {wall:5.2f} ms/call   cpu {cpu:5.2f} ms/call   (median of {args.runs})")


if __name__ == "__main__":
    main()
