"""Structured logs and CloudWatch EMF metrics (aws-lambda-powertools), one place.

`Metric` is the one list of metric names: the code emits only these, and the alarms and the
dashboard in infra/monitoring.yaml watch these names (tests/contracts/test_metrics_contract.py
holds them together). CloudWatch matches a metric's dimension set exactly and never aggregates,
so each EMF document publishes its value twice, in one line: per tenant (drill-down) and per
service + environment (what the alarms watch, whatever tenant it came from).
"""

from __future__ import annotations

import enum
import functools
import os

NAMESPACE = "BookingChat"
PER_TENANT = ("service", "environment", "tenantId")
PER_SERVICE = ("service", "environment")


class Metric(enum.StrEnum):
    BOOKING_CREATED = "BookingCreated"
    BOOKING_FAILED = "BookingFailed"
    PLAN_EXCEEDED = "PlanExceeded"
    FALLBACK_USED = "FallbackUsed"
    BEDROCK_TOKENS = "BedrockTokens"


def env_name() -> str:
    return os.environ.get("ENV_NAME", "local")


def service_name() -> str:
    # The Lambdas get POWERTOOLS_SERVICE_NAME=bookingchat-<env> from app/functions.yaml.
    return os.environ.get("POWERTOOLS_SERVICE_NAME") or f"bookingchat-{env_name()}"


@functools.cache
def logger():
    from aws_lambda_powertools import Logger

    return Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "bookingchat"))


def metric(name: Metric, tenant_id: str, value: float = 1, unit: str = "Count") -> None:
    """Print one EMF line for `name` with both dimension sets."""
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    name = Metric(name)  # an undeclared name is a bug, not a new metric
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE)
    # EphemeralMetrics: a fresh metric set per call (Metrics shares one across instances), and,
    # unlike single_metric, several dimension sets in one directive.
    emf = EphemeralMetrics(namespace=namespace, service=service_name())
    emf.add_metric(name=name.value, unit=MetricUnit(unit), value=value)
    values = {"service": service_name(), "environment": env_name(), "tenantId": tenant_id}
    for dim in PER_TENANT:
        emf.add_dimension(name=dim, value=values[dim])
    emf.add_dimensions(**{dim: values[dim] for dim in PER_SERVICE})
    emf.flush_metrics()
