"""Change sets, read for risk (pure): which changes would replace or remove stateful data.

CloudFormation reports `Replacement` in a change set, but not always (nested change sets,
the embedded AWS), so a second, static check compares the deployed and the new template:
a stateful resource that disappears, changes type, or changes one of its type's
`createOnlyProperties` (from the resource schemas cfn-lint ships) will be replaced.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

STATEFUL_TYPES = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::Cognito::UserPool",
        "AWS::S3::Bucket",
        "AWS::KMS::Key",
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
        "AWS::EFS::FileSystem",
    }
)
# Replacing properties the provider schemas do not list (CloudFormation docs: "Replacement").
_EXTRA_CREATE_ONLY = {
    "AWS::Cognito::UserPool": ("UsernameAttributes", "AliasAttributes", "UserPoolName"),
}


@dataclass(frozen=True)
class Change:
    stack: str
    logical_id: str
    resource_type: str
    action: str  # Add | Modify | Remove | Dynamic | Import
    replacement: str = ""  # True | False | Conditional | ""
    reason: str = ""

    @property
    def stateful(self) -> bool:
        return self.resource_type in STATEFUL_TYPES

    @property
    def destroys_data(self) -> bool:
        return self.stateful and (self.action == "Remove" or self.replacement in ("True", "Conditional"))


def from_change_set(stack: str, changes: list[dict]) -> list[Change]:
    """Flatten `describe_change_set()["Changes"]` into Change rows."""
    out = []
    for item in changes:
        rc = item.get("ResourceChange", {})
        out.append(
            Change(
                stack=stack,
                logical_id=rc.get("LogicalResourceId", "?"),
                resource_type=rc.get("ResourceType", "?"),
                action=rc.get("Action", "?"),
                replacement=rc.get("Replacement", "") or "",
            )
        )
    return out


@functools.cache
def create_only_properties(resource_type: str) -> tuple[str, ...]:
    """Top-level properties whose change replaces a resource of this type."""
    import cfnlint

    schemas = Path(cfnlint.__file__).parent / "data" / "schemas"
    index = json.loads((schemas / "providers" / "us-east-1.json").read_text())
    found: list[str] = []
    if resource_type in index:
        schema = json.loads((schemas / "resources" / f"{index[resource_type]}.json").read_text())
        for pointer in schema.get("createOnlyProperties", []):
            found.append(pointer.split("/")[2])
    found += [p for p in _EXTRA_CREATE_ONLY.get(resource_type, ()) if p not in found]
    return tuple(found)


def _resolve(value, params: dict[str, str]):
    """Substitute parameter values into Ref and Fn::Sub, so a renamed env shows as a change."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in params:
            return params[value["Ref"]]
        if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
            return re.sub(r"\$\{([A-Za-z0-9]+)\}", lambda m: params.get(m[1], m[0]), value["Fn::Sub"])
        return {k: _resolve(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, params) for v in value]
    return value


def static_risks(
    stack: str,
    old: dict,
    new: dict,
    old_params: dict[str, str] | None = None,
    new_params: dict[str, str] | None = None,
) -> list[Change]:
    """Stateful resources the new template would remove or replace, found without AWS."""
    risks = []
    old_res, new_res = old.get("Resources", {}), new.get("Resources", {})
    for logical_id, before in old_res.items():
        rtype = before.get("Type", "")
        if rtype not in STATEFUL_TYPES:
            continue
        after = new_res.get(logical_id)
        if after is None:
            risks.append(Change(stack, logical_id, rtype, "Remove", "", "no longer in the template"))
            continue
        if after.get("Type") != rtype:
            risks.append(
                Change(stack, logical_id, rtype, "Modify", "True", f"type becomes {after.get('Type')}")
            )
            continue
        props_old = _resolve(before.get("Properties", {}), old_params or {})
        props_new = _resolve(after.get("Properties", {}), new_params or {})
        changed = [p for p in create_only_properties(rtype) if props_old.get(p) != props_new.get(p)]
        if changed:
            risks.append(
                Change(
                    stack, logical_id, rtype, "Modify", "True", f"create-only {', '.join(changed)} changes"
                )
            )
    return risks


def merge(reported: list[Change], static: list[Change]) -> list[Change]:
    """Change-set rows, with the static findings overriding rows for the same resource."""
    by_key = {(c.stack, c.logical_id): c for c in reported}
    for risk in static:
        by_key[(risk.stack, risk.logical_id)] = risk
    return list(by_key.values())
