"""CloudWatch's EMF processing, emulated for the handlers the local sandbox runs in-process.

On AWS a Lambda prints Embedded Metric Format lines to its log and CloudWatch Logs turns them
into metrics; the embedded AWS (moto) stores log lines but extracts nothing. So where the
sandbox runs a handler (the local AppSync, `./inv invoke`) it wraps the call in `forwarding()`:
the lines the handler prints on that thread are still printed, and every EMF document among
them is sent as PutMetricData to the embedded AWS — one datum per metric value and dimension
set, with the document's timestamp, as CloudWatch would create them — so GetMetricData (e.g.
`canary watch`) works locally. Like the local AppSync, this stands in for an AWS service; it
is not a fake of one: the metrics land in the emulator and are read back over its API.

Only against an embedded endpoint (AWS_ENDPOINT_URL set): it never writes to a real account.
A failed PutMetricData is reported on stderr and never fails the request (on AWS the
extraction happens after the invocation, out of its way).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import threading
from datetime import UTC, datetime

_local = threading.local()
_install = threading.Lock()


class _Tee(io.TextIOBase):
    """sys.stdout that also keeps what the threads inside `forwarding()` print."""

    def __init__(self, inner):
        self.inner = inner

    def write(self, text: str) -> int:
        buffer = getattr(_local, "buffer", None)
        if buffer is not None:
            buffer.append(text)
        return self.inner.write(text)

    def flush(self) -> None:
        self.inner.flush()


def metric_data(text: str) -> dict[str, list[dict]]:
    """{namespace: PutMetricData datums} for the EMF documents in `text` (other lines skipped)."""
    out: dict[str, list[dict]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        try:
            doc = json.loads(line)
            meta = doc["_aws"]
            stamp = datetime.fromtimestamp(meta["Timestamp"] / 1000, UTC)
            for directive in meta["CloudWatchMetrics"]:
                for dims in directive["Dimensions"]:
                    dimensions = [{"Name": d, "Value": str(doc[d])} for d in dims]
                    for metric in directive["Metrics"]:
                        values = doc[metric["Name"]]
                        for value in values if isinstance(values, list) else [values]:
                            datum = {
                                "MetricName": metric["Name"],
                                "Dimensions": dimensions,
                                "Timestamp": stamp,
                                "Value": float(value),
                                "Unit": metric.get("Unit", "None"),
                            }
                            out.setdefault(directive["Namespace"], []).append(datum)
        except (KeyError, TypeError, ValueError):
            continue  # CloudWatch drops a malformed document too (and logs it as a plain line)
    return out


@contextlib.contextmanager
def forwarding():
    """Run a handler; then send the EMF documents it printed to the embedded AWS as metrics."""
    if not os.environ.get("AWS_ENDPOINT_URL") or getattr(_local, "buffer", None) is not None:
        yield
        return
    with _install:
        if not isinstance(sys.stdout, _Tee):  # another owner (a test's capture) may have replaced it
            sys.stdout = _Tee(sys.stdout)
    _local.buffer = []
    try:
        yield
    finally:
        text, _local.buffer = "".join(_local.buffer), None
        _forward(text)


def _forward(text: str) -> None:
    from orchestrator.adapters import metrics

    for namespace, data in metric_data(text).items():
        try:
            metrics.put(namespace, data)
        except Exception as err:  # noqa: BLE001 — metrics are best-effort here, as on AWS
            print(f"local EMF → PutMetricData failed: {err}", file=sys.stderr)
