"""The local AppSync enforces the API's limits from infra/app/api.yaml, as AppSync does on AWS
(moto does not model AppSync, so without this a deep query would pass locally and fail there)."""

from __future__ import annotations

from appsync_client import post

from orchestrator.quality import api_limits

CONFIG = "query TenantConfig { tenantConfig { tenantId name } }"
# sendMessage → booking → id is 3 levels; the local environment allows 4 (infra/environments)
DEEP = "query Deep { __schema { types { fields { type { ofType { name } } } } } }"


def test_a_query_over_the_depth_limit_runs_nothing(api, demo):
    limit = api_limits.for_environment("local").query_depth
    status, body = post(api.url, DEEP, headers={"authorization": demo["keys"]["acme-dental"]})
    assert status == 200 and body["data"] is None
    assert body["errors"] == [
        {
            "errorType": "ValidationError",
            "message": f"the query is 6 levels deep; this API allows at most {limit}",
        }
    ]


def test_a_query_with_more_resolvers_than_the_limit_runs_nothing(api, demo):
    limit = api_limits.for_environment("local").resolver_count
    many = "query Many { " + " ".join(f"c{i}: tenantConfig {{ tenantId }}" for i in range(limit + 1)) + " }"
    status, body = post(api.url, many, headers={"authorization": demo["keys"]["acme-dental"]})
    assert body["data"] is None and "runs 11 resolvers" in body["errors"][0]["message"]
    status, body = post(api.url, CONFIG, headers={"authorization": demo["keys"]["acme-dental"]})
    assert body["data"]["tenantConfig"]["tenantId"] == "acme-dental"  # within the limits: served


def test_a_token_failing_the_identity_validation_never_reaches_the_authorizer(api, demo, monkeypatch):
    calls: list[str] = []
    real = api.api.handler("authorizer")
    api.api._handlers["authorizer"] = lambda event, ctx: (
        calls.append(event["authorizationToken"]) or real(event, ctx)
    )
    for junk in ("not-a-key", "bc_abcdef_short", "x" * 300):
        status, _ = post(api.url, CONFIG, headers={"authorization": junk})
        assert status == 401
    assert calls == []
    status, _ = post(api.url, CONFIG, headers={"authorization": demo["keys"]["acme-dental"]})
    assert status == 200 and calls == [demo["keys"]["acme-dental"]]


def test_depth_counts_fragments_without_adding_a_level():
    from graphql import parse

    doc = parse("query Q { a { ...F } b } fragment F on T { c { d } }")
    assert api_limits.measure(doc) == (3, 2)
    assert api_limits.measure(parse("query A { a } query B { b { c } }"), "B") == (2, 1)
