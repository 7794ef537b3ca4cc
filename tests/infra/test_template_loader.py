"""The deploy's template loader (PyYAML + CloudFormation's tags) reads every template exactly as
cfn-lint's loader does, which `./inv validate` uses and which knows CloudFormation's YAML."""

from __future__ import annotations

import json

import pytest
from cfnlint.decode.cfn_yaml import loads

from orchestrator.adapters.templates import load_template, parse_template
from orchestrator.paths import INFRA


@pytest.mark.parametrize("path", sorted(INFRA.rglob("*.yaml")), ids=lambda p: str(p.relative_to(INFRA)))
def test_every_template_loads_as_cfn_lint_reads_it(path):
    assert load_template(path) == json.loads(json.dumps(loads(path.read_text())))


def test_short_forms_become_long_forms():
    text = """
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  A:
    Condition: IsProd
    Properties:
      Name: !Sub "${Env}-a"
      Arn: !GetAtt Table.StreamSpecification.StreamArn
      Pick: !If [IsProd, !Select [0, !Split [",", "a,b"]], !Ref AWS::NoValue]
      When: !Condition IsProd
      Date: 2026-11-30
"""
    props = parse_template(text)["Resources"]["A"]["Properties"]
    assert props["Name"] == {"Fn::Sub": "${Env}-a"}
    assert props["Arn"] == {"Fn::GetAtt": ["Table", "StreamSpecification.StreamArn"]}
    assert props["Pick"] == {
        "Fn::If": ["IsProd", {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}, {"Ref": "AWS::NoValue"}]
    }
    assert props["When"] == {"Condition": "IsProd"}
    assert props["Date"] == "2026-11-30"
