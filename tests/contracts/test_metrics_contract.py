"""Contract: the alarms and the dashboard watch metrics that really exist (issue 11).

The embedded AWS accepts any alarm and never evaluates one, so this test holds the templates to
CloudWatch's rules instead: a metric is namespace + name + the exact dimension set it was
published with. Custom metrics are compared with the EMF lines the backend really prints (the
chat Lambda's code paths, run against the embedded AWS with the environment variables
app/functions.yaml gives the function); AWS metrics with the table of what AWS publishes
(`orchestrator.quality.metrics_contract.AWS_PUBLISHED`, each row with its source).

moto does not implement bedrock-runtime `converse` (it answers 500): those calls go through
botocore's Stubber with the Converse API's real shapes; DynamoDB and SSM are the embedded AWS.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import ANY, Stubber

from orchestrator import environments
from orchestrator.adapters import templates
from orchestrator.paths import INFRA
from orchestrator.quality import metrics_contract as mc
from orchestrator.quality import validate

ENV, TABLE = "test", "bookingchat-test"
LOLA, ACME = "peluqueria-lola", "acme-dental"
# Every environment's region, and one that is not us-east-1: the templates must hold in any.
REGIONS = sorted({environments.load(n).region for n in environments.names()} | {"eu-west-1"})


def template(name: str) -> dict:
    return templates.load_template(INFRA / name)


def _monitoring_cases():
    for name in environments.names():
        env = environments.load(name)
        for region in REGIONS:
            yield pytest.param(env, region, id=f"{name}-{region}")


MONITORING_CASES = list(_monitoring_cases())


# ── what the backend emits ──────────────────────────────────────────────────────────────────


def _chat(tenant_id: str, text: str) -> dict:
    from backend import chat

    return chat.handler(
        {
            "arguments": {"input": {"text": text, "locale": "en"}},
            "identity": {"resolverContext": {"tenantId": tenant_id}},
            "info": {"fieldName": "sendMessage", "parentTypeName": "Mutation", "variables": {}},
            "request": {"headers": {}},
        }
    )


def _drive_backend() -> None:
    """Every path that emits a metric: booked, booking refused, AI turn with tokens, Bedrock
    failing (fallback), tenant over its plan."""
    from backend import runtime, scheduling, store
    from backend.errors import GraphQLUserError

    tenant, service = store.get_tenant(LOLA), store.get_service(LOLA, "corte")
    day = scheduling.next_days_with_slots(tenant, service, scheduling.now_in(tenant).date(), 1)[0]
    start = scheduling.available_slots(tenant, service, day)[0].start
    scheduling.book(tenant, service, start, "Ana")
    with pytest.raises(GraphQLUserError):
        scheduling.book(tenant, service, start, "Bea")  # taken meanwhile
    with Stubber(runtime.bedrock()) as bedrock:
        bedrock.add_response(
            "converse",
            {
                "output": {"message": {"role": "assistant", "content": [{"text": "Hello!"}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 100, "outputTokens": 20, "totalTokens": 120},
                "metrics": {"latencyMs": 321},
            },
            {"modelId": ANY, "system": ANY, "messages": ANY, "toolConfig": ANY, "inferenceConfig": ANY},
        )
        assert _chat(LOLA, "Hi")["mode"] == "AI"
        bedrock.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
        assert _chat(LOLA, "Hi")["mode"] == "GUIDED"
        store.add_tokens(ACME, 19_000, 1_000)  # FREE plan: 20 000 tokens a month
        assert _chat(ACME, "Hi")["mode"] == "GUIDED"
        bedrock.assert_no_pending_responses()


def _report(tenant_id: str, version: str, kind: str, count: int) -> bool:
    from backend import bookings

    return bookings.handler(
        {
            "arguments": {"input": {"widgetVersion": version, "kind": kind, "count": count}},
            "identity": {"resolverContext": {"tenantId": tenant_id}},
            "info": {"fieldName": "reportClientEvent", "parentTypeName": "Mutation", "variables": {}},
            "request": {"headers": {}},
        }
    )


def _drive_widget_reports() -> None:
    """The widget's client-health reports (the bookings function): a boot, an error, a failed turn."""
    assert _report(LOLA, "1.4.0", "BOOT", 1)
    assert _report(LOLA, "1.4.0", "ERROR", 2)
    assert _report(ACME, "1.5.0-beta.2", "FAILED_TURN", 1)


def _run_as(function: str, monkeypatch) -> None:
    """The environment variables app/functions.yaml gives `function`, as the Lambda would see them."""
    params = {"EnvName": ENV, "NamePrefix": f"bookingchat-{ENV}", "TableName": TABLE}
    lambda_env = mc.lambda_environment(template("app/functions.yaml"), function, params, "us-east-1")
    for key in ("ENV_NAME", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"):
        if key in lambda_env:
            monkeypatch.setenv(key, lambda_env[key])
        else:
            monkeypatch.delenv(key, raising=False)


@pytest.fixture
def emitted(aws, monkeypatch, capsys) -> list[mc.Emitted]:
    """The EMF series the chat Lambda prints, run as app/functions.yaml configures it."""
    from backend import runtime, seed

    _run_as("ChatFunction", monkeypatch)
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("DISABLE_IA_PARAM", f"/bookingchat/{ENV}/DISABLE_IA")
    monkeypatch.setenv("DISABLE_IA_TTL_SECONDS", "0")
    runtime.reset()
    seed.seed(TABLE)
    # The AI switch as deploy leaves it (also warms moto's SSM, slow on its first call, before
    # the Lambda's short-timeout client reads it).
    boto3.client("ssm").put_parameter(Name=f"/bookingchat/{ENV}/DISABLE_IA", Value="false", Type="String")
    capsys.readouterr()
    _drive_backend()
    out = capsys.readouterr().out
    _run_as("BookingsFunction", monkeypatch)
    _drive_widget_reports()
    yield mc.parse_emf(out + capsys.readouterr().out)
    runtime.reset()


def test_the_driver_reaches_every_metric_the_code_declares(emitted):
    from backend.observability import Metric

    assert {e.name for e in emitted} == {m.value for m in Metric}


@pytest.mark.parametrize("env", [pytest.param(environments.load(n), id=n) for n in environments.names()])
def test_custom_metrics_watched_are_emitted_with_that_exact_dimension_set(emitted, env):
    # The template resolved for the environment the backend ran as (dimension values such as
    # service=bookingchat-<env> are compared too); everything else is env's own deploy values.
    params = {**validate.lint_parameters(env, "monitoring"), "EnvName": ENV}
    watching = mc.watched(template("monitoring.yaml"), params, env.region)
    assert [w for w in watching if not w.namespace.startswith(mc.AWS_PREFIX)], "no custom metric watched?"
    findings = mc.check_custom(watching, emitted)
    assert not findings, "\n".join(findings)


def test_the_canary_watcher_reads_the_exact_series_the_widget_reports_create(emitted):
    """CloudWatch matches namespace, name and the whole dimension set exactly: a watcher that asks
    for another set (one dimension more or less, another service name) reads nothing, forever."""
    from orchestrator.release import canary_watch

    namespace, queries = canary_watch.queries(ENV, "1.4.0", "1.5.0-beta.2")
    series = {(e.namespace, e.name, e.values) for e in emitted}
    for name, dims in queries.values():
        assert (namespace, name, tuple(sorted(dims.items()))) in series, f"{name} {dims} is never published"


def test_the_widget_series_stay_within_cloudwatchs_dimension_rules(emitted):
    from backend.observability import WIDGET_METRICS

    widget = [e for e in emitted if e.name in {m.value for m in WIDGET_METRICS}]
    assert {len(e.dimensions) for e in widget} == {3, 4}  # per version; per tenant and version
    for e in widget:
        assert len(e.dimensions) <= 30  # CloudWatch's limit per metric
        assert all(0 < len(v) <= 1024 for _, v in e.values)  # a dimension value's length


# ── what AWS publishes, and what must be switched on ────────────────────────────────────────


@pytest.mark.parametrize(("env", "region"), MONITORING_CASES)
def test_aws_metrics_watched_use_a_dimension_set_aws_publishes(env, region):
    watching = mc.watched(template("monitoring.yaml"), validate.lint_parameters(env, "monitoring"), region)
    assert [w for w in watching if w.namespace.startswith(mc.AWS_PREFIX)]
    findings = mc.check_aws(watching)
    assert not findings, "\n".join(findings)


@pytest.mark.parametrize(("env", "region"), MONITORING_CASES)
def test_cloudfront_additional_metrics_are_switched_on_for_the_watched_distribution(env, region):
    watching = mc.watched(template("monitoring.yaml"), validate.lint_parameters(env, "monitoring"), region)
    edge_params = validate.lint_parameters(env, "edge")
    findings = mc.check_cloudfront_subscription(watching, template("edge.yaml"), edge_params, region)
    assert not findings, "\n".join(findings)


@pytest.mark.parametrize("env", [pytest.param(environments.load(n), id=n) for n in environments.names()])
def test_the_alarm_topic_can_be_used_by_cloudwatch(env):
    params = validate.lint_parameters(env, "monitoring")
    findings = mc.check_alarm_topics(template("monitoring.yaml"), params, env.region)
    assert not findings, "\n".join(findings)


# ── the checks themselves can fail (plain data) ─────────────────────────────────────────────


def test_a_dimension_set_nobody_publishes_is_reported():
    line = (
        '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"NS","Dimensions":[["service","tenantId"]],'
        '"Metrics":[{"Name":"BookingFailed","Unit":"Count"}]}]},"service":"s","tenantId":"t","BookingFailed":[1.0]}'
    )
    emitted = mc.parse_emf("a log line\n" + line)
    assert emitted == [
        mc.Emitted(
            "NS", "BookingFailed", frozenset({"service", "tenantId"}), (("service", "s"), ("tenantId", "t"))
        )
    ]
    alarm = mc.Watched("alarm A", "NS", "BookingFailed", {"service": "s"}, "us-east-1")
    renamed = mc.Watched("alarm B", "NS", "FailedBookings", {"service": "s"}, "us-east-1")
    assert [f.split(":")[0] for f in mc.check_custom([alarm, renamed], emitted)] == ["alarm A", "alarm B"]


def test_dashboard_rows_repeat_with_dots_and_take_the_widget_region():
    body = {
        "widgets": [
            {
                "properties": {
                    "title": "cdn",
                    "region": "eu-west-1",
                    "metrics": [
                        ["AWS/CloudFront", "CacheHitRate", "DistributionId", "E1", "Region", "Global"],
                        [".", "OriginLatency", ".", ".", ".", ".", {"stat": "p90"}],
                        [{"expression": "m1 * 2"}],
                    ],
                }
            }
        ]
    }
    rows = mc.dashboard_metrics("dashboard D", body, "us-east-1")
    assert [(w.name, dict(w.dimensions), w.region) for w in rows] == [
        ("CacheHitRate", {"DistributionId": "E1", "Region": "Global"}, "eu-west-1"),
        ("OriginLatency", {"DistributionId": "E1", "Region": "Global"}, "eu-west-1"),
    ]
    assert len(mc.check_aws(rows)) == 2  # both read outside us-east-1


def test_a_topic_under_the_aws_managed_key_is_refused():
    tpl = {
        "Resources": {
            "T": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": "alias/aws/sns"}},
            "A": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {"Namespace": "NS", "MetricName": "M", "AlarmActions": [{"Ref": "T"}]},
            },
        }
    }
    findings = mc.check_alarm_topics(tpl, {}, "us-east-1")
    assert len(findings) == 2 and "alias/aws/sns" in findings[0] and "sns:Publish" in findings[1]


def test_the_monitoring_stack_deploys_its_topic_under_its_own_key(aws):
    # The embedded AWS creates the KMS key, its alias and the topic for real (it skips alarms and
    # the topic policy). moto 5.2.5 keeps a CloudFormation-made key's policy as an object, so
    # DescribeKey/GetKeyPolicy answer 500 for it: the key is found through its alias, and its
    # policy is held by test_the_alarm_topic_can_be_used_by_cloudwatch above.
    import json

    params = validate.lint_parameters(environments.load("dev"), "monitoring")
    cfn = boto3.client("cloudformation")
    cfn.create_stack(
        StackName="bookingchat-dev-monitoring",
        TemplateBody=json.dumps(template("monitoring.yaml")),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
    )
    listed = cfn.list_stack_resources(StackName="bookingchat-dev-monitoring")["StackResourceSummaries"]
    res = {r.get("LogicalResourceId"): r.get("PhysicalResourceId") for r in listed}
    topic = boto3.client("sns").get_topic_attributes(TopicArn=res["AlarmTopic"])["Attributes"]
    aliases = boto3.client("kms").list_aliases(KeyId=res["AlarmTopicKey"])["Aliases"]
    assert [a["AliasName"] for a in aliases] == ["alias/bookingchat-dev-alarms"]
    assert topic["KmsMasterKeyId"].endswith(f":key/{res['AlarmTopicKey']}")
