"""The metrics contract: every alarm and dashboard line watches a metric that is really published.

CloudWatch identifies a metric by namespace + name + the EXACT set of dimensions it was published
with; it never aggregates into a combination nobody published, so an alarm on any other set sits
in INSUFFICIENT_DATA for ever. The embedded AWS accepts any alarm, so this module holds the rule:

- what the code emits: EMF documents parsed from what the Lambdas print (`parse_emf`);
- what AWS publishes for its own namespaces: `AWS_PUBLISHED`, one row per metric with its source;
- what the templates watch: alarms (plain and metric-math) and the dashboard body, intrinsics
  resolved for one environment (`watched`);
- what must be switched on for a metric to exist (CloudFront additional metrics) and whether the
  alarm topic can be used by CloudWatch at all (customer-managed KMS key, topic policy).

Pure functions over plain data: templates come in as loaded dicts, findings go out as strings.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

AWS_PREFIX = "AWS/"
ACCOUNT = "000000000000"


@dataclass(frozen=True)
class Emitted:
    """One series an EMF document creates: one per (directive, dimension set, metric)."""

    namespace: str
    name: str
    dimensions: frozenset[str]
    values: tuple[tuple[str, str], ...] = ()  # the dimension values of that document

    def value(self, dim: str) -> str | None:
        return dict(self.values).get(dim)


@dataclass(frozen=True)
class Watched:
    """One metric an alarm or a dashboard widget reads."""

    where: str
    namespace: str
    name: str
    dimensions: Mapping[str, str]
    region: str

    def __str__(self) -> str:
        dims = ", ".join(f"{k}={v}" for k, v in sorted(self.dimensions.items())) or "no dimensions"
        return f"{self.where}: {self.namespace} {self.name} [{dims}]"


@dataclass(frozen=True)
class AwsMetric:
    """The dimension sets AWS publishes one of its metrics with (any other set never exists)."""

    namespace: str
    names: tuple[str, ...]
    dimension_sets: tuple[frozenset[str], ...]
    source: str
    fixed: Mapping[str, str] = field(default_factory=dict)  # dimensions with one valid value
    region: str | None = None  # published in this region only
    needs: str | None = None  # a resource type that must switch the metric on


def _sets(*sets: Iterable[str]) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(s) for s in sets)


_CLOUDFRONT_DOC = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html"
)
_LAMBDA_DOC = "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-functions-metrics.html"
_DYNAMODB_DOC = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html"

# What AWS publishes (anchors doc, section A8). A metric not listed here fails the contract until
# someone adds its row, with the page that says which dimension sets exist.
AWS_PUBLISHED: tuple[AwsMetric, ...] = (
    AwsMetric(
        "AWS/DynamoDB",
        ("ThrottledRequests",),
        _sets({"TableName", "Operation"}),
        _DYNAMODB_DOC,
    ),
    AwsMetric(
        "AWS/DynamoDB",
        ("ReadThrottleEvents", "WriteThrottleEvents"),
        _sets({"TableName"}, {"TableName", "GlobalSecondaryIndexName"}),
        _DYNAMODB_DOC,
    ),
    AwsMetric(
        "AWS/Lambda",
        ("Errors", "Invocations", "Throttles", "Duration", "ConcurrentExecutions"),
        _sets({"FunctionName"}, {"FunctionName", "Resource"}, {"FunctionName", "ExecutedVersion"}, ()),
        _LAMBDA_DOC + "; https://docs.aws.amazon.com/lambda/latest/dg/monitoring-concurrency.html",
    ),
    AwsMetric(
        "AWS/Lambda",
        ("UnreservedConcurrentExecutions", "ClaimedAccountConcurrency"),
        _sets(()),
        "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-concurrency.html",
    ),
    AwsMetric(
        "AWS/AppSync",
        ("Latency", "4XXError", "5XXError", "Requests"),
        # Per resolver / data source / operation only with EnhancedMetricsConfig (not used here).
        _sets({"GraphQLAPIId"}),
        "https://docs.aws.amazon.com/appsync/latest/devguide/monitoring.html; "
        "https://docs.aws.amazon.com/appsync/latest/APIReference/API_EnhancedMetricsConfig.html",
    ),
    AwsMetric(
        "AWS/CloudFront",
        ("Requests", "BytesDownloaded", "BytesUploaded", "4xxErrorRate", "5xxErrorRate", "TotalErrorRate"),
        _sets({"DistributionId", "Region"}),
        _CLOUDFRONT_DOC,
        fixed={"Region": "Global"},
        region="us-east-1",
    ),
    AwsMetric(
        "AWS/CloudFront",
        (
            "CacheHitRate",
            "OriginLatency",
            "401ErrorRate",
            "403ErrorRate",
            "404ErrorRate",
            "502ErrorRate",
            "503ErrorRate",
            "504ErrorRate",
        ),
        _sets({"DistributionId", "Region"}),
        _CLOUDFRONT_DOC,
        fixed={"Region": "Global"},
        region="us-east-1",
        needs="AWS::CloudFront::MonitoringSubscription",
    ),
)


# ── what the code emits ─────────────────────────────────────────────────────────────────────


def parse_emf(text: str) -> list[Emitted]:
    """Every series the EMF documents in `text` (one JSON object a line) would create.

    Other lines (logs, blank) are skipped. A document that names a dimension or metric it does
    not carry is rejected, as CloudWatch rejects it.
    """
    found: list[Emitted] = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        doc = json.loads(line)
        for directive in doc.get("_aws", {}).get("CloudWatchMetrics", []):
            for dims in directive["Dimensions"]:
                missing = [d for d in dims if not isinstance(doc.get(d), str)]
                if missing:
                    raise ValueError(f"EMF document names dimensions it does not carry: {missing}: {line}")
                values = tuple(sorted((d, doc[d]) for d in dims))
                for metric in directive["Metrics"]:
                    if metric["Name"] not in doc:
                        raise ValueError(f"EMF document has no value for {metric['Name']}: {line}")
                    found.append(Emitted(directive["Namespace"], metric["Name"], frozenset(dims), values))
    return found


# ── resolving a template for one environment ────────────────────────────────────────────────


class Resolver:
    """Intrinsics resolved enough to compare: parameters and pseudo parameters by value,
    resources as `<LogicalId>` / `<LogicalId.Attr>` placeholders, conditions evaluated."""

    def __init__(self, template: Mapping, params: Mapping[str, str], region: str) -> None:
        self.template = template
        declared = template.get("Parameters", {})
        self.params = {k: str(v.get("Default", "")) for k, v in declared.items() if "Default" in v}
        self.params.update(params)
        self.params.update({"AWS::Region": region, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws"})
        self.params.setdefault("AWS::StackName", "stack")
        self.region = region
        self._conditions: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = bool(self.value(self.template["Conditions"][name]))
        return self._conditions[name]

    def present(self, resource: Mapping) -> bool:
        return "Condition" not in resource or self.condition(resource["Condition"])

    def resources(self, type_: str) -> dict[str, dict]:
        return {
            k: r
            for k, r in self.template.get("Resources", {}).items()
            if r.get("Type") == type_ and self.present(r)
        }

    def value(self, node):  # noqa: C901, PLR0911, PLR0912 - one branch per intrinsic
        if isinstance(node, list):
            return [self.value(n) for n in node if n != {"Ref": "AWS::NoValue"}]
        if not isinstance(node, dict):
            return node
        if len(node) != 1:
            return {k: self.value(v) for k, v in node.items()}
        ((key, arg),) = node.items()
        if key == "Ref":
            # A parameter without a value stays a placeholder: it then matches nothing emitted.
            return self.params.get(arg, f"<{arg}>")
        if key == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            return f"<{'.'.join(parts)}>"
        if key == "Fn::Sub":
            text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.value(arg[1]))
            return re.sub(r"\$\{([^!}][^}]*)\}", lambda m: self._sub(m.group(1), extra), text)
        if key == "Fn::Join":
            return str(arg[0]).join(str(v) for v in self.value(arg[1]))
        if key == "Fn::If":
            name, yes, no = arg
            return self.value(yes if self.condition(name) else no)
        if key == "Fn::Equals":
            left, right = self.value(arg)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self.value(arg[0])
        if key == "Fn::And":
            return all(self.value(a) for a in arg)
        if key == "Fn::Or":
            return any(self.value(a) for a in arg)
        if key == "Condition":
            return self.condition(arg)
        return {key: self.value(arg)}

    def _sub(self, name: str, extra: Mapping) -> str:
        if name in extra:
            return str(extra[name])
        if "." in name:
            return f"<{name}>"
        return str(self.value({"Ref": name}))


# ── what the templates watch ────────────────────────────────────────────────────────────────


def _dims(resolved: list | None) -> dict[str, str]:
    return {d["Name"]: str(d["Value"]) for d in resolved or []}


def watched(template: Mapping, params: Mapping[str, str], region: str) -> list[Watched]:
    """Every metric the template's alarms and dashboards read, for one environment."""
    r = Resolver(template, params, region)
    found: list[Watched] = []
    for logical, alarm in r.resources("AWS::CloudWatch::Alarm").items():
        props = r.value(alarm["Properties"])
        where = f"alarm {logical}"
        if "MetricName" in props:
            found.append(
                Watched(
                    where, props["Namespace"], props["MetricName"], _dims(props.get("Dimensions")), region
                )
            )
        for query in props.get("Metrics", []):
            if "MetricStat" in query:
                m = query["MetricStat"]["Metric"]
                found.append(
                    Watched(
                        f"{where} ({query['Id']})",
                        m["Namespace"],
                        m["MetricName"],
                        _dims(m.get("Dimensions")),
                        region,
                    )
                )
    for logical, board in r.resources("AWS::CloudWatch::Dashboard").items():
        body = r.value(board["Properties"]["DashboardBody"])
        found += dashboard_metrics(
            f"dashboard {logical}", json.loads(body) if isinstance(body, str) else body, region
        )
    return found


def dashboard_metrics(where: str, body: Mapping, region: str) -> list[Watched]:
    """Metric rows of a dashboard body: [namespace, name, dim, value, …, {options}], where "."
    repeats the item at the same position of the row before (CloudWatch's shorthand)."""
    found = []
    for i, widget in enumerate(body.get("widgets", [])):
        props = widget.get("properties", {})
        title = props.get("title", f"widget {i}")
        previous: list = []
        for row in props.get("metrics", []):
            items = [x for x in row if not isinstance(x, dict)]
            if not items:  # an expression row, e.g. [{"expression": "m1+m2"}]
                continue
            items = [previous[j] if x == "." and j < len(previous) else x for j, x in enumerate(items)]
            previous = items
            options = next((x for x in row if isinstance(x, dict)), {})
            dims = dict(zip(items[2::2], items[3::2], strict=False))
            found.append(
                Watched(
                    f"{where} '{title}'",
                    items[0],
                    items[1],
                    {k: str(v) for k, v in dims.items()},
                    options.get("region", props.get("region", region)),
                )
            )
    return found


# ── the checks ──────────────────────────────────────────────────────────────────────────────


def _fmt(dims: Iterable[str]) -> str:
    return "{" + ", ".join(sorted(dims)) + "}"


def check_custom(watching: Iterable[Watched], emitted: Iterable[Emitted]) -> list[str]:
    """Custom-namespace metrics: namespace, name and dimension set exactly as emitted; values of
    dimensions the code fixes per environment (service, environment) equal to what it emits."""
    emitted = list(emitted)
    findings = []
    for w in watching:
        if w.namespace.startswith(AWS_PREFIX):
            continue
        same_name = [e for e in emitted if (e.namespace, e.name) == (w.namespace, w.name)]
        if not same_name:
            names = sorted({e.name for e in emitted if e.namespace == w.namespace})
            findings.append(
                f"{w}: the code never emits {w.name} in {w.namespace} (it emits: {', '.join(names) or 'nothing'})"
            )
            continue
        exact = [e for e in same_name if e.dimensions == frozenset(w.dimensions)]
        if not exact:
            sets = " or ".join(sorted({_fmt(e.dimensions) for e in same_name}))
            findings.append(
                f"{w}: no series with dimensions {_fmt(w.dimensions)}; the code publishes {w.name} with {sets} "
                "(CloudWatch matches exact dimension sets only)"
            )
            continue
        for dim, want in w.dimensions.items():
            seen = {e.value(dim) for e in exact}
            if want not in seen and dim != "tenantId":
                findings.append(
                    f"{w}: {dim}={want!r} but the code emits {dim}={' or '.join(sorted(map(repr, seen)))}"
                )
    return findings


def aws_row(namespace: str, name: str) -> AwsMetric | None:
    return next((m for m in AWS_PUBLISHED if m.namespace == namespace and name in m.names), None)


def check_aws(watching: Iterable[Watched]) -> list[str]:
    """AWS-namespace metrics: a dimension set AWS publishes, its fixed values, its region."""
    findings = []
    for w in watching:
        if not w.namespace.startswith(AWS_PREFIX):
            continue
        row = aws_row(w.namespace, w.name)
        if row is None:
            findings.append(f"{w}: not in the table of what AWS publishes; add a row with its source page")
            continue
        if frozenset(w.dimensions) not in row.dimension_sets:
            sets = " or ".join(_fmt(s) for s in row.dimension_sets)
            findings.append(f"{w}: AWS publishes {w.name} only with {sets} ({row.source})")
        for dim, want in row.fixed.items():
            if dim in w.dimensions and w.dimensions[dim] != want:
                findings.append(f"{w}: {dim} must be {want!r} ({row.source})")
        if row.region and w.region != row.region:
            findings.append(
                f"{w}: read in {w.region}, but {w.name} exists only in {row.region} ({row.source})"
            )
    return findings


def needed_switches(watching: Iterable[Watched]) -> dict[str, list[Watched]]:
    """Resource types that must exist for watched metrics to be published at all."""
    needs: dict[str, list[Watched]] = {}
    for w in watching:
        row = aws_row(w.namespace, w.name)
        if row and row.needs:
            needs.setdefault(row.needs, []).append(w)
    return needs


def check_cloudfront_subscription(
    watching: Iterable[Watched], edge: Mapping, params: Mapping[str, str], region: str
) -> list[str]:
    """CloudFront additional metrics exist only for a distribution with a MonitoringSubscription
    (RealtimeMetricsSubscriptionStatus Enabled) — the distribution the edge stack outputs as
    DistributionId, which the monitoring stack receives."""
    users = needed_switches(watching).get("AWS::CloudFront::MonitoringSubscription", [])
    if not users:
        return []
    r = Resolver(edge, params, region)
    distribution = r.value(edge.get("Outputs", {}).get("DistributionId", {}).get("Value"))
    subscribed = [
        s
        for s in r.resources("AWS::CloudFront::MonitoringSubscription").values()
        if r.value(s["Properties"].get("DistributionId")) == distribution
        and r.value(s["Properties"])
        .get("MonitoringSubscription", {})
        .get("RealtimeMetricsSubscriptionConfig", {})
        .get("RealtimeMetricsSubscriptionStatus")
        == "Enabled"
    ]
    if subscribed:
        return []
    return [
        f"{w}: CloudFront publishes {w.name} only with additional metrics on; the edge template has no "
        f"enabled AWS::CloudFront::MonitoringSubscription for {distribution} ({_CLOUDFRONT_DOC})"
        for w in users
    ]


def _statements(policy) -> list[dict]:
    stmts = (policy or {}).get("Statement", [])
    return [stmts] if isinstance(stmts, dict) else list(stmts)


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _allows(policy, service: str, actions: Iterable[str]) -> list[str]:
    """The actions of `actions` that no Allow statement for the service principal grants."""
    granted: list[str] = []
    for s in _statements(policy):
        principal = s.get("Principal", {})
        services = _listed(principal.get("Service", [])) if isinstance(principal, dict) else []
        if s.get("Effect") == "Allow" and service in services:
            granted += _listed(s.get("Action", []))
    return [a for a in actions if not any(fnmatch.fnmatchcase(a.lower(), g.lower()) for g in granted)]


_KMS_FOR_CLOUDWATCH = ("kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext")
_ALARM_KMS_DOC = "https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns"
_ALARM_POLICY_DOC = "https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger"


def _target(ref: str) -> str | None:
    m = re.fullmatch(r"<([A-Za-z0-9]+)(?:\.Arn|\.KeyId)?>", str(ref))
    return m.group(1) if m else None


def check_alarm_topics(template: Mapping, params: Mapping[str, str], region: str) -> list[str]:
    """Every SNS topic an alarm notifies must be usable by CloudWatch: encrypted with a
    customer-managed key of this template whose policy lets cloudwatch.amazonaws.com use it
    (the AWS-managed aws/sns key cannot), and a topic policy letting CloudWatch publish."""
    r = Resolver(template, params, region)
    resources = template.get("Resources", {})
    topics: dict[str, set[str]] = {}
    for logical, alarm in r.resources("AWS::CloudWatch::Alarm").items():
        props = r.value(alarm["Properties"])
        for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
            for action in props.get(key, []):
                topic = _target(action)
                if topic and resources.get(topic, {}).get("Type") == "AWS::SNS::Topic":
                    topics.setdefault(topic, set()).add(logical)
    findings = []
    policies = [r.value(p["Properties"]) for p in r.resources("AWS::SNS::TopicPolicy").values()]
    for topic, alarms in sorted(topics.items()):
        where = f"topic {topic} (notified by {len(alarms)} alarms)"
        key_ref = r.value(resources[topic].get("Properties", {})).get("KmsMasterKeyId")
        key = _target(key_ref) if key_ref else None
        if key_ref is None:
            findings.append(f"{where}: not encrypted; use a customer-managed KMS key that CloudWatch may use")
        elif key is None or resources.get(key, {}).get("Type") != "AWS::KMS::Key":
            findings.append(
                f"{where}: encrypted with {key_ref}, a key whose policy this template does not own — CloudWatch "
                f"cannot publish to a topic under the AWS-managed aws/sns key ({_ALARM_KMS_DOC})"
            )
        else:
            missing = _allows(
                r.value(resources[key]["Properties"].get("KeyPolicy")),
                "cloudwatch.amazonaws.com",
                _KMS_FOR_CLOUDWATCH,
            )
            if missing:
                findings.append(
                    f"{where}: key {key}'s policy does not let cloudwatch.amazonaws.com {', '.join(missing)} ({_ALARM_KMS_DOC})"
                )
        publish = [
            p
            for p in policies
            if f"<{topic}>" in p.get("Topics", [])
            and not _allows(p.get("PolicyDocument"), "cloudwatch.amazonaws.com", ["sns:Publish"])
        ]
        if not publish:
            findings.append(
                f"{where}: no AWS::SNS::TopicPolicy lets cloudwatch.amazonaws.com sns:Publish ({_ALARM_POLICY_DOC})"
            )
    return findings


def lambda_environment(
    template: Mapping, function: str, params: Mapping[str, str], region: str
) -> dict[str, str]:
    """The environment variables a function of `template` runs with, resolved."""
    r = Resolver(template, params, region)
    env = r.value(template["Resources"][function]["Properties"].get("Environment", {}))
    return {k: str(v) for k, v in env.get("Variables", {}).items()}
