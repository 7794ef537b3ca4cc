"""The IAM contract with `[ai] engine = agent`: the chat's InvokeAgent is allowed by the chat role.

moto evaluates no IAM and serves no bedrock-agent-runtime: the InvokeAgent answers are a scripted
event stream (tests/agent_stream.py, real framing and shapes); the call is recorded like every
other and held to the chat role of the template resolved for the environment with the agent on.
"""

from __future__ import annotations

import pytest
from agent_stream import Agent, chunk, return_control
from iam_scenarios import ACME, LOLA, widget_event

from orchestrator.quality import iam_contract, iam_principals
from orchestrator.quality.iam_calls import SETUP, acting_as

AGENT = {"AiEngine": "agent", "AgentId": "AGENT12345", "AgentAliasId": "ALIAS12345"}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_chat_role_allows_invoke_agent_on_its_alias(env, aws, recorder, monkeypatch):
    from backend import chat, runtime, seed, store, table

    deployment = iam_principals.app_deployments(env, overrides=AGENT)[0]
    environment = deployment.functions["chat"].environment
    assert environment["AGENT_ALIAS_ARN"].endswith(":agent-alias/AGENT12345/ALIAS12345")
    for key, value in {**environment, "DISABLE_IA_TTL_SECONDS": "0"}.items():
        monkeypatch.setenv(key, value)
    runtime.reset()
    with acting_as(SETUP):
        table.create_table(runtime.dynamodb(), environment["TABLE_NAME"])
        seed.seed(environment["TABLE_NAME"], create_table=False)
        for tenant in (ACME, LOLA):
            store.put_admin(tenant, "sub", f"admin@{tenant}.test")
    script = Agent()
    runtime.bedrock_agent_runtime().meta.events.register(
        "before-send.bedrock-agent-runtime.InvokeAgent", script
    )
    script.answer(return_control("inv-1", "list_services", {}))
    script.answer(chunk("Tenemos corte y tinte."))

    args = {"text": "¿qué servicios hay?", "conversationId": None, "locale": "es"}
    reply = chat.handler(widget_event(LOLA, "sendMessage", {"input": args}, "Mutation"))
    assert reply["mode"] == "AI" and len(script.requests) == 2

    chat_calls = [c for c in recorder.calls if c.principal == "chat"]
    assert any(c.operation == "InvokeAgent" for c in chat_calls), [c.operation for c in chat_calls]
    report = iam_contract.check(
        f"{deployment.label} (engine agent)",
        chat_calls,
        {"chat": deployment.functions["chat"]},
        deployment.scope,
    )
    assert report.ok, report.summary()
