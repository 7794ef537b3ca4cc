"""Structured logs and CloudWatch EMF metrics (aws-lambda-powertools), one place.

`Metric` is the one list of metric names: the code emits only these, and the alarms and the
dashboard in infra/monitoring.yaml watch these names (tests/contracts/test_metrics_contract.py
holds them together). CloudWatch matches a metric's dimension set exactly and never aggregates,
so each EMF document publishes its value twice, in one line: per tenant (drill-down) and per
service + environment (what the alarms watch, whatever tenant it came from).

The widget's client-health counters (`WidgetBoots`, `WidgetErrors`, from `reportClientEvent`)
are published per widget version instead: per service + environment + WidgetVersion (what
`inv canary watch` reads for the canary and the stable version) and the same with tenantId
(drill-down). Four and three dimensions, far under CloudWatch's 30.
"""

from __future__ import annotations

import enum
import functools
import os

NAMESPACE = "BookingChat"
PER_TENANT = ("service", "environment", "tenantId")
PER_SERVICE = ("service", "environment")
PER_VERSION = ("service", "environment", "WidgetVersion")
PER_TENANT_VERSION = ("service", "environment", "tenantId", "WidgetVersion")


class Metric(enum.StrEnum):
    BOOKING_CREATED = "BookingCreated"
    BOOKING_FAILED = "BookingFailed"
    PLAN_EXCEEDED = "PlanExceeded"
    FALLBACK_USED = "FallbackUsed"
    BEDROCK_TOKENS = "BedrockTokens"
    WIDGET_BOOTS = "WidgetBoots"  # app boots of one widget version (the canary judge's denominator)
    WIDGET_ERRORS = "WidgetErrors"  # client errors + failed chat turns of one widget version


WIDGET_METRICS = (Metric.WIDGET_BOOTS, Metric.WIDGET_ERRORS)


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


def widget_dimensions(env: str, version: str) -> dict[str, str]:
    """The per-version dimension set as a deployed function publishes it (functions.yaml gives every
    function POWERTOOLS_SERVICE_NAME=bookingchat-<env>): what the canary watcher queries."""
    return {"service": f"bookingchat-{env}", "environment": env, "WidgetVersion": version}


def widget_counts(tenant_id: str, version: str, boots: int, errors: int) -> None:
    """One EMF line with both client-health counters (one may be 0: a version that reported
    anything has both series, so a series with no data means nothing was reported)."""
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE)
    emf = EphemeralMetrics(namespace=namespace, service=service_name())
    emf.add_metric(name=Metric.WIDGET_BOOTS.value, unit=MetricUnit.Count, value=boots)
    emf.add_metric(name=Metric.WIDGET_ERRORS.value, unit=MetricUnit.Count, value=errors)
    values = {
        "service": service_name(),
        "environment": env_name(),
        "tenantId": tenant_id,
        "WidgetVersion": version,
    }
    for dim in PER_TENANT_VERSION:
        emf.add_dimension(name=dim, value=values[dim])
    emf.add_dimensions(**{dim: values[dim] for dim in PER_VERSION})
    emf.flush_metrics()
