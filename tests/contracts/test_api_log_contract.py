"""Contract: AppSync field logs never hold chat text or tenant keys.

AppSync's "verbose content" is the request headers (the tenant key travels in Authorization),
the resolver context and the evaluated mapping templates (a visitor's chat text); it is logged
at any FieldLogLevel unless ExcludeVerboseContent is true. No emulator runs AppSync logging, so
the templates are held to it: every GraphQL API logs nothing (no LogConfig / NONE) or excludes
verbose content, and never logs ALL.
"""

from __future__ import annotations

from pathlib import Path

from orchestrator.adapters.templates import load_template

ROOT = Path(__file__).resolve().parents[2]


def graphql_apis() -> dict[str, dict]:
    found = {}
    for path in sorted((ROOT / "infra").rglob("*.yaml")):
        if "environments" in path.parts:
            continue
        for logical, res in (load_template(path).get("Resources") or {}).items():
            if res.get("Type") == "AWS::AppSync::GraphQLApi":
                found[f"{path.relative_to(ROOT)}:{logical}"] = res.get("Properties") or {}
    return found


def problems(apis: dict[str, dict]) -> list[str]:
    out = []
    for where, props in apis.items():
        log = props.get("LogConfig")
        if not log or log.get("FieldLogLevel", "NONE") == "NONE":
            continue
        if log.get("FieldLogLevel") == "ALL":
            out.append(f"{where}: FieldLogLevel ALL logs every resolver's data (chat text)")
        if log.get("ExcludeVerboseContent") is not True:
            out.append(f"{where}: LogConfig needs ExcludeVerboseContent: true (headers, context, templates)")
    return out


def test_field_logs_exclude_verbose_content():
    apis = graphql_apis()
    assert apis, "no AWS::AppSync::GraphQLApi found under infra/ — the scan is broken"
    assert problems(apis) == []


def test_the_contract_rejects_the_pre_fix_log_config():
    """infra/app/api.yaml before the fix: FieldLogLevel ERROR, verbose content included."""
    old = {
        "infra/app/api.yaml:Api": {"LogConfig": {"CloudWatchLogsRoleArn": "arn", "FieldLogLevel": "ERROR"}}
    }
    assert problems(old) == [
        "infra/app/api.yaml:Api: LogConfig needs ExcludeVerboseContent: true (headers, context, templates)"
    ]
