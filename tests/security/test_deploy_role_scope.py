"""Proof that no deploy role reaches another environment, and that the scanner finds nothing unexplained.

Offline, over the resolved policies of infra/github-oidc.yaml (quality/iam_templates) and AWS's
evaluation logic (quality/iam_policy): moto does not evaluate IAM, so this is the contract.

1. cloudsplaining (privilege escalation, resource exposure; flags resource-scoped and conditional
   statements too) over every role: each finding is explained in deploy_role_findings.toml.
2. A table of cross-environment attempts: the dev, prerelease and qa deploy paths (deploy role
   plus the execution role it passes to CloudFormation) against qa's and prod's stacks, buckets,
   distribution, API domain, user pool, parameters, and an unbounded role — each denied, in a
   shared account and with one account per environment.
3. A forbidden grant added to a copy of the template makes (2) fail.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from cloudsplaining.command.scan_policy_file import scan_policy

from orchestrator import environments
from orchestrator.deploy import oidc_stack
from orchestrator.paths import INFRA
from orchestrator.quality import iam_principals
from orchestrator.quality.iam_policy import Policy, Verdict, evaluate
from orchestrator.quality.iam_templates import Scope, Template

FINDINGS = Path(__file__).with_name("deploy_role_findings.toml")
REGION = "us-east-1"
LAYOUTS = {
    "shared-account": {"dev": "111122223333", "qa": "111122223333", "prod": "111122223333"},
    "account-per-env": {"dev": "111111111111", "qa": "222222222222", "prod": "333333333333"},
}
# attacker environment → the roles that act for it (the deploy roles and the role they pass)
ATTACKERS = {
    "dev": ("DevDeployRole", "DevPrereleaseDeployRole"),
    "qa": ("QaDeployRole",),
}
VICTIMS = {"dev": ("qa", "prod"), "qa": ("prod",)}


def template(account: str, path: Path = INFRA / "github-oidc.yaml") -> Template:
    return Template.from_file(path, oidc_stack.parameters("owner", "repo"), Scope(account, REGION))


def roles(t: Template) -> dict[str, list[Policy]]:
    return {
        logical: t.role_policies(logical)
        for logical, res in t.body["Resources"].items()
        if res["Type"] == "AWS::IAM::Role" and t.exists(logical)
    }


def deploy_path(t: Template, deploy_logical: str) -> list[Policy]:
    """What a deploy role can do itself plus what CloudFormation does as the role it may pass."""
    env = deploy_logical.removesuffix("PrereleaseDeployRole").removesuffix("DeployRole")
    return t.role_policies(deploy_logical) + t.role_policies(f"{env}ExecutionRole")


def boundary(env: str, account: str) -> str:
    return f"arn:aws:iam::{account}:policy/bookingchat-{env}-boundary"


def attempts(attacker: str, victim: str, account: str) -> list[tuple[str, str, str, dict]]:
    """(what, action, resource, context): the attacker's deploy path acting on the victim's things."""
    domain = environments.load(victim)["api.domain"] or f"api.{victim}.bookingchat.example"
    tag = {"aws:ResourceTag/bookingchat:env": victim, "aws:RequestTag/bookingchat:env": victim}
    own_bound = {"iam:PermissionsBoundary": boundary(attacker, account)}
    cfn = f"arn:aws:cloudformation:{REGION}:{account}:stack/bookingchat-{victim}-app/0a1b"
    return [
        ("update the stack", "cloudformation:UpdateStack", cfn, {}),
        ("run a change set", "cloudformation:ExecuteChangeSet", cfn, {}),
        ("delete the stack", "cloudformation:DeleteStack", cfn, {}),
        (
            "write the widget",
            "s3:PutObject",
            f"arn:aws:s3:::bookingchat-{victim}-widget-{account}/widget.js",
            {},
        ),
        ("open the bucket", "s3:PutBucketPolicy", f"arn:aws:s3:::bookingchat-{victim}-widget-{account}", {}),
        (
            "change the distribution",
            "cloudfront:UpdateDistribution",
            f"arn:aws:cloudfront::{account}:distribution/EVICTIM",
            tag,
        ),
        (
            "invalidate the distribution",
            "cloudfront:CreateInvalidation",
            f"arn:aws:cloudfront::{account}:distribution/EVICTIM",
            tag,
        ),
        (
            "re-point the API domain",
            "appsync:AssociateApi",
            f"arn:aws:appsync:{REGION}:{account}:domainnames/{domain}",
            tag,
        ),
        (
            "change the API",
            "appsync:UpdateGraphqlApi",
            f"arn:aws:appsync:{REGION}:{account}:apis/victimapi",
            tag,
        ),
        (
            "change the user pool",
            "cognito-idp:UpdateUserPool",
            f"arn:aws:cognito-idp:{REGION}:{account}:userpool/{REGION}_Victim",
            tag,
        ),
        (
            "delete the user pool",
            "cognito-idp:DeleteUserPool",
            f"arn:aws:cognito-idp:{REGION}:{account}:userpool/{REGION}_Victim",
            tag,
        ),
        (
            "write a parameter",
            "ssm:PutParameter",
            f"arn:aws:ssm:{REGION}:{account}:parameter/bookingchat/{victim}/disable-ia",
            {},
        ),
        (
            "drop the table",
            "dynamodb:DeleteTable",
            f"arn:aws:dynamodb:{REGION}:{account}:table/bookingchat-{victim}",
            {},
        ),
        (
            "replace a function",
            "lambda:UpdateFunctionCode",
            f"arn:aws:lambda:{REGION}:{account}:function:bookingchat-{victim}-chat",
            {},
        ),
        (
            "grant a role more",
            "iam:PutRolePolicy",
            f"arn:aws:iam::{account}:role/bookingchat-{victim}-chat",
            {"iam:PermissionsBoundary": boundary(victim, account)},
        ),
        (
            "pass a role",
            "iam:PassRole",
            f"arn:aws:iam::{account}:role/bookingchat-{victim}-chat",
            {"iam:PassedToService": "lambda.amazonaws.com"},
        ),
        (
            "create an unbounded role",
            "iam:CreateRole",
            f"arn:aws:iam::{account}:role/bookingchat-{attacker}-admin",
            {"iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess"},
        ),
        (
            "bound a role by another env",
            "iam:CreateRole",
            f"arn:aws:iam::{account}:role/bookingchat-{attacker}-admin",
            {"iam:PermissionsBoundary": boundary(victim, account)},
        ),
        (
            "drop a boundary",
            "iam:DeleteRolePermissionsBoundary",
            f"arn:aws:iam::{account}:role/bookingchat-{attacker}-chat",
            {},
        ),
        ("widen the boundary", "iam:CreatePolicyVersion", boundary(attacker, account), {}),
        (
            "admin policy on an own role",
            "iam:AttachRolePolicy",
            f"arn:aws:iam::{account}:role/bookingchat-{attacker}-chat",
            {**own_bound, "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"},
        ),
    ]


def cross_env_violations(t_for_account) -> list[str]:
    """Every attempt that is not denied, for every layout: `t_for_account(account)` → Template."""
    out = []
    for layout, accounts in LAYOUTS.items():
        for attacker, deploy_roles in ATTACKERS.items():
            t = t_for_account(accounts[attacker])
            for deploy_logical in deploy_roles:
                if not t.exists(deploy_logical):
                    continue
                policies = deploy_path(t, deploy_logical)
                for victim in VICTIMS[attacker]:
                    for what, action, resource, ctx in attempts(attacker, victim, accounts[victim]):
                        d = evaluate(policies, action, resource, ctx)
                        if d.verdict not in (Verdict.DENIED, Verdict.IMPLICIT_DENY):
                            out.append(
                                f"[{layout}] {deploy_logical} can {what} of {victim}: {d} via {d.allowed_by}"
                            )
    return out


def test_no_deploy_path_reaches_another_environment():
    assert cross_env_violations(template) == []


def test_each_deploy_path_still_reaches_its_own_environment():
    """The table is not vacuous: the same kinds of change on the own environment are allowed."""
    account = LAYOUTS["shared-account"]["dev"]
    t = template(account)
    own = {"aws:ResourceTag/bookingchat:env": "dev", "iam:PermissionsBoundary": boundary("dev", account)}
    for logical in ATTACKERS["dev"]:
        policies = deploy_path(t, logical)
        for action, resource in [
            (
                "cloudformation:UpdateStack",
                f"arn:aws:cloudformation:{REGION}:{account}:stack/bookingchat-dev-app/1",
            ),
            ("cognito-idp:UpdateUserPool", f"arn:aws:cognito-idp:{REGION}:{account}:userpool/{REGION}_Dev"),
            ("ssm:PutParameter", f"arn:aws:ssm:{REGION}:{account}:parameter/bookingchat/dev/disable-ia"),
            ("iam:PutRolePolicy", f"arn:aws:iam::{account}:role/bookingchat-dev-chat"),
        ]:
            assert evaluate(policies, action, resource, own).verdict is Verdict.ALLOWED, (logical, action)


@pytest.mark.parametrize(
    ("what", "old", "new"),
    [
        (
            "parameters of every environment",
            ":parameter/bookingchat/dev/*",
            ":parameter/bookingchat/*",
        ),
        (
            "user pools without the environment tag",
            '"aws:ResourceTag/bookingchat:env": dev',
            '"aws:ResourceTag/bookingchat:env": [dev, qa, prod]',
        ),
        (
            "the boundary condition dropped",
            'iam:PermissionsBoundary: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/bookingchat-dev-boundary"\n              - Sid: BoundedRolesAttach',
            'iam:PermissionsBoundary: "*"\n              - Sid: BoundedRolesAttach',
        ),
    ],
)
def test_a_forbidden_grant_in_a_copy_of_the_template_fails_the_proof(tmp_path, what, old, new):
    text = (INFRA / "github-oidc.yaml").read_text()
    assert old in text, f"the mutation for {what!r} no longer applies: update it"
    copy = tmp_path / "github-oidc.yaml"
    copy.write_text(text.replace(old, new))
    if "BoundedRolesAttach" in old:  # the evaluator compares StringEquals literally: use StringLike
        copy.write_text(
            copy.read_text().replace(
                'StringEquals:\n                    iam:PermissionsBoundary: "*"',
                'StringLike:\n                    iam:PermissionsBoundary: "*"',
            )
        )
    violations = cross_env_violations(lambda account: template(account, copy))
    assert violations, f"a deploy role with {what} still passed the proof"


# ── the scanner ──────────────────────────────────────────────────────────────────────────────


def _kind(logical: str) -> str:
    return "execution" if logical.endswith("ExecutionRole") else "deploy"


def scan_findings(t: Template) -> dict[tuple[str, str, str], list[str]]:
    """(kind, category, finding) → roles, for PrivilegeEscalation and ResourceExposure."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for logical, policies in roles(t).items():
        for policy in policies:
            result = scan_policy(
                dict(policy.document), {}, flag_conditional_statements=True, flag_resource_arn_statements=True
            )
            for item in result["PrivilegeEscalation"]["findings"]:
                found.setdefault((_kind(logical), "PrivilegeEscalation", item["type"]), []).append(logical)
            for action in result["ResourceExposure"]["findings"]:
                found.setdefault((_kind(logical), "ResourceExposure", action), []).append(logical)
    return found


def test_the_scanner_finds_nothing_unexplained():
    explained = {
        (kind, category, finding)
        for kind, categories in tomllib.loads(FINDINGS.read_text()).items()
        for category, findings in categories.items()
        for finding in findings
    }
    found = scan_findings(template(LAYOUTS["shared-account"]["dev"]))
    unexplained = [f"{k}: {', '.join(v)}" for k, v in found.items() if k not in explained]
    stale = sorted(explained - set(found))
    assert not unexplained, "explain or remove in deploy_role_findings.toml:\n" + "\n".join(unexplained)
    assert not stale, f"no role has these any more, remove them from {FINDINGS.name}: {stale}"


def test_every_app_role_fits_inside_its_boundary():
    """The boundary does not break the app: each Lambda role's grants are inside it."""
    for env in ("dev", "qa", "prod"):
        t = template(iam_principals.PLACEHOLDER_ACCOUNT)
        bound = t.properties(f"{env.capitalize()}RoleBoundary")["PolicyDocument"]
        for deployment in iam_principals.app_deployments(env):
            for fn in deployment.functions.values():
                for policy in fn.policies:
                    for _, st in policy.statements():
                        actions = [st["Action"]] if isinstance(st["Action"], str) else st["Action"]
                        resources = [st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"]
                        for action in actions:
                            for resource in resources:
                                d = evaluate([Policy("boundary", bound)], action, resource)
                                assert d.verdict is Verdict.ALLOWED, f"{env} {fn.role}: {d}"
