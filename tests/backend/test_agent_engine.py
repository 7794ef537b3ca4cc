"""`[ai] engine = "agent"`: the chat on Bedrock Agents' InvokeAgent with return of control.

moto 5.2.5 has no `bedrock-agent-runtime`. InvokeAgent answers with an event stream, which
botocore's Stubber cannot carry, so each answer here is a SCRIPTED EVENT STREAM: real
`application/vnd.amazon.eventstream` bytes (prelude, headers, payload, CRCs) with the events'
real shapes (chunk, trace, returnControl, exceptions), handed to botocore at `before-send` and
parsed by botocore itself. DynamoDB and SSM are the embedded AWS over HTTP.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from agent_stream import Agent, chunk, message, return_control, trace
from backend_events import ACME, LOLA, say

from backend import runtime, scheduling, store

ALIAS_ARN = "arn:aws:bedrock:us-east-1:123456789012:agent-alias/AGENT12345/ALIAS12345"


@pytest.fixture
def invoke_agent(table, monkeypatch):
    monkeypatch.setenv("AI_ENGINE", "agent")
    monkeypatch.setenv("AGENT_ALIAS_ARN", ALIAS_ARN)
    script = Agent()
    runtime.bedrock_agent_runtime().meta.events.register(
        "before-send.bedrock-agent-runtime.InvokeAgent", script
    )
    yield script
    assert script.answers == []  # every scripted answer was asked for


def next_monday_10(tenant_id):
    tenant = store.get_tenant(tenant_id)
    today = scheduling.now_in(tenant).date()
    day = today + dt.timedelta(days=(0 - today.weekday()) % 7 or 7)
    return dt.datetime.combine(day, dt.time(10), scheduling.tz_of(tenant))


def test_the_agent_books_through_the_same_tools_with_the_authorizers_tenant(invoke_agent):
    start = next_monday_10(LOLA)
    invoke_agent.answer(
        trace(100, 20),
        return_control(
            "inv-1", "check_availability", {"serviceId": "corte", "date": start.date().isoformat()}
        ),
    )
    booking = {"serviceId": "corte", "start": start.isoformat(), "customerName": "Ana"}
    invoke_agent.answer(trace(150, 30), return_control("inv-2", "create_booking", booking))
    invoke_agent.answer(trace(200, 10), chunk("¡Reservado el lunes "), chunk("a las 10!"))

    reply = say(LOLA, "Quiero un corte el lunes a las 10, soy Ana")
    assert reply["mode"] == "AI" and reply["message"] == "¡Reservado el lunes a las 10!"
    assert reply["booking"]["status"] == "CONFIRMED" and reply["booking"]["start"] == start.isoformat()
    assert store.get_booking(LOLA, reply["booking"]["id"])["customerName"] == "Ana"
    usage = store.get_usage(LOLA)
    assert (usage["inputTokens"], usage["outputTokens"]) == (450, 60)  # the token plan counts the agent too

    first, second, third = (r["body"] for r in invoke_agent.requests)
    assert "/agents/AGENT12345/agentAliases/ALIAS12345/sessions/" in invoke_agent.requests[0]["url"]
    assert first["inputText"] == "Quiero un corte el lunes a las 10, soy Ana"
    assert first["sessionState"]["promptSessionAttributes"]["tenantName"]
    # the answer carries the same invocation id and the tool's result, nothing of the tenant id
    assert second["sessionState"]["invocationId"] == "inv-1" and "inputText" not in second
    result = second["sessionState"]["returnControlInvocationResults"][0]["functionResult"]
    assert (
        result["function"] == "check_availability" and "freeStarts" in result["responseBody"]["TEXT"]["body"]
    )
    assert LOLA not in json.dumps(first) + json.dumps(second)  # the session id is a hash
    assert third["sessionState"]["invocationId"] == "inv-2"


def test_the_agent_cannot_reach_another_tenant(invoke_agent):
    # a service of ACME asked for while chatting with LOLA: the tool looks in LOLA's services only
    acme_service = store.list_services(ACME)[0]["id"]
    invoke_agent.answer(
        return_control(
            "inv-1", "check_availability", {"serviceId": acme_service, "date": "2030-01-07", "tenantId": ACME}
        )
    )
    invoke_agent.answer(chunk("No encuentro ese servicio."))
    reply = say(LOLA, "hola")
    result = invoke_agent.requests[1]["body"]["sessionState"]["returnControlInvocationResults"][0][
        "functionResult"
    ]
    assert result["responseState"] == "REPROMPT"  # an unknown parameter (tenantId) is refused, not used
    assert "tenantId" in result["responseBody"]["TEXT"]["body"]
    assert reply["mode"] == "AI"


def test_an_exception_mid_stream_falls_back_to_the_guided_flow(invoke_agent):
    invoke_agent.answer(
        trace(10, 1), message("throttlingException", {"message": "Rate exceeded"}, message_type="exception")
    )
    reply = say(LOLA, "hola")
    assert reply["mode"] == "GUIDED"


def test_disable_ia_wins_over_the_agent(invoke_agent, disable_ia):
    reply = say(LOLA, "hola")
    assert reply["mode"] == "GUIDED" and invoke_agent.requests == []
