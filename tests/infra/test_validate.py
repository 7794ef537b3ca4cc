"""`./inv validate`: our own rules find what they claim to, on broken copies of infra/.

That the real templates are clean (cfn-lint per environment, checkov, these rules) is the
`validate` check of `./inv test` itself; running cfn-lint again here only doubled its ~20 s."""

from __future__ import annotations

import shutil

import pytest

from orchestrator.paths import INFRA
from orchestrator.quality import validate


@pytest.fixture
def infra(tmp_path):
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy, ignore=shutil.ignore_patterns("seed"))
    return copy


def test_the_templates_pass_our_own_rules():
    assert [str(f) for f in validate.own_rules()] == []


def test_a_table_without_retain_is_a_finding(infra):
    data = infra / "data.yaml"
    data.write_text(data.read_text().replace("    DeletionPolicy: Retain\n", "", 1))
    assert any("needs DeletionPolicy: Retain" in str(f) for f in validate.own_rules(infra))


def test_a_checkov_skip_without_a_reason_is_a_finding(infra):
    data = infra / "data.yaml"
    text = data.read_text()
    start = text.index("            comment:")
    data.write_text(text[:start] + '            comment: ""\n' + text[text.index("\n", start) + 1 :])
    assert any("CKV_AWS_119 has no comment" in str(f) for f in validate.own_rules(infra))


def test_nested_parameters_and_outputs_must_agree(infra):
    app = infra / "app.yaml"
    app.write_text(
        app.read_text()
        .replace("        ModelId: !Ref ModelId\n", "        ModelId: !Ref ModelId\n        Typo: x\n", 1)
        .replace("Api.Outputs.ApiArn", "Api.Outputs.ApiArnn")
    )
    found = [str(f) for f in validate.own_rules(infra)]
    assert any("passes Typo, which app/functions.yaml does not declare" in f for f in found)
    assert any("uses output ApiArnn, which app/api.yaml does not export" in f for f in found)


def test_a_resource_name_without_the_environment_is_a_finding(infra):
    mon = infra / "monitoring.yaml"
    mon.write_text(
        mon.read_text().replace('TopicName: !Sub "bookingchat-${EnvName}-alarms"', "TopicName: alarms")
    )
    assert any("TopicName does not carry the environment name" in str(f) for f in validate.own_rules(infra))
