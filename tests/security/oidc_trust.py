"""A small, pure evaluator of IAM trust policies for GitHub's OIDC tokens, and a resolver for the
few CloudFormation intrinsics `infra/github-oidc.yaml` uses.

Only what AssumeRoleWithWebIdentity from GitHub needs: Allow/Deny statements, the Federated
principal, the action, and the StringEquals / StringLike / StringNotEquals / StringNotLike
operators on single-valued claims. IAM semantics kept: operators and keys are ANDed, a key's
values are ORed, a missing claim fails a positive operator, an explicit Deny wins, and string
comparison is case-sensitive. Anything else in a condition is refused loudly, so a new operator
in the template cannot slip past the tests.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from pathlib import Path

TOKEN_HOST = "token.actions.githubusercontent.com"
ACTION = "sts:AssumeRoleWithWebIdentity"


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _like(pattern: str, value: str) -> bool:
    # IAM wildcards: * any run, ? one character; brackets are literal and case matters.
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


OPERATORS = {
    "StringEquals": (lambda want, got: got == want, True),
    "StringLike": (lambda want, got: _like(want, got), True),
    "StringNotEquals": (lambda want, got: got != want, False),
    "StringNotLike": (lambda want, got: not _like(want, got), False),
}


def condition_holds(condition: Mapping, claims: Mapping[str, str]) -> bool:
    for operator, keys in condition.items():
        if operator not in OPERATORS:
            raise ValueError(f"operator {operator} is not understood by this evaluator")
        test, positive = OPERATORS[operator]
        for key, wanted in keys.items():
            claim = key.split(":", 1)[1] if key.startswith(TOKEN_HOST + ":") else None
            if claim is None:
                raise ValueError(f"condition key {key} is not a GitHub token claim")
            got = claims.get(claim)
            if got is None:
                if positive:
                    return False
                continue
            values = _as_list(wanted)
            ok = any(test(w, got) for w in values) if positive else all(test(w, got) for w in values)
            if not ok:
                return False
    return True


def _statement_applies(statement: Mapping, claims: Mapping[str, str], provider_arn: str) -> bool:
    federated = _as_list((statement.get("Principal") or {}).get("Federated", []))
    if provider_arn not in federated:
        return False
    if ACTION not in _as_list(statement.get("Action", [])):
        return False
    return condition_holds(statement.get("Condition", {}), claims)


def allows(policy: Mapping, claims: Mapping[str, str], provider_arn: str) -> bool:
    """Would IAM let a GitHub token with these claims assume a role with this trust policy?"""
    statements = _as_list(policy.get("Statement", []))
    if any(s["Effect"] == "Deny" and _statement_applies(s, claims, provider_arn) for s in statements):
        return False
    return any(s["Effect"] == "Allow" and _statement_applies(s, claims, provider_arn) for s in statements)


def claims(sub: str, aud: str = "sts.amazonaws.com", **extra: str) -> dict[str, str]:
    """Token claims as GitHub issues them (only what trust policies can see)."""
    return {"sub": sub, "aud": aud, **extra}


# ── the template, resolved for given parameters ──────────────────────────────────────────


def load_template(path: Path) -> dict:
    from cfnlint.decode import decode  # cfn-lint's loader understands the !Sub/!If short forms

    template, matches = decode(str(path))
    if matches:
        raise ValueError(f"{path} does not parse: {matches}")
    return template


def resolve(node, params: Mapping[str, str], conditions: Mapping[str, bool], resources: Mapping[str, str]):
    """Resolve Ref, Fn::Sub, Fn::If and Fn::GetAtt(.Arn) the way CloudFormation would."""
    if isinstance(node, list):
        # AWS::NoValue (None here) drops the item, as CloudFormation does
        return [v for v in (resolve(x, params, conditions, resources) for x in node) if v is not None]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((key, value),) = node.items()
        if key == "Ref" and value == "AWS::NoValue":
            return None
        if key == "Ref":
            return params[value] if value in params else resources[value]
        if key == "Fn::Sub":
            text, local = (value, {}) if isinstance(value, str) else (value[0], value[1])

            def sub(m):
                name = m.group(1)
                if name in local:
                    return str(resolve(local[name], params, conditions, resources))
                if name.endswith(".Arn"):
                    return resources[name[:-4]]
                return str(params[name] if name in params else resources[name])

            return re.sub(r"\$\{([^}!]+)\}", sub, text)
        if key == "Fn::If":
            cond, yes, no = value
            return resolve(yes if conditions[cond] else no, params, conditions, resources)
        if key == "Fn::GetAtt":
            logical, attr = value if isinstance(value, list) else value.split(".", 1)
            assert attr == "Arn", attr
            return resources[logical]
    out = {k: resolve(v, params, conditions, resources) for k, v in node.items()}
    return {k: v for k, v in out.items() if v is not None}


def resolved_resources(
    template: dict, parameters: Mapping[str, str], account: str = "123456789012", region: str = "us-east-1"
) -> dict[str, dict]:
    """Each created resource's resolved Properties, for the given parameter values."""
    params = {p: str(spec.get("Default", "")) for p, spec in template.get("Parameters", {}).items()}
    params.update(parameters)
    params.update(
        {
            "AWS::AccountId": account,
            "AWS::Region": region,
            "AWS::Partition": "aws",
            "AWS::StackName": "bookingchat-github-oidc",
        }
    )

    def holds(expr) -> bool:
        ((fn, args),) = expr.items()
        if fn == "Fn::Equals":
            a, b = (resolve(x, params, {}, {}) for x in args)
            return a == b
        if fn == "Fn::Not":
            return not holds(args[0])
        raise ValueError(f"condition function {fn} is not understood")

    conditions = {name: holds(expr) for name, expr in template.get("Conditions", {}).items()}
    arns = {}
    for logical, res in template["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::IAM::Role":
            arns[logical] = f"arn:aws:iam::{account}:role/{props['RoleName']}"
        elif res["Type"] == "AWS::IAM::ManagedPolicy":
            arns[logical] = f"arn:aws:iam::{account}:policy/{props['ManagedPolicyName']}"
        elif res["Type"] == "AWS::IAM::OIDCProvider":
            arns[logical] = f"arn:aws:iam::{account}:oidc-provider/{TOKEN_HOST}"
    return {
        logical: {"Type": res["Type"], **resolve(res.get("Properties", {}), params, conditions, arns)}
        for logical, res in template["Resources"].items()
        if "Condition" not in res or conditions[res["Condition"]]
    }
