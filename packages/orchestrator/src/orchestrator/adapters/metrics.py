"""CloudWatch metrics the orchestrator reads: sums of the widget's client-health counters per version.

Thin: one GetMetricData call per window (paged), four queries at most. The metric names and the
dimension set come from the backend (`backend.observability.widget_dimensions`), so the query names
exactly the series the handler publishes — CloudWatch matches a dimension set exactly and never
aggregates across sets (tests/contracts/test_metrics_contract.py holds the two together).
"""

from __future__ import annotations

from datetime import datetime

from orchestrator.adapters import aws

PERIOD = 60  # standard resolution; GetMetricData wants a multiple of 60 for data older than 3 h


def sums(
    namespace: str,
    queries: dict[str, tuple[str, dict[str, str]]],
    start: datetime,
    end: datetime,
    region: str | None = None,
) -> dict[str, float | None]:
    """{query id: (metric name, dimensions)} → {query id: Sum over [start, end), None if no data}.

    None, not 0, when CloudWatch has no datapoint at all: a metric that was never published (a
    wrong name or dimension, a handler that never ran) must not read as "no errors"."""
    cw = aws.client("cloudwatch", region)
    request = [
        {
            "Id": qid,  # ids start with a lowercase letter ([a-z][a-zA-Z0-9_]*)
            "MetricStat": {
                "Metric": {
                    "Namespace": namespace,
                    "MetricName": name,
                    "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(dims.items())],
                },
                "Period": PERIOD,
                "Stat": "Sum",
            },
            "ReturnData": True,
        }
        for qid, (name, dims) in queries.items()
    ]
    found: dict[str, list[float]] = {qid: [] for qid in queries}
    token = None
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = cw.get_metric_data(
            MetricDataQueries=request, StartTime=start, EndTime=end, ScanBy="TimestampAscending", **kwargs
        )
        for result in page["MetricDataResults"]:
            found[result["Id"]].extend(result.get("Values") or [])
        token = page.get("NextToken")
        if not token:
            break
    return {qid: (sum(values) if values else None) for qid, values in found.items()}


def put(namespace: str, data: list[dict]) -> None:
    """PutMetricData in chunks of 1000 datums (the API's limit per request)."""
    cw = aws.client("cloudwatch")
    for i in range(0, len(data), 1000):
        cw.put_metric_data(Namespace=namespace, MetricData=data[i : i + 1000])
