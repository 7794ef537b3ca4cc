"""The public key's limits as each environment deploys them, held to AWS's documented rules.

moto's CloudFormation silently skips AWS::WAFv2::* and AWS::AppSync::* (the stack says
CREATE_COMPLETE, the resources do not exist) and never evaluates a WAF rule or an AppSync
limit, so a deploy against it proves nothing here: these tests read the templates with each
environment's parameters and check what AWS would enforce.
"""

from __future__ import annotations

import pytest

from orchestrator import environments
from orchestrator.paths import INFRA
from orchestrator.quality import api_limits

ENVS = environments.names()
ACCOUNT_CONCURRENCY = 1000  # Lambda's default quota per account and region
UNRESERVED_MINIMUM = 100  # AWS refuses a reservation that leaves less unreserved


def template(name: str) -> dict:
    return api_limits.load_template(INFRA / name)


def resolve(value, params: dict, tpl: dict):
    return api_limits._value(value, params, tpl)


@pytest.mark.parametrize("env_name", ENVS)
def test_every_environment_puts_a_waf_acl_with_a_per_ip_rate_rule_on_its_api(env_name):
    env = environments.load(env_name)
    params, api = env.limit_params(), template("app/api.yaml")
    res = api["Resources"]
    (acl_id,) = [k for k, r in res.items() if r["Type"] == "AWS::WAFv2::WebACL"]
    acl = res[acl_id]["Properties"]
    assert acl["Scope"] == "REGIONAL"  # AppSync takes a regional ACL only (CLOUDFRONT is refused)
    (assoc,) = [r["Properties"] for r in res.values() if r["Type"] == "AWS::WAFv2::WebACLAssociation"]
    (api_id,) = [k for k, r in res.items() if r["Type"] == "AWS::AppSync::GraphQLApi"]
    assert assoc == {"ResourceArn": {"Ref": api_id}, "WebACLArn": {"Fn::GetAtt": [acl_id, "Arn"]}}
    rules = {r["Name"]: r for r in acl["Rules"]}
    assert len({r["Priority"] for r in rules.values()}) == len(rules)  # WAF refuses equal priorities
    (rate,) = [r for r in rules.values() if "RateBasedStatement" in r["Statement"]]
    statement = rate["Statement"]["RateBasedStatement"]
    limit = int(resolve(statement["Limit"], params, api))
    assert limit == env["limits.waf_requests_per_5min"]
    assert 10 <= limit <= 2_000_000_000  # WAF's documented range for a rate-based limit
    assert statement["AggregateKeyType"] == "IP" and statement.get("EvaluationWindowSec", 300) == 300
    assert rate["Action"] == {"Block": {}}
    for group in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"):
        rule = rules[group]
        assert rule["Statement"]["ManagedRuleGroupStatement"] == {"VendorName": "AWS", "Name": group}
        # `Count` would only count: the managed rules must act as their vendor set them
        assert rule["OverrideAction"] == {"None": {}}
    for rule in [acl, *rules.values()]:
        assert set(rule["VisibilityConfig"]) == {
            "SampledRequestsEnabled",
            "CloudWatchMetricsEnabled",
            "MetricName",
        }


@pytest.mark.parametrize("env_name", ENVS)
def test_every_environment_limits_query_depth_resolvers_and_junk_tokens(env_name):
    env = environments.load(env_name)
    limits = api_limits.for_environment(env_name)
    assert limits.query_depth == env["limits.query_depth"] and 1 <= limits.query_depth <= 75
    assert limits.resolver_count == env["limits.resolver_count"] and 1 <= limits.resolver_count <= 10000
    from graphql import parse

    from backend.graphql_schema import load_schema

    # the deepest operation the schema allows a widget today must still fit
    send = 'mutation { sendMessage(input: {text: "x"}) { booking { id } quickReplies { label } } }'
    assert api_limits.measure(parse(send))[0] <= limits.query_depth
    assert load_schema()  # the schema the local AppSync enforces these on
    # what the authorizer itself accepts must pass AppSync's regex, or no tenant could sign in
    from backend import seed

    for key in seed.api_keys().values():
        assert limits.token_allowed(key), key
    assert not limits.token_allowed("not a key") and not limits.token_allowed("bc_x_short")


@pytest.mark.parametrize("env_name", ENVS)
def test_every_widget_operation_fits_the_public_keys_limits(env_name):
    """The operations the widget sends (its client-health report included) pass the depth and
    resolver-count limits, or a widget would be refused whole by AppSync in that environment."""
    from graphql import parse, validate

    from backend.graphql_schema import load_schema
    from orchestrator.paths import WIDGET

    limits, schema = api_limits.for_environment(env_name), load_schema()
    source = (WIDGET / "src" / "api" / "operations.graphql").read_text(encoding="utf-8")
    document = parse(source)
    assert not validate(schema, document), "the widget sends an operation the schema refuses"
    names = [d.name.value for d in document.definitions if getattr(d, "name", None)]
    assert "ReportClientEvent" in names
    for name in names:
        assert limits.refusal(source, name) is None, name


def test_the_app_stack_passes_each_limit_to_the_nested_stack_that_uses_it():
    app = template("app.yaml")
    env_params = set(environments.load("prod").limit_params())
    passed = {
        name
        for child in ("Api", "Functions")
        for name, value in app["Resources"][child]["Properties"]["Parameters"].items()
        if value == {"Ref": name}
    }
    assert env_params <= set(app["Parameters"]) and env_params <= passed


def test_reserved_concurrency_leaves_aws_its_unreserved_minimum_when_environments_share_an_account():
    """Every environment, both prod colours, in one account of the default quota: AWS refuses a
    reservation that leaves under 100 unreserved, so the sum must stay under 900."""
    functions = template("app/functions.yaml")["Resources"]
    for fn in ("AuthorizerFunction", "ChatFunction"):
        reserved = functions[fn]["Properties"]["ReservedConcurrentExecutions"]
        assert reserved["Fn::If"][2] == {"Ref": "AWS::NoValue"}  # 0 in the toml = no reservation
    total = 0
    for env_name in ENVS:
        env = environments.load(env_name)
        per_app = env["limits.authorizer_concurrency"] + env["limits.chat_concurrency"]
        total += per_app * len(env.app_stacks())
        if env_name in ("qa", "prod"):
            assert env["limits.authorizer_concurrency"] > 0 and env["limits.chat_concurrency"] > 0
    assert total <= ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM, total
