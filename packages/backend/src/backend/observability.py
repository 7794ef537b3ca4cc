"""Structured logs and CloudWatch EMF metrics (aws-lambda-powertools), one place.

Metrics carry the tenant as a dimension, so each is flushed on its own (`single_metric`);
the EMF line goes to stdout, where CloudWatch turns it into a metric.
"""

from __future__ import annotations

import functools
import os

NAMESPACE = "BookingChat"


@functools.cache
def logger():
    from aws_lambda_powertools import Logger

    return Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "bookingchat"))


def metric(name: str, tenant_id: str, value: float = 1, unit: str = "Count") -> None:
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE)
    with single_metric(name=name, unit=MetricUnit(unit), value=value, namespace=namespace) as m:
        m.add_dimension(name="tenantId", value=tenant_id)
        m.add_dimension(name="environment", value=os.environ.get("ENV_NAME", "local"))
