"""import / idempotency / rollback as on AWS: the calls moto 5.2.5 lacks, on botocore's Stubber.

STUBBED: moto serves no UpdateAgent, action groups, PrepareAgent or aliases, and a Stubber
replaces every call of the client it is attached to, so the whole `bedrock-agent` client is
stubbed here with responses validated against botocore's real service model (the Stubber
refuses a response that does not fit the shape). Everything else — the lease, the journal and
CloudFront in the embedded AWS, the manifest in a real git repo — is real.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.stub import ANY, Stubber

from orchestrator.adapters import bedrock_agent as ba
from orchestrator.agents import files, pipeline
from orchestrator.core import agent_definition as ad
from orchestrator.core import manifest as mf
from orchestrator.engine import manifest_store

NOW = datetime(2026, 11, 30, tzinfo=UTC)
ID, ALIAS_ID, GROUP_ID = "AGENT12345", "ALIAS12345", "GROUP12345"
NAME = "bookingchat-dev-booking"
ROLE = "arn:aws:iam::123456789012:role/bookingchat-dev-bedrock-agent"


def agent(d: ad.Definition, status: str = "PREPARED") -> dict:
    return {
        "agentId": ID,
        "agentName": NAME,
        "agentArn": f"arn:aws:bedrock:us-east-1:123456789012:agent/{ID}",
        "agentVersion": "DRAFT",
        "clientToken": "2f9c7f2e-9f35-4c3e-9a55-0d4c1e2a7b11",
        "instruction": ad.compose_instruction(d.instructions),
        "agentStatus": status,
        "foundationModel": d.foundation_model,
        "description": d.description,
        "idleSessionTTLInSeconds": d.idle_session_ttl_seconds,
        "agentResourceRoleArn": ROLE,
        "createdAt": NOW,
        "updatedAt": NOW,
        "preparedAt": NOW,
        "promptOverrideConfiguration": {  # GetAgent returns the defaults too: never exported
            "promptConfigurations": [{"promptType": "ORCHESTRATION", "promptCreationMode": "DEFAULT"}]
        },
    }


def group(d: ad.Definition) -> dict:
    body = ad.action_group_body(d)
    return {
        "agentId": ID,
        "agentVersion": "DRAFT",
        "actionGroupId": GROUP_ID,
        "actionGroupName": body["actionGroupName"],
        "description": body["description"],
        "createdAt": NOW,
        "updatedAt": NOW,
        "actionGroupState": "ENABLED",
        "actionGroupExecutor": {"customControl": "RETURN_CONTROL"},
        "functionSchema": body["functionSchema"],
    }


def alias(description: str, version: str, status: str = "PREPARED") -> dict:
    return {
        "agentId": ID,
        "agentAliasId": ALIAS_ID,
        "agentAliasName": "dev",
        "agentAliasArn": f"arn:aws:bedrock:us-east-1:123456789012:agent-alias/{ID}/{ALIAS_ID}",
        "description": description,
        "routingConfiguration": [{"agentVersion": version}],
        "createdAt": NOW,
        "updatedAt": NOW,
        "agentAliasStatus": status,
    }


class Bedrock:
    """The expected bedrock-agent calls, in order, with real response shapes."""

    def __init__(self, stubber: Stubber):
        self.s = stubber

    def find_agent(self, d):
        summary = {"agentId": ID, "agentName": NAME, "agentStatus": "PREPARED", "updatedAt": NOW}
        self.s.add_response("list_agents", {"agentSummaries": [summary]}, {})
        self.s.add_response("get_agent", {"agent": agent(d)}, {"agentId": ID})

    def find_group(self, d):
        summary = {
            "actionGroupId": GROUP_ID,
            "actionGroupName": files.ACTION_GROUP_NAME,
            "actionGroupState": "ENABLED",
            "updatedAt": NOW,
        }
        self.s.add_response("list_agent_action_groups", {"actionGroupSummaries": [summary]}, ANY_PARAMS)
        self.s.add_response("get_agent_action_group", {"agentActionGroup": group(d)}, ANY_PARAMS)

    def find_alias(self, a):
        summary = {
            "agentAliasId": ALIAS_ID,
            "agentAliasName": "dev",
            "agentAliasStatus": a["agentAliasStatus"],
            "createdAt": NOW,
            "updatedAt": NOW,
        }
        self.s.add_response("list_agent_aliases", {"agentAliasSummaries": [summary]}, {"agentId": ID})
        self.s.add_response("get_agent_alias", {"agentAlias": a}, {"agentId": ID, "agentAliasId": ALIAS_ID})


ANY_PARAMS = None  # Stubber: do not check the parameters of this call


@pytest.fixture
def bedrock(dev):
    client = ba.client()
    with Stubber(client) as stubber:
        yield Bedrock(stubber)
        stubber.assert_no_pending_responses()


def definitions(repo):
    new = files.read(repo.path, "booking")
    old = new.model_copy(
        update={"instructions": {**new.instructions, "en": "You book appointments, kindly.\n"}}
    )
    return old, new


def seed_manifest(repo, old: ad.Definition) -> None:
    """dev ran version 3 of the agent (the old instruction) before this change."""
    served = {"digest": ad.digest(old), "version": "3", "alias": "dev"}

    def change(m):
        m = mf.with_agent(m, "dev", "booking", mf.AgentDeployment(**served, at=NOW))
        return mf.with_event(
            m,
            mf.Event(
                at=NOW, by="t", action="agent-import", env="dev", details={"agents": {"booking": served}}
            ),
        )

    manifest_store.commit_change(repo.path, change, "seed")


def test_a_changed_instruction_imports_as_a_new_version_then_nothing_then_rollback(agent_repo, dev, bedrock):
    old, new = definitions(agent_repo)
    seed_manifest(agent_repo, old)
    old_alias = alias(f"definition {ad.digest(old)} from git 000000000000", "3")

    # the plan: the DRAFT differs, the action group does not, the alias serves the old digest
    bedrock.find_agent(old)
    bedrock.find_group(new)
    bedrock.find_alias(old_alias)
    # agent-definition: check, act (UpdateAgent with the WHOLE definition), verify
    bedrock.find_agent(old)
    bedrock.find_agent(old)
    whole = ad.agent_body(new, NAME, ROLE)
    bedrock.s.add_response("update_agent", {"agent": agent(new, "NOT_PREPARED")}, {"agentId": ID, **whole})
    bedrock.find_agent(new)
    # agent-prepare: asynchronous — PREPARING, then PREPARED
    bedrock.s.add_response(
        "prepare_agent",
        {"agentId": ID, "agentStatus": "PREPARING", "agentVersion": "DRAFT", "preparedAt": NOW},
        {"agentId": ID},
    )
    bedrock.s.add_response("get_agent", {"agent": agent(new, "PREPARING")}, {"agentId": ID})
    bedrock.s.add_response("get_agent", {"agent": agent(new)}, {"agentId": ID})
    bedrock.s.add_response("get_agent", {"agent": agent(new)}, {"agentId": ID})
    # agent-alias: a version is cut by updating the alias WITHOUT routingConfiguration
    bedrock.find_alias(old_alias)
    bedrock.find_alias(old_alias)
    cut = {"agentId": ID, "agentAliasId": ALIAS_ID, "agentAliasName": "dev", "description": ANY}
    bedrock.s.add_response(
        "update_agent_alias", {"agentAlias": {**old_alias, "agentAliasStatus": "UPDATING"}}, cut
    )
    new_alias = alias(f"definition {ad.digest(new)} from git abc", "4")
    bedrock.s.add_response(
        "get_agent_alias", {"agentAlias": new_alias}, {"agentId": ID, "agentAliasId": ALIAS_ID}
    )
    bedrock.find_alias(new_alias)

    plan, outcome = pipeline.run_import(agent_repo.path, "dev", tgt=dev, emulator=False, echo=lambda s: None)
    assert plan["steps"] == ["agent-definition", "agent-prepare", "agent-alias", "record-agent"]
    assert any(line.startswith("+") and "Answer in the visitor's language" in line for line in plan["diff"])
    assert outcome.journal.status == "done" and outcome.journal.outputs("agent-alias")["version"] == "4"
    recorded = manifest_store.load(agent_repo.path).environments["dev"].agents["booking"]
    assert (recorded.version, recorded.digest) == ("4", ad.digest(new))
    assert recorded.alias_arn == new_alias["agentAliasArn"]  # what the chat Lambda invokes (engine = agent)

    # a second import with no change: nothing new is created (no UpdateAgent, no alias update)
    bedrock.find_agent(new)
    bedrock.find_group(new)
    bedrock.find_alias(new_alias)
    assert pipeline.run_import(agent_repo.path, "dev", tgt=dev, emulator=False) == (None, None)

    # rollback: the alias routes back to version 3 in one call
    bedrock.find_agent(new)
    bedrock.find_alias(new_alias)
    bedrock.find_alias(new_alias)
    back = {**cut, "routingConfiguration": [{"agentVersion": "3"}]}
    bedrock.s.add_response("update_agent_alias", {"agentAlias": old_alias}, back)
    bedrock.s.add_response(
        "get_agent_alias", {"agentAlias": old_alias}, {"agentId": ID, "agentAliasId": ALIAS_ID}
    )
    bedrock.find_alias(old_alias)
    plan, outcome = pipeline.run_rollback(
        agent_repo.path, "dev", tgt=dev, emulator=False, echo=lambda s: None
    )
    assert plan["to_version"] == "3" and outcome.journal.status == "done"
    recorded = manifest_store.load(agent_repo.path).environments["dev"].agents["booking"]
    assert (recorded.version, recorded.digest) == ("3", ad.digest(old))


def test_a_failed_prepare_is_one_clear_failure(agent_repo, dev, bedrock):
    _, new = definitions(agent_repo)
    bedrock.s.add_response(
        "prepare_agent",
        {"agentId": ID, "agentStatus": "PREPARING", "agentVersion": "DRAFT", "preparedAt": NOW},
        {"agentId": ID},
    )
    failed = {**agent(new, "FAILED"), "failureReasons": ["instruction too short"]}
    bedrock.s.add_response("get_agent", {"agent": failed}, {"agentId": ID})
    with pytest.raises(ba.AgentFailed, match="FAILED \\(instruction too short\\)"):
        ba.prepare(ID, sleep=lambda s: None)


def test_the_chat_lambda_gets_the_recorded_alias_only_with_engine_agent(agent_repo):
    from dataclasses import replace

    from orchestrator import environments
    from orchestrator.deploy import rollout
    from orchestrator.errors import UserError

    env = environments.load("dev")
    assert rollout.ai_params(env, mf.Manifest()) == {
        "AiEngine": "converse",
        "AgentId": "",
        "AgentAliasId": "",
    }
    agent_env = replace(env, values={**env.values, "ai.engine": environments.Value("agent", "test")})
    with pytest.raises(UserError, match="no alias of agent booking is recorded"):
        rollout.ai_params(agent_env, mf.Manifest())
    arn = alias("d", "4")["agentAliasArn"]
    deployment = mf.AgentDeployment(digest="sha256:x", alias="dev", version="4", alias_arn=arn, at=NOW)
    manifest = mf.with_agent(mf.Manifest(), "dev", "booking", deployment)
    assert rollout.ai_params(agent_env, manifest) == {
        "AiEngine": "agent",
        "AgentId": ID,
        "AgentAliasId": ALIAS_ID,
    }


def test_a_tool_schema_change_is_flagged_breaking_in_the_plan(agent_repo, dev, bedrock):
    _, new = definitions(agent_repo)
    functions = [f for f in new.action_group.functions if f.name != "list_services"]
    x = ad.Parameter(type="string", description="x", required=True)
    extra = ad.Function(name="old_tool", description="an old tool", parameters={"x": x})
    live_group = new.model_copy(
        update={"action_group": new.action_group.model_copy(update={"functions": [*functions, extra]})}
    )
    bedrock.find_agent(new)
    bedrock.find_group(live_group)
    bedrock.find_alias(alias(f"definition {ad.digest(new)} from git abc", "4"))
    plan = pipeline.plan(agent_repo.path, "dev", emulator=False, account="123456789012")
    assert "agent-action-group" in plan["steps"]
    assert plan["breaking"] == ["tool old_tool removed"]  # list_services added is not a break
