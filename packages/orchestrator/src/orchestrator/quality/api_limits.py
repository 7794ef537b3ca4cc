"""The public API's limits as `infra/app/api.yaml` declares them for one environment.

AppSync enforces these on AWS; moto does not model AppSync at all, so the local AppSync
(`local_appsync`) reads them from here and enforces the same ones, and the template contract
tests (tests/contracts/test_public_key_limits.py) read them from here too:

- `IdentityValidationExpression`: a token that does not match never reaches the authorizer.
- `QueryDepthLimit`: the deepest field of the operation (a root field is depth 1; fragments
  add no depth of their own).
- `ResolverCountLimit`: resolvers run by one request. Every resolver of this API is on a root
  field (Query/Mutation → one Lambda), so it is the number of root fields selected.

Locally a request over a limit is refused whole, before any resolver runs, with a
`ValidationError` naming the limit (the wording is ours, not AppSync's).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from orchestrator.paths import INFRA

API_TEMPLATE = INFRA / "app" / "api.yaml"


@dataclass(frozen=True)
class ApiLimits:
    identity_validation: re.Pattern | None
    query_depth: int
    resolver_count: int

    def token_allowed(self, token: str) -> bool:
        return self.identity_validation is None or bool(self.identity_validation.search(token))

    def refusal(self, query: str, operation_name: str | None = None) -> str | None:
        """Why this query is over a limit, or None (a query that does not parse is graphql-core's)."""
        from graphql import GraphQLSyntaxError, parse

        try:
            document = parse(query)
        except GraphQLSyntaxError:
            return None
        depth, roots = measure(document, operation_name)
        if depth > self.query_depth:
            return f"the query is {depth} levels deep; this API allows at most {self.query_depth}"
        if roots > self.resolver_count:
            return f"the query runs {roots} resolvers; this API allows at most {self.resolver_count}"
        return None


def load_template(path: Path = API_TEMPLATE) -> dict:
    from cfnlint.decode.cfn_yaml import loads

    return json.loads(json.dumps(loads(path.read_text(encoding="utf-8"))))


def _value(prop, params: dict[str, str], template: dict):
    """A literal, or a `Ref` to a template parameter: the value passed, else its default."""
    if isinstance(prop, dict) and set(prop) == {"Ref"}:
        name = prop["Ref"]
        return params.get(name, template.get("Parameters", {}).get(name, {}).get("Default"))
    return prop


def from_template(params: dict[str, str], path: Path = API_TEMPLATE) -> ApiLimits:
    """The limits the template gives the GraphQL API with these stack parameters."""
    template = load_template(path)
    (api,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::AppSync::GraphQLApi"]
    props = api["Properties"]
    regex = (props.get("LambdaAuthorizerConfig") or {}).get("IdentityValidationExpression")
    return ApiLimits(
        identity_validation=re.compile(regex) if regex else None,
        # unset: AppSync's maxima (75 levels, 10000 resolvers)
        query_depth=int(_value(props.get("QueryDepthLimit", 75), params, template) or 75),
        resolver_count=int(_value(props.get("ResolverCountLimit", 10000), params, template) or 10000),
    )


def for_environment(env_name: str) -> ApiLimits:
    from orchestrator import environments

    return from_template(environments.load(env_name).limit_params())


def measure(document, operation_name: str | None = None) -> tuple[int, int]:
    """(deepest field, number of root fields) of the operation that would run."""
    from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, OperationDefinitionNode

    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if not chosen:
        return 0, 0

    def fields(selection_set, seen: frozenset[str]):
        for sel in selection_set.selections if selection_set else ():
            if isinstance(sel, FieldNode):
                yield sel
            elif isinstance(sel, InlineFragmentNode):
                yield from fields(sel.selection_set, seen)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
                fragment = fragments.get(sel.name.value)
                if fragment is not None:
                    yield from fields(fragment.selection_set, seen | {sel.name.value})

    def depth(field, seen=frozenset()) -> int:
        children = list(fields(field.selection_set, seen))
        return 1 + max((depth(c, seen) for c in children), default=0)

    roots = list(fields(chosen[0].selection_set, frozenset()))
    return max((depth(r) for r in roots), default=0), len(roots)
