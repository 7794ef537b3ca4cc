"""Who makes the calls in production, per environment, and what their templates allow.

- Each Lambda function of `backend.functions.FUNCTIONS` runs as the role its
  AWS::Lambda::Function names in infra/app/functions.yaml (nested from infra/app.yaml, one app
  stack per environment, or one per colour in blue/green). The function is found by its
  Handler, so the map here and the backend's cannot drift apart; its `Environment.Variables`
  (table, DISABLE_IA parameter, model id) come out resolved too, so a scenario can run with
  exactly the names production uses.
- Each orchestrator command runs as the environment's deploy role in infra/github-oidc.yaml
  (`<Env>DeployRole`). What CloudFormation does under the execution role is out of scope.

Parameters are the ones a deploy passes (`validate.lint_parameters`), with the table's name and
ARN resolved from infra/data.yaml rather than placeholders. An account that the environment does
not pin is the placeholder `000000000000` on both sides, as in `./inv validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from orchestrator import environments
from orchestrator.paths import INFRA
from orchestrator.quality.iam_policy import Policy
from orchestrator.quality.iam_templates import Scope, Template, Unresolvable

PLACEHOLDER_ACCOUNT = "000000000000"


@dataclass(frozen=True)
class Principal:
    name: str  # what reports say, e.g. "chat"
    role: str  # the IAM role name
    policies: tuple[Policy, ...]
    environment: dict[str, str] = field(default_factory=dict)  # a Lambda's variables


@dataclass(frozen=True)
class AppDeployment:
    """One app stack: an environment, and in blue/green one colour."""

    env: str
    colour: str | None
    scope: Scope
    functions: dict[str, Principal]  # FUNCTIONS name → principal

    @property
    def label(self) -> str:
        return f"{self.env}-{self.colour}" if self.colour else self.env


def scope_of(env: environments.Environment, account: str | None = None) -> Scope:
    """The env's pinned account, else `account` (e.g. the embedded AWS's), else the placeholder."""
    return Scope(account=env["aws.account"] or account or PLACEHOLDER_ACCOUNT, region=env.region)


def app_deployments(env_name: str, infra: Path = INFRA, overrides: dict | None = None) -> list[AppDeployment]:
    """Each app deployment of the environment; `overrides`: other app parameters (e.g. AiEngine=agent)."""
    from backend.functions import FUNCTIONS
    from orchestrator.quality import validate

    env = environments.load(env_name)
    scope = scope_of(env)
    data = Template.from_file(infra / "data.yaml", validate.lint_parameters(env, "data"), scope)
    table = {"TableName": data.attribute("Table", "Ref"), "TableArn": data.attribute("Table", "Arn")}
    base = {**validate.lint_parameters(env, "app"), **table, **(overrides or {})}
    out = []
    for colour in environments.COLOURS if env.blue_green else (None,):
        params = {
            **base,
            "NamePrefix": f"bookingchat-{env.name}" + (f"-{colour}" if colour else ""),
            "Colour": colour or "none",
        }
        app = Template.from_file(infra / "app.yaml", params, scope)
        functions = app.nested("Functions")
        by_handler = {
            props["Handler"]: (logical, props)
            for logical, res in functions.body["Resources"].items()
            if res["Type"] == "AWS::Lambda::Function"
            for props in [functions.properties(logical)]
        }
        principals = {}
        for name, handler in FUNCTIONS.items():
            if handler not in by_handler:
                raise Unresolvable(f"app/functions.yaml: no function with Handler {handler} ({name})")
            logical, props = by_handler[handler]
            role_ref = functions.body["Resources"][logical]["Properties"]["Role"]
            role_logical = (
                role_ref["Fn::GetAtt"][0]
                if isinstance(role_ref["Fn::GetAtt"], list)
                else role_ref["Fn::GetAtt"].split(".")[0]
            )
            principals[name] = Principal(
                name=name,
                role=functions.properties(role_logical).get("RoleName", role_logical),
                policies=tuple(functions.role_policies(role_logical)),
                environment=dict((props.get("Environment") or {}).get("Variables") or {}),
            )
        out.append(AppDeployment(env.name, colour, scope, principals))
    return out


def deploy_role(
    env_name: str, infra: Path = INFRA, account: str | None = None, distributions: dict | None = None
) -> Principal:
    """The role the orchestrator's commands run as for `env_name` (GitHub Actions via OIDC).

    `distributions` (env → id) are the ids a bootstrap re-run passes once the edge stacks exist.
    """
    from orchestrator.deploy import oidc_stack

    env = environments.load(env_name)
    params = oidc_stack.parameters(
        env["github.owner"] or "owner", env["github.repo"] or "repo", distributions
    )
    oidc = Template.from_file(infra / "github-oidc.yaml", params, scope_of(env, account))
    logical = f"{env_name.capitalize()}DeployRole"
    return Principal(
        name=f"deploy:{env_name}",
        role=oidc.properties(logical)["RoleName"],
        policies=tuple(oidc.role_policies(logical)),
    )
