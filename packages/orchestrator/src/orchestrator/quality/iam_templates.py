"""The IAM policies a CloudFormation template gives its roles, with intrinsics resolved.

A small resolver over the parsed YAML (cfn-lint's loader turns `!Sub`/`!Ref`/`!GetAtt`/`!If`
tags into their `Fn::` forms): parameters, pseudo parameters, conditions, `Ref`/`Fn::GetAtt`
of the resource types whose names and ARNs are known before deploy (roles, managed policies,
log groups, functions, tables, SSM parameters), `Fn::Sub`, `Fn::If`, `Fn::Join`, `Fn::Select`,
`Fn::Split`, nested stacks. Anything else — an attribute only AWS knows, an import, an
AWS-managed policy — raises `Unresolvable` naming the place: a contract must not guess.

General on purpose: any role in any template (the Lambda roles of app/functions.yaml, the
deploy roles of github-oidc.yaml, and later the least-privilege scan of issue #12).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from orchestrator.quality.iam_policy import Policy


class Unresolvable(Exception):
    """The template holds something this resolver cannot turn into a value before deploy."""


_NO_VALUE = object()


@dataclass(frozen=True)
class Scope:
    """Where a stack lives: the pseudo parameters."""

    account: str
    region: str
    partition: str = "aws"


def load(path: Path) -> dict:
    from cfnlint.decode import cfn_yaml

    return cfn_yaml.load(str(path))


def _physical(rtype: str, props: Mapping, scope: Scope, logical: str) -> dict[str, str]:
    """Ref and GetAtt values of a resource whose name is fixed in the template."""
    p, r, a = scope.partition, scope.region, scope.account

    def name(key: str) -> str:
        if key not in props:
            raise Unresolvable(
                f"{logical}: {rtype} without {key} gets a generated name, unknown before deploy"
            )
        return props[key]

    if rtype == "AWS::IAM::Role":
        n = name("RoleName")
        path = props.get("Path", "/")
        return {"Ref": n, "Arn": f"arn:{p}:iam::{a}:role{path}{n}"}
    if rtype == "AWS::IAM::ManagedPolicy":
        n = name("ManagedPolicyName")
        path = props.get("Path", "/")
        arn = f"arn:{p}:iam::{a}:policy{path}{n}"
        return {"Ref": arn, "PolicyArn": arn}
    if rtype == "AWS::Logs::LogGroup":
        n = name("LogGroupName")
        return {"Ref": n, "Arn": f"arn:{p}:logs:{r}:{a}:log-group:{n}:*"}
    if rtype == "AWS::Lambda::Function":
        n = name("FunctionName")
        return {"Ref": n, "Arn": f"arn:{p}:lambda:{r}:{a}:function:{n}"}
    if rtype == "AWS::DynamoDB::Table":
        n = name("TableName")
        return {"Ref": n, "Arn": f"arn:{p}:dynamodb:{r}:{a}:table/{n}"}
    if rtype == "AWS::SSM::Parameter":
        return {"Ref": name("Name")}
    if rtype == "AWS::S3::Bucket":
        n = name("BucketName")
        return {"Ref": n, "Arn": f"arn:{p}:s3:::{n}"}
    if rtype == "AWS::SNS::Topic":
        n = name("TopicName")
        arn = f"arn:{p}:sns:{r}:{a}:{n}"
        return {"Ref": arn, "TopicArn": arn}
    if rtype == "AWS::IAM::OIDCProvider":
        host = name("Url").removeprefix("https://")
        arn = f"arn:{p}:iam::{a}:oidc-provider/{host}"
        return {"Ref": arn, "Arn": arn}
    raise Unresolvable(
        f"{logical}: Ref/GetAtt of {rtype} is not known before deploy (add it to the resolver)"
    )


class Template:
    """One template with its parameter values, ready to resolve any part of it."""

    def __init__(self, body: Mapping, parameters: Mapping[str, str], scope: Scope, path: Path | None = None):
        self.body = body
        self.scope = scope
        self.path = path
        self.parameters: dict[str, object] = {}
        for name, decl in (body.get("Parameters") or {}).items():
            if name in parameters:
                self.parameters[name] = parameters[name]
            elif "Default" in decl:
                self.parameters[name] = decl["Default"]
            else:
                raise Unresolvable(f"{self._where()}: parameter {name} has no value and no default")
        unknown = set(parameters) - set(self.parameters)
        if unknown:
            raise Unresolvable(f"{self._where()}: unknown parameters {', '.join(sorted(unknown))}")
        self._conditions: dict[str, bool] = {}
        self._physical: dict[str, dict[str, str]] = {}

    @classmethod
    def from_file(cls, path: Path, parameters: Mapping[str, str], scope: Scope) -> Template:
        return cls(load(path), parameters, scope, path)

    def _where(self) -> str:
        return str(self.path) if self.path else "template"

    # ── intrinsics ──────────────────────────────────────────────────────────────────────────

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            decl = (self.body.get("Conditions") or {}).get(name)
            if decl is None:
                raise Unresolvable(f"{self._where()}: unknown condition {name}")
            self._conditions[name] = bool(self._cond(decl))
        return self._conditions[name]

    def _cond(self, node) -> bool:
        if isinstance(node, Mapping) and len(node) == 1:
            ((fn, arg),) = node.items()
            if fn == "Fn::Equals":
                a, b = (self.resolve(x) for x in arg)
                return str(a) == str(b)
            if fn == "Fn::Not":
                return not self._cond(arg[0])
            if fn == "Fn::And":
                return all(self._cond(x) for x in arg)
            if fn == "Fn::Or":
                return any(self._cond(x) for x in arg)
            if fn == "Condition":
                return self.condition(arg)
        raise Unresolvable(f"{self._where()}: cannot evaluate condition {node!r}")

    def ref(self, name: str):
        pseudo = {
            "AWS::AccountId": self.scope.account,
            "AWS::Region": self.scope.region,
            "AWS::Partition": self.scope.partition,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": _NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.attribute(name, "Ref")

    def attribute(self, logical: str, attr: str):
        resources = self.body.get("Resources") or {}
        if logical not in resources:
            raise Unresolvable(f"{self._where()}: {attr} of unknown name {logical}")
        if logical not in self._physical:
            res = resources[logical]
            props = self.resolve(res.get("Properties") or {})
            self._physical[logical] = _physical(res["Type"], props, self.scope, logical)
        values = self._physical[logical]
        if attr not in values:
            raise Unresolvable(f"{self._where()}: {logical}.{attr} is not known before deploy")
        return values[attr]

    def _sub(self, arg) -> str:
        text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))
        out, i = [], 0
        while i < len(text):
            start = text.find("${", i)
            if start < 0:
                out.append(text[i:])
                break
            out.append(text[i:start])
            end = text.index("}", start)
            var = text[start + 2 : end]
            if var.startswith("!"):
                out.append("${" + var[1:] + "}")  # ${!Literal} is the literal ${Literal}
            elif var in extra:
                out.append(str(extra[var]))
            elif "." in var:
                logical, attr = var.split(".", 1)
                out.append(str(self.attribute(logical, attr)))
            else:
                out.append(str(self.ref(var)))
            i = end + 1
        return "".join(out)

    def resolve(self, node):
        """The value of any part of the template, intrinsics replaced; AWS::NoValue dropped."""
        if isinstance(node, Mapping):
            if len(node) == 1:
                ((fn, arg),) = node.items()
                if fn == "Ref":
                    return self.ref(arg)
                if fn == "Fn::GetAtt":
                    logical, attr = arg.split(".", 1) if isinstance(arg, str) else arg
                    return self.attribute(logical, attr)
                if fn == "Fn::Sub":
                    return self._sub(arg)
                if fn == "Fn::If":
                    name, yes, no = arg
                    return self.resolve(yes if self.condition(name) else no)
                if fn == "Fn::Join":
                    sep, items = arg
                    return sep.join(str(x) for x in self.resolve(items))
                if fn == "Fn::Select":
                    index, items = arg
                    return self.resolve(items)[int(self.resolve(index))]
                if fn == "Fn::Split":
                    sep, text = arg
                    return str(self.resolve(text)).split(sep)
                if fn.startswith("Fn::") or fn == "Condition":
                    raise Unresolvable(f"{self._where()}: {fn} is not supported by the resolver")
            out = {}
            for key, value in node.items():
                v = self.resolve(value)
                if v is not _NO_VALUE:
                    out[str(key)] = v
            return out
        if isinstance(node, list):
            return [v for v in (self.resolve(x) for x in node) if v is not _NO_VALUE]
        if isinstance(node, str):
            return str(node)
        return node

    # ── resources ──────────────────────────────────────────────────────────────────────────

    def exists(self, logical: str) -> bool:
        cond = (self.body["Resources"][logical]).get("Condition")
        return cond is None or self.condition(cond)

    def properties(self, logical: str) -> dict:
        return self.resolve(self.body["Resources"][logical].get("Properties") or {})

    def nested(self, logical: str) -> Template:
        """The child template of an AWS::CloudFormation::Stack, with the parameters passed to it."""
        props = self.properties(logical)
        url = props["TemplateURL"]
        if self.path is None or "://" in url:
            raise Unresolvable(f"{self._where()}: {logical} has a remote TemplateURL {url}")
        return Template.from_file(self.path.parent / url, props.get("Parameters") or {}, self.scope)

    def role_policies(self, logical: str) -> list[Policy]:
        """Every identity policy of an AWS::IAM::Role: inline, managed from this template, attached."""
        res = self.body["Resources"][logical]
        if res["Type"] != "AWS::IAM::Role":
            raise Unresolvable(f"{self._where()}: {logical} is a {res['Type']}, not an AWS::IAM::Role")
        if not self.exists(logical):
            raise Unresolvable(f"{self._where()}: {logical} does not exist with these parameters")
        props = self.properties(logical)
        role = props.get("RoleName", logical)
        policies = [
            Policy(f"{role}/{p['PolicyName']}", p["PolicyDocument"]) for p in props.get("Policies", [])
        ]
        managed = {
            self.attribute(name, "Ref"): name
            for name, r in self.body["Resources"].items()
            if r["Type"] == "AWS::IAM::ManagedPolicy" and self.exists(name)
        }
        for arn in props.get("ManagedPolicyArns", []):
            if arn not in managed:
                raise Unresolvable(
                    f"{self._where()}: {logical} attaches {arn}, which is not in this template"
                )
            mp = self.properties(managed[arn])
            policies.append(Policy(mp.get("ManagedPolicyName", managed[arn]), mp["PolicyDocument"]))
        for name, r in self.body["Resources"].items():
            if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and self.exists(name):
                attached = (r.get("Properties") or {}).get("Roles") or []
                if {"Ref": logical} in attached or role in self.resolve(attached):
                    mp = self.properties(name)
                    policies.append(
                        Policy(
                            mp.get("PolicyName") or mp.get("ManagedPolicyName") or name, mp["PolicyDocument"]
                        )
                    )
        return policies
