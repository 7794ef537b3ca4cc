"""The github-oidc stack's deploy roles trust exactly this repository's main branch (dev) and its
qa/prod GitHub environments, with audience sts.amazonaws.com — and grant no `*` on `*`.

Two views of the same template: resolved here from the YAML, and as the embedded AWS stored it
after a real CreateStack (moto 5.2.5). moto's STS accepts AssumeRoleWithWebIdentity without
evaluating any trust policy, so the evaluator in `oidc_trust.py` is what decides in both.
"""

from __future__ import annotations

import ast
import json
import urllib.parse

import boto3
import pytest
from oidc_trust import TOKEN_HOST, allows, claims, condition_holds, load_template, resolved_resources

from orchestrator.paths import INFRA

TEMPLATE = INFRA / "github-oidc.yaml"
OWNER, REPO = "acme", "booking-chat"
ACCOUNT = "123456789012"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{TOKEN_HOST}"
ROLES = {
    "dev": "bookingchat-dev-deploy",
    "dev-prerelease": "bookingchat-dev-deploy-prerelease",
    "qa": "bookingchat-qa-deploy",
    "prod": "bookingchat-prod-deploy",
}


def token(sub: str, workflow: str, ref: str, repo: str = f"{OWNER}/{REPO}", **extra: str) -> dict[str, str]:
    """A token as GitHub issues it to a job of `workflow` run on `ref` (the claims IAM can test)."""
    return claims(sub, ref=ref, job_workflow_ref=f"{repo}/.github/workflows/{workflow}@{ref}", **extra)


MAIN = "refs/heads/main"
ON_MAIN = f"repo:{OWNER}/{REPO}:ref:{MAIN}"


def env_job(env: str, workflow: str = "promote.yml", ref: str = MAIN, repo: str = f"{OWNER}/{REPO}"):
    return token(f"repo:{repo}:environment:{env}", workflow, ref, repo=repo, environment=env)


# Sample tokens: (name, claims, the roles that must accept it). Every other role must refuse it.
SAMPLES = [
    ("push to main", token(ON_MAIN, "release.yml", MAIN), {"dev"}),
    ("dev rollback from main", token(ON_MAIN, "rollback.yml", MAIN), {"dev"}),
    ("another workflow on main", token(ON_MAIN, "deploy-anything.yml", MAIN), set()),
    (
        "push to next",
        token(f"repo:{OWNER}/{REPO}:ref:refs/heads/next", "release.yml", "refs/heads/next"),
        {"dev-prerelease"},
    ),
    (
        "push to alpha",
        token(f"repo:{OWNER}/{REPO}:ref:refs/heads/alpha", "release.yml", "refs/heads/alpha"),
        {"dev-prerelease"},
    ),
    (
        "another branch",
        token(f"repo:{OWNER}/{REPO}:ref:refs/heads/feature/x", "release.yml", "refs/heads/feature/x"),
        set(),
    ),
    (
        "a branch named like main",
        token(f"repo:{OWNER}/{REPO}:ref:refs/heads/main-hotfix", "release.yml", "refs/heads/main-hotfix"),
        set(),
    ),
    (
        "a tag",
        token(f"repo:{OWNER}/{REPO}:ref:refs/tags/widget/v1.4.0", "release.yml", "refs/tags/widget/v1.4.0"),
        set(),
    ),
    ("a pull request", token(f"repo:{OWNER}/{REPO}:pull_request", "ci.yml", "refs/pull/7/merge"), set()),
    (
        "a fork's main",
        token(f"repo:mallory/{REPO}:ref:{MAIN}", "release.yml", MAIN, repo=f"mallory/{REPO}"),
        set(),
    ),
    ("a fork's prod environment", env_job("prod", repo=f"mallory/{REPO}"), set()),
    (
        "another repository",
        token(f"repo:{OWNER}/other:ref:{MAIN}", "release.yml", MAIN, repo=f"{OWNER}/other"),
        set(),
    ),
    (
        "owner in other case",
        token(f"repo:ACME/{REPO}:ref:{MAIN}", "release.yml", MAIN, repo=f"ACME/{REPO}"),
        set(),
    ),
    ("qa environment", env_job("qa"), {"qa"}),
    ("prod environment", env_job("prod"), {"prod"}),
    ("prod rollback", env_job("prod", "rollback.yml"), {"prod"}),
    # An environment job's subject names no branch: the ref and job_workflow_ref claims must.
    ("prod dispatched from a branch", env_job("prod", ref="refs/heads/feature/x"), set()),
    ("qa dispatched from a branch", env_job("qa", "rollback.yml", ref="refs/heads/feature/x"), set()),
    ("prod from another workflow on main", env_job("prod", "deploy-anything.yml"), set()),
    ("prod, no ref claims", claims(f"repo:{OWNER}/{REPO}:environment:prod"), set()),
    ("the wrong environment", env_job("staging"), set()),
    ("an environment named like prod", env_job("production"), set()),
    (
        "main, wrong audience",
        claims(
            ON_MAIN,
            aud="sigstore",
            ref=MAIN,
            job_workflow_ref=f"{OWNER}/{REPO}/.github/workflows/release.yml@{MAIN}",
        ),
        set(),
    ),
    ("prod, no audience", {k: v for k, v in env_job("prod").items() if k != "aud"}, set()),
]


def template_roles(**parameters: str) -> dict[str, dict]:
    params = {"GitHubOwner": OWNER, "GitHubRepo": REPO, **parameters}
    resources = resolved_resources(load_template(TEMPLATE), params, account=ACCOUNT)
    return {p["RoleName"]: p for p in resources.values() if p["Type"] == "AWS::IAM::Role"}


def template_policies() -> dict[str, dict]:
    resources = resolved_resources(load_template(TEMPLATE), {"GitHubOwner": OWNER, "GitHubRepo": REPO})
    docs = {
        p["ManagedPolicyName"]: p["PolicyDocument"]
        for p in resources.values()
        if p["Type"] == "AWS::IAM::ManagedPolicy"
    }
    for props in resources.values():
        for inline in props.get("Policies", []):
            docs[inline["PolicyName"]] = inline["PolicyDocument"]
    return docs


# ── the evaluator itself ─────────────────────────────────────────────────────────────────


def test_evaluator_ands_operators_and_ors_values_and_fails_missing_claims():
    cond = {
        "StringEquals": {f"{TOKEN_HOST}:aud": "sts.amazonaws.com"},
        "StringLike": {f"{TOKEN_HOST}:sub": ["repo:o/r:ref:refs/heads/*", "repo:o/r:environment:qa"]},
    }
    assert condition_holds(cond, claims("repo:o/r:ref:refs/heads/anything"))
    assert condition_holds(cond, claims("repo:o/r:environment:qa"))
    assert not condition_holds(cond, claims("repo:o/r:environment:qa", aud="other"))
    assert not condition_holds(cond, {"aud": "sts.amazonaws.com"})
    assert not condition_holds({"StringLike": {f"{TOKEN_HOST}:sub": "repo:o/r:*"}}, claims("repo:o/R:x"))


def test_evaluator_lets_an_explicit_deny_win_and_checks_the_principal():
    allow = {
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {f"{TOKEN_HOST}:sub": "repo:o/r:*"}},
    }
    deny = {
        **allow,
        "Effect": "Deny",
        "Condition": {"StringEquals": {f"{TOKEN_HOST}:sub": "repo:o/r:pull_request"}},
    }
    policy = {"Statement": [allow, deny]}
    assert allows(policy, claims("repo:o/r:ref:refs/heads/main"), PROVIDER)
    assert not allows(policy, claims("repo:o/r:pull_request"), PROVIDER)
    assert not allows(policy, claims("repo:o/r:ref:refs/heads/main"), "arn:aws:iam::1:oidc-provider/other")


def test_evaluator_refuses_operators_it_does_not_understand():
    with pytest.raises(ValueError, match="ForAnyValue:StringLike"):
        condition_holds({"ForAnyValue:StringLike": {f"{TOKEN_HOST}:sub": "*"}}, claims("x"))


# ── the template's roles ─────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("name", "token", "accepted_by"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_only_the_right_roles_accept_each_sample_token(name, token, accepted_by):
    roles = template_roles()
    accepted = {
        key
        for key, role_name in ROLES.items()
        if allows(roles[role_name]["AssumeRolePolicyDocument"], token, PROVIDER)
    }
    assert accepted == accepted_by


def test_role_subjects_are_exact_strings_not_patterns():
    for role_name in ROLES.values():
        for statement in template_roles()[role_name]["AssumeRolePolicyDocument"]["Statement"]:
            assert set(statement["Condition"]) == {"StringEquals"}, role_name
            subjects = statement["Condition"]["StringEquals"][f"{TOKEN_HOST}:sub"]
            assert not any("*" in s or "?" in s for s in subjects), role_name


def test_an_existing_provider_is_trusted_by_arn_when_the_stack_does_not_create_one():
    roles = template_roles(CreateOIDCProvider="false")
    trust = roles["bookingchat-prod-deploy"]["AssumeRolePolicyDocument"]
    assert allows(trust, env_job("prod"), PROVIDER)


def test_the_prerelease_role_can_be_left_out():
    assert "bookingchat-dev-deploy-prerelease" not in template_roles(CreatePrereleaseRole="false")


def test_execution_roles_trust_only_cloudformation():
    for name, role in template_roles().items():
        if name.endswith("-cfn-execution"):
            (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
            assert statement["Principal"] == {"Service": "cloudformation.amazonaws.com"}


# ── the policies ─────────────────────────────────────────────────────────────────────────


def as_document(doc) -> dict:
    """IAM returns policy documents as dicts (boto3 decodes) or URL-encoded JSON strings.

    moto 5.2.5 stores a role's inline `Policies` from CloudFormation as a Python repr (single
    quotes), not JSON; read that form too rather than fail on the emulator's quirk.
    """
    if not isinstance(doc, str):
        return doc
    text = urllib.parse.unquote(doc)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return ast.literal_eval(text)


def star_on_star(document: dict) -> list[str]:
    bad = []
    for statement in document["Statement"]:
        actions = statement.get("Action", [])
        resources = statement.get("Resource", [])
        actions = actions if isinstance(actions, list) else [actions]
        resources = resources if isinstance(resources, list) else [resources]
        if (
            statement["Effect"] == "Allow"
            and "*" in resources
            and any(a == "*" or a.endswith(":*") for a in actions)
        ):
            bad.append(statement.get("Sid", "?"))
        if statement["Effect"] == "Allow" and "*" in actions:
            bad.append(statement.get("Sid", "?"))
        if "NotAction" in statement or "NotResource" in statement:
            bad.append(statement.get("Sid", "?"))
    return bad


def test_star_detector_catches_an_admin_statement():
    admin = {"Statement": [{"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert star_on_star(admin) == ["Admin", "Admin"]


def test_no_policy_grants_any_action_on_every_resource():
    policies = template_policies()
    assert set(policies) >= {"bookingchat-dev-deploy", "bookingchat-qa-deploy", "bookingchat-prod-deploy"}
    assert {name: star_on_star(doc) for name, doc in policies.items() if star_on_star(doc)} == {}


def test_each_environment_reaches_only_its_own_names_and_reads_the_rung_below():
    ladder = {"dev": None, "qa": "dev", "prod": "qa"}
    for env, below in ladder.items():
        deploy = template_policies()[f"bookingchat-{env}-deploy"]
        others = {e for e in ladder if e not in (env, below)}
        text = json.dumps(deploy)
        for other in others:
            assert f"bookingchat-{other}-" not in text and f"/bookingchat/{other}/" not in text, (env, other)
        if below:
            reads = [s for s in deploy["Statement"] if f"bookingchat-{below}-" in json.dumps(s)]
            assert reads and all(
                a.split(":")[1].startswith(("Get", "List", "Describe")) for s in reads for a in s["Action"]
            ), env


# ── as the embedded AWS stored it ────────────────────────────────────────────────────────


def test_roles_deployed_to_the_embedded_aws_keep_their_trust(aws):
    # moto skips AWS::IAM::OIDCProvider (the stack still completes; see SANDBOX.md), so the
    # account's provider is created through the IAM API first and the stack told to reuse it.
    iam = boto3.client("iam")
    provider = iam.create_open_id_connect_provider(
        Url=f"https://{TOKEN_HOST}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["0" * 40]
    )["OpenIDConnectProviderArn"]
    cfn = boto3.client("cloudformation")
    cfn.create_stack(
        StackName="bookingchat-github-oidc",
        TemplateBody=TEMPLATE.read_text(),
        Capabilities=["CAPABILITY_NAMED_IAM"],
        Parameters=[
            {"ParameterKey": "GitHubOwner", "ParameterValue": OWNER},
            {"ParameterKey": "GitHubRepo", "ParameterValue": REPO},
            {"ParameterKey": "CreateOIDCProvider", "ParameterValue": "false"},
        ],
    )
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in cfn.describe_stacks(StackName="bookingchat-github-oidc")["Stacks"][0]["Outputs"]
    }
    assert outputs["OIDCProviderArn"] == provider
    for key, role_name in ROLES.items():
        stored = iam.get_role(RoleName=role_name)["Role"]
        assert outputs.get(f"{key.title().replace('-', '')}DeployRoleArn", stored["Arn"]) == stored["Arn"]
        trust = as_document(stored["AssumeRolePolicyDocument"])
        accepted = {name for name, token, _ in SAMPLES if allows(trust, token, provider)}
        expected = {name for name, _, accepted_by in SAMPLES if key in accepted_by}
        assert accepted == expected, role_name


def test_deployed_managed_policies_grant_no_star_on_star(aws):
    cfn = boto3.client("cloudformation")
    cfn.create_stack(
        StackName="bookingchat-github-oidc",
        TemplateBody=TEMPLATE.read_text(),
        Capabilities=["CAPABILITY_NAMED_IAM"],
        Parameters=[
            {"ParameterKey": "GitHubOwner", "ParameterValue": OWNER},
            {"ParameterKey": "GitHubRepo", "ParameterValue": REPO},
        ],
    )
    iam = boto3.client("iam")
    # moto creates the managed policies but does not attach a role's ManagedPolicyArns, so the
    # policies are read by name rather than through list_attached_role_policies.
    for env in ("dev", "qa", "prod"):
        arn = f"arn:aws:iam::{ACCOUNT}:policy/bookingchat-{env}-deploy"
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        doc = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        assert star_on_star(as_document(doc)) == []
        inline = iam.get_role_policy(
            RoleName=f"bookingchat-{env}-cfn-execution", PolicyName=f"bookingchat-{env}-resources"
        )
        assert star_on_star(as_document(inline["PolicyDocument"])) == []
