"""`./inv validate [ENV]`: cfn-lint with each environment's parameters, checkov, our own rules.

- cfn-lint runs in-process (its Python API), once per environment for the four root
  templates with the values a deploy would pass, once for the nested children.
- checkov runs once over infra/ from its own venv (it pins an old boto3); every skip must
  carry a `comment` in the resource's Metadata.
- Our rules: stateful resources are retained; nested-stack parameters and outputs agree;
  names carry the environment; the table, handlers and resolvers match the backend's
  definitions; the GraphQL schema loads.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from orchestrator import environments
from orchestrator.adapters import templates
from orchestrator.core.changes import STATEFUL_TYPES
from orchestrator.deploy import stacks as deploy
from orchestrator.paths import INFRA, ROOT

CHILDREN = ("app/functions.yaml", "app/api.yaml")
# Deploy-time values (outputs of earlier stacks, artifact keys) stand in with valid shapes.
_PLACEHOLDERS = {
    "ArtifactBucket": "bookingchat-env-artifacts-000000000000",
    "SchemaS3Location": "s3://bookingchat-env-artifacts-000000000000/artifacts/graphql/0.graphql",
    "TableArn": "arn:aws:dynamodb:us-east-1:000000000000:table/bookingchat-env",
    "UserPoolId": "us-east-1_abcdefghi",
    "LiveApiId": "abcdefghijklmnopqrstuvwxyz",
    "ApiId": "abcdefghijklmnopqrstuvwxyz",
    "DistributionId": "E2ABCDEFGHIJKL",
}
_NAME_PROPS = (
    "TableName",
    "FunctionName",
    "RoleName",
    "BucketName",
    "TopicName",
    "AlarmName",
    "UserPoolName",
    "ClientName",
    "LogGroupName",
    "DashboardName",
)


@dataclass(frozen=True)
class Finding:
    tool: str  # cfn-lint | checkov | rules
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.tool}] {self.where}: {self.message}"


def lint_parameters(env: environments.Environment, kind: str) -> dict[str, str]:
    """The parameters a deploy of `kind` would pass in `env`, with placeholders for outputs."""
    from orchestrator.deploy import rollout

    fake = {k: f"artifacts/backend/{n}-0.zip" for n, k in rollout.FUNCTION_PARAMS.items()}
    outs = {"TableName": f"bookingchat-{env.name}", **_PLACEHOLDERS}
    if kind == "data":
        return {"EnvName": env.name, "AdminMfa": env["identity.admin_mfa"]}
    if kind == "app":
        colour = "blue" if env.blue_green else None
        params = {
            "EnvName": env.name,
            "NamePrefix": f"bookingchat-{env.name}" + (f"-{colour}" if colour else ""),
            "Colour": colour or "none",
            "ModelId": env["app.model_id"],
            "DisableIa": "true" if env["app.disable_ia"] else "false",
            "LogRetentionDays": str(env["app.log_retention_days"]),
            **env.limit_params(),
            **rollout.sentry_params(env),
            "BackendVersion": "1.0.0",
            **fake,
        }
        return {
            **params,
            **{
                k: outs[k]
                for k in ("ArtifactBucket", "SchemaS3Location", "TableName", "TableArn", "UserPoolId")
            },
        }
    if kind == "edge":
        return rollout._edge_params(env, {"ApiId": outs["LiveApiId"]})
    return rollout._monitoring_params(
        env, {"ApiId": outs["ApiId"]}, {"DistributionId": outs["DistributionId"]}
    )


def _lint(path: Path, region: str, params: dict | None) -> list[Finding]:
    from cfnlint.api import ManualArgs, lint_file

    args = ManualArgs(
        regions=[region], ignore_checks=["W3002"]
    )  # W3002: local TemplateURL, packaged by deploy
    if params is not None:
        args["parameters"] = [params]
    rel = str(path.relative_to(ROOT))
    return [
        Finding("cfn-lint", f"{rel}:{m.linenumber}", f"{m.rule.id} {m.message}")
        for m in lint_file(path, args)
    ]


def cfn_lint(envs: list[environments.Environment], infra: Path = INFRA) -> list[Finding]:
    found: list[Finding] = []
    for env in envs:
        for kind, name in deploy.TEMPLATES.items():
            found += [
                Finding(f.tool, f"{env.name} {f.where}", f.message)
                for f in _lint(infra / name, env.region, lint_parameters(env, kind))
            ]
    for child in CHILDREN:
        found += _lint(infra / child, "us-east-1", None)
    if (infra / "github-oidc.yaml").exists():
        found += _lint(infra / "github-oidc.yaml", "us-east-1", None)
    return found


def _templates(infra: Path = INFRA) -> dict[str, dict]:
    names = [*deploy.TEMPLATES.values(), *CHILDREN] + (
        ["github-oidc.yaml"] if (infra / "github-oidc.yaml").exists() else []
    )
    return {n: templates.load_template(infra / n) for n in names}


def checkov(infra: Path = INFRA) -> list[Finding]:
    return read_checkov(start_checkov(infra))


def start_checkov(infra: Path = INFRA) -> subprocess.Popen:
    """Start checkov in the background (it takes as long as every cfn-lint run together)."""
    exe = ROOT / ".venv-tools" / "checkov" / "bin" / "checkov"
    if not exe.exists():
        venv = exe.parent.parent
        subprocess.run(["uv", "venv", "--quiet", str(venv)], check=True)
        subprocess.run(
            [
                "uv",
                "pip",
                "sync",
                "--quiet",
                "--require-hashes",
                "--python",
                str(venv / "bin" / "python"),
                str(ROOT / "requirements" / "checkov.lock"),
            ],
            check=True,
        )
    return subprocess.Popen(
        [
            str(exe),
            "-d",
            str(infra),
            "--framework",
            "cloudformation",
            "--skip-download",
            "--quiet",
            "-o",
            "json",
            "--skip-path",
            "graphql",
            "--skip-path",
            "seed",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "BC_SKIP_MAPPING": "TRUE", "HOME": str(ROOT)},
    )


def read_checkov(proc: subprocess.Popen) -> list[Finding]:
    stdout, stderr = proc.communicate()
    try:
        reports = json.loads(stdout or "[]")
    except ValueError:
        return [Finding("checkov", "infra/", f"could not read checkov's output: {stderr.strip()[-300:]}")]
    found = []
    for report in reports if isinstance(reports, list) else [reports]:
        for failed in report.get("results", {}).get("failed_checks", []):
            found.append(
                Finding(
                    "checkov",
                    f"infra{failed['file_path']}:{failed['file_line_range'][0]}",
                    f"{failed['check_id']} {failed['check_name']} ({failed['resource']})",
                )
            )
    return found


def own_rules(infra: Path = INFRA) -> list[Finding]:
    found: list[Finding] = []
    templates = _templates(infra)
    for name, tpl in templates.items():
        for logical, res in tpl.get("Resources", {}).items():
            where = f"infra/{name} {logical}"
            for skip in res.get("Metadata", {}).get("checkov", {}).get("skip", []):
                if not str(skip.get("comment", "")).strip():
                    found.append(
                        Finding("rules", where, f"checkov skip {skip.get('id')} has no comment (reason)")
                    )
            if res.get("Type") in STATEFUL_TYPES:
                for policy in ("DeletionPolicy", "UpdateReplacePolicy"):
                    if res.get(policy) != "Retain":
                        found.append(
                            Finding("rules", where, f"stateful {res['Type']} needs {policy}: Retain")
                        )
            if name != "github-oidc.yaml":
                for prop in _NAME_PROPS:
                    value = json.dumps(res.get("Properties", {}).get(prop, "${EnvName}"))
                    if "${EnvName}" not in value and "${NamePrefix}" not in value and '"Ref": "' not in value:
                        found.append(Finding("rules", where, f"{prop} does not carry the environment name"))
            if res.get("Type") == "AWS::CloudFormation::Stack":
                found += _nested_consistency(infra, name, logical, res, tpl)
    found += _backend_contracts(templates)
    return found


def _nested_consistency(infra: Path, name: str, logical: str, res: dict, parent: dict) -> list[Finding]:
    url = res.get("Properties", {}).get("TemplateURL", "")
    where = f"infra/{name} {logical}"
    if not isinstance(url, str) or url.startswith("https://"):
        return []
    child_path = (infra / name).parent / url
    if not child_path.exists():
        return [Finding("rules", where, f"TemplateURL {url} does not exist")]
    child = templates.load_template(child_path)
    declared = child.get("Parameters", {})
    passed = res.get("Properties", {}).get("Parameters", {})
    out = [
        Finding("rules", where, f"passes {p}, which {url} does not declare")
        for p in passed
        if p not in declared
    ]
    out += [
        Finding("rules", where, f"does not pass {p}, which {url} requires")
        for p, spec in declared.items()
        if "Default" not in spec and p not in passed
    ]
    outputs = child.get("Outputs", {})
    for ref in re.findall(
        rf'"{logical}", "Outputs\.(\w+)"|\$\{{{logical}\.Outputs\.(\w+)\}}', json.dumps(parent)
    ):
        output = ref[0] or ref[1]
        if output not in outputs:
            out.append(Finding("rules", where, f"uses output {output}, which {url} does not export"))
    return out


def _backend_contracts(templates: dict[str, dict]) -> list[Finding]:
    """The templates agree with backend.table, backend.functions and the GraphQL schema."""
    found = []
    try:
        from backend.functions import FUNCTIONS, RESOLVERS
        from backend.table import TABLE_DEFINITION, TTL_ATTRIBUTE
    except ImportError as err:
        return [Finding("rules", "packages/backend", f"backend definitions not importable: {err}")]
    table = templates["data.yaml"]["Resources"]["Table"]["Properties"]
    for key, value in TABLE_DEFINITION.items():
        if table.get(key) != value:
            found.append(
                Finding(
                    "rules", "infra/data.yaml Table", f"{key} differs from backend.table.TABLE_DEFINITION"
                )
            )
    if table.get("TimeToLiveSpecification", {}).get("AttributeName") != TTL_ATTRIBUTE:
        found.append(Finding("rules", "infra/data.yaml Table", f"TTL attribute must be {TTL_ATTRIBUTE!r}"))
    handlers = {
        r["Properties"]["FunctionName"]["Fn::Sub"].rsplit("-", 1)[1]: r["Properties"]["Handler"]
        for r in templates["app/functions.yaml"]["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    }
    if handlers != FUNCTIONS:
        found.append(
            Finding("rules", "infra/app/functions.yaml", f"handlers {handlers} differ from backend.functions")
        )
    api = templates["app/api.yaml"]["Resources"]
    sources = {k: v["Properties"]["Name"] for k, v in api.items() if v["Type"] == "AWS::AppSync::DataSource"}
    resolvers = {
        (r["Properties"]["TypeName"], r["Properties"]["FieldName"]): sources.get(
            r["Properties"]["DataSourceName"]["Fn::GetAtt"][0]
        )
        for r in api.values()
        if r["Type"] == "AWS::AppSync::Resolver"
    }
    if resolvers != RESOLVERS:
        missing = sorted(set(RESOLVERS.items()) ^ set(resolvers.items()))
        found.append(
            Finding(
                "rules", "infra/app/api.yaml", f"resolvers differ from backend.functions.RESOLVERS: {missing}"
            )
        )
    schema = INFRA / "graphql" / "schema.graphql"
    if schema.exists():
        try:
            from backend.graphql_schema import load_schema

            load_schema(schema)
        except Exception as err:  # noqa: BLE001 — any failure to load is the finding
            found.append(Finding("rules", "infra/graphql/schema.graphql", f"does not load: {err}"))
    return found


def validate(env_names: list[str] | None = None, *, with_checkov: bool = True) -> list[Finding]:
    envs = [environments.load(n) for n in (env_names or environments.names())]
    scan = start_checkov() if with_checkov else None
    findings = own_rules() + cfn_lint(envs)
    if scan is not None:
        findings += read_checkov(scan)
    return findings
