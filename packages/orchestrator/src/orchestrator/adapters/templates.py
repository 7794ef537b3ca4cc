"""CloudFormation templates read from disk, as plain data.

The short-form tags (`!Ref`, `!Sub`, `!GetAtt A.B`, …) become their long form, as CloudFormation
reads them. PyYAML's C loader does it in milliseconds; cfn-lint's loader (used by `./inv
validate`) gives the same data but costs ~0.7 s of imports, which every deploy would pay.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CfnLoader(_Loader):  # type: ignore[misc, valid-type]
    """A safe loader that also knows CloudFormation's tags."""


def _tag(name: str):
    long_form = "Ref" if name == "Ref" else f"Fn::{name}"

    def construct(loader, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if name == "GetAtt":  # !GetAtt Resource.Attribute (the attribute may hold dots)
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {long_form: value}

    return construct


for _name in (
    "Ref", "Sub", "GetAtt", "Join", "Select", "Split", "If", "Equals", "Not", "And", "Or",
    "FindInMap", "GetAZs", "ImportValue", "Base64", "Cidr", "Length", "ToJsonString", "Transform",
):  # fmt: skip
    _CfnLoader.add_constructor(f"!{_name}", _tag(_name))
_CfnLoader.add_constructor("!Condition", lambda loader, node: {"Condition": loader.construct_scalar(node)})


def parse_template(text: str) -> dict:
    """A YAML or JSON template's text as plain JSON-able data."""
    data = yaml.load(text, Loader=_CfnLoader)  # noqa: S506 — a safe loader with CFN's tags added
    # dates and other YAML-only types become what CloudFormation sees: JSON values
    return json.loads(json.dumps(data, default=str))


def load_template(path: Path) -> dict:
    """A YAML/JSON template file as plain JSON-able data (short-form tags become long form)."""
    return parse_template(path.read_text(encoding="utf-8"))
