"""The agent definition's pure core: normalize, digest, diff, instruction split, live → definition."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend import agent as backend_agent
from orchestrator.agents import files
from orchestrator.core import agent_definition as ad
from orchestrator.errors import UserError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def booking() -> ad.Definition:
    return files.read(ROOT, "booking")


def test_the_action_group_in_git_is_the_backends_tools(booking):
    # one definition of each tool: the YAML is generated from the pydantic models Converse uses
    assert booking.action_group == files.generated_action_group()
    converse = {t["toolSpec"]["name"]: t["toolSpec"]["inputSchema"]["json"] for t in backend_agent.TOOLS}
    for function in booking.action_group.functions:
        schema = converse[function.name]
        assert set(function.parameters) == set(schema.get("properties", {}))
        assert {p for p, v in function.parameters.items() if v.required} == set(schema.get("required", []))
    assert booking.action_group.executor == "RETURN_CONTROL"


def test_the_files_are_what_the_writer_writes(booking, tmp_path):
    # export rewrites the same bytes: the files in git are the writer's one spelling
    for name, text in files.render(booking).items():
        assert (files.folder(ROOT, "booking") / name).read_text() == text, name


def test_digest_ignores_order_and_trailing_blanks(booking):
    shuffled = booking.model_copy(
        update={
            "action_group": booking.action_group.model_copy(
                update={"functions": list(reversed(booking.action_group.functions))}
            ),
            "instructions": {k: v + "\n\n  " for k, v in reversed(booking.instructions.items())},
        }
    )
    assert ad.digest(shuffled) == ad.digest(booking)
    changed = booking.model_copy(update={"instructions": {**booking.instructions, "en": "Be terse.\n"}})
    assert ad.digest(changed) != ad.digest(booking)
    assert any(line.startswith("+") and "Be terse." in line for line in ad.diff(changed, booking))
    assert ad.diff(booking, booking) == []


def test_instruction_round_trips_through_one_bedrock_instruction(booking):
    text = ad.compose_instruction(booking.instructions)
    assert ad.split_instruction(text) == booking.instructions
    # typed in the console without markers: it lands in the English file, readable in the diff
    assert ad.split_instruction("Just book things, politely and briefly, for the business.") == {
        "en": "Just book things, politely and briefly, for the business.\n"
    }


def test_live_agent_is_normalized_without_ids_timestamps_or_default_prompts(booking):
    body = ad.agent_body(booking, "bookingchat-dev-booking", "arn:aws:iam::123456789012:role/r")
    live = {
        **body,
        "agentId": "AB12CD34EF",
        "agentArn": "arn:aws:bedrock:us-east-1:123456789012:agent/AB12CD34EF",
        "agentStatus": "PREPARED",
        "agentVersion": "DRAFT",
        "clientToken": "t",
        "createdAt": "2026-11-30T00:00:00Z",
        "updatedAt": "2026-11-30T00:00:00Z",
        "preparedAt": "2026-11-30T00:00:00Z",
        "promptOverrideConfiguration": {
            "promptConfigurations": [
                {"promptType": "ORCHESTRATION", "promptCreationMode": "DEFAULT", "basePromptTemplate": "x"},
            ]
        },
    }
    group = {
        **ad.action_group_body(booking),
        "actionGroupId": "GRP1",
        "agentId": "AB12CD34EF",
        "createdAt": "2026-11-30T00:00:00Z",
        "updatedAt": "2026-11-30T00:00:00Z",
        "parentActionSignature": None,
    }
    assert ad.from_live("booking", live, group, files.generated_action_group()) == booking
    overridden = {
        "promptType": "ORCHESTRATION",
        "promptCreationMode": "OVERRIDDEN",
        "basePromptTemplate": "y",
    }
    live["promptOverrideConfiguration"]["promptConfigurations"].append(overridden)
    assert ad.from_live("booking", live, group, booking.action_group).prompt_overrides == [overridden]


def test_get_returns_parent_action_signature_update_takes_parent_action_group_signature():
    assert ad.action_group_update({"actionGroupId": "G", "parentActionSignature": "AMAZON.UserInput"}) == {
        "actionGroupId": "G",
        "parentActionGroupSignature": "AMAZON.UserInput",
    }


def test_tool_schema_breaks(booking):
    old = booking.action_group.functions
    new = [f for f in old if f.name != "cancel_booking"]
    book = next(f for f in new if f.name == "create_booking")
    widened = book.model_copy(
        update={"parameters": {**book.parameters, "phone": ad.Parameter(type="string", required=True)}}
    )
    new = [widened if f.name == "create_booking" else f for f in new]
    assert ad.tool_schema_breaks(old, new) == [
        "tool cancel_booking removed",
        "create_booking.phone added as required",
    ]
    assert ad.tool_schema_breaks(old, old) == []


def test_a_bad_agent_yaml_is_one_clear_refusal():
    with pytest.raises(UserError, match=r"agent.yaml: idle_session_ttl_seconds: Input should be less"):
        ad.parse(
            {"name": "booking", "foundation_model": "m", "idle_session_ttl_seconds": 99999},
            {"en": "x"},
            {"name": "g", "functions": []},
            "agent.yaml",
        )
