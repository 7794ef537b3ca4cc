"""The AI agent on Bedrock Converse with tools, its token accounting, plan limits and fallbacks.

moto 5.2.5 does not implement bedrock-runtime `converse` (it answers 500), so the Bedrock calls
here go through botocore's Stubber with the real request/response shapes of the Converse API;
everything else (DynamoDB, SSM) is the embedded AWS over HTTP.
"""

import datetime as dt
import json
import socket

import pytest
from backend_events import ACME, LOLA, say
from botocore.stub import ANY, Stubber

from backend import runtime, scheduling, store


def converse_response(content, stop="end_turn", tokens=(100, 20)):
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
        "metrics": {"latencyMs": 321},
    }


def expected_request():
    return {"modelId": ANY, "system": ANY, "messages": ANY, "toolConfig": ANY, "inferenceConfig": ANY}


@pytest.fixture
def bedrock(table):
    stub = Stubber(runtime.bedrock())
    with stub:
        yield stub


def next_monday_10(tenant_id):
    tenant = store.get_tenant(tenant_id)
    today = scheduling.now_in(tenant).date()
    day = today + dt.timedelta(days=(0 - today.weekday()) % 7 or 7)
    return dt.datetime.combine(day, dt.time(10), scheduling.tz_of(tenant))


def test_the_agent_checks_availability_and_books_through_tools(bedrock, capsys):
    start = next_monday_10(LOLA)
    bedrock.add_response(
        "converse",
        converse_response(
            [
                {"text": "Miro la agenda."},
                {
                    "toolUse": {
                        "toolUseId": "t1",
                        "name": "check_availability",
                        "input": {"serviceId": "corte", "date": start.date().isoformat()},
                    }
                },
            ],
            stop="tool_use",
        ),
        expected_request(),
    )
    bedrock.add_response(
        "converse",
        converse_response(
            [
                {
                    "toolUse": {
                        "toolUseId": "t2",
                        "name": "create_booking",
                        "input": {"serviceId": "corte", "start": start.isoformat(), "customerName": "Ana"},
                    }
                }
            ],
            stop="tool_use",
            tokens=(150, 30),
        ),
        expected_request(),
    )
    bedrock.add_response(
        "converse",
        converse_response([{"text": "¡Reservado el lunes a las 10!"}], tokens=(200, 10)),
        expected_request(),
    )
    reply = say(LOLA, "Quiero un corte el lunes a las 10, soy Ana")
    bedrock.assert_no_pending_responses()
    assert reply["mode"] == "AI" and reply["message"] == "¡Reservado el lunes a las 10!"
    assert reply["quickReplies"] == []  # booked: nothing left to pick
    assert reply["booking"]["status"] == "CONFIRMED" and reply["booking"]["start"] == start.isoformat()
    usage = store.get_usage(LOLA)
    assert (usage["inputTokens"], usage["outputTokens"], usage["totalTokens"]) == (450, 60, 510)
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    tokens = [m for m in metrics if "BedrockTokens" in m]
    assert tokens and tokens[0]["BedrockTokens"] == [510.0] and tokens[0]["tenantId"] == LOLA
    assert any("BookingCreated" in m for m in metrics)
    # the history kept for the next turn is a valid Converse conversation: tool use, then its result
    saved = json.loads(store.get_conversation(LOLA, reply["conversationId"])["messagesJson"])
    assert [m["role"] for m in saved] == ["user", "assistant", "user", "assistant", "user", "assistant"]
    assert saved[2]["content"][0]["toolResult"]["toolUseId"] == "t1"


def test_free_times_the_model_looked_up_become_quick_replies(bedrock):
    start = next_monday_10(LOLA)
    check = {"serviceId": "corte", "date": start.date().isoformat()}
    bedrock.add_response(
        "converse",
        converse_response(
            [{"toolUse": {"toolUseId": "t1", "name": "check_availability", "input": check}}], "tool_use"
        ),
        expected_request(),
    )
    bedrock.add_response("converse", converse_response([{"text": "¿A qué hora?"}]), expected_request())
    reply = say(LOLA, "corte el lunes")
    assert [q["value"] for q in reply["quickReplies"]] == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
    ]


def test_tool_errors_go_back_to_the_model_not_to_the_visitor(bedrock):
    bedrock.add_response(
        "converse",
        converse_response(
            [
                {
                    "toolUse": {
                        "toolUseId": "t1",
                        "name": "check_availability",
                        "input": {"serviceId": "x", "date": "y"},
                    }
                }
            ],
            stop="tool_use",
        ),
        expected_request(),
    )
    bedrock.add_response("converse", converse_response([{"text": "¿Qué servicio?"}]), expected_request())
    reply = say(LOLA, "hola")
    assert reply["message"] == "¿Qué servicio?"
    saved = json.loads(store.get_conversation(LOLA, reply["conversationId"])["messagesJson"])
    result = saved[2]["content"][0]["toolResult"]
    assert result["status"] == "error" and "unknown service" in result["content"][0]["text"]


def test_a_bedrock_error_falls_back_to_the_guided_flow(bedrock, capsys):
    bedrock.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
    reply = say(ACME, "Hi there", locale="en")
    assert reply["mode"] == "GUIDED" and "Which service" in reply["message"]
    assert '"FallbackUsed"' in capsys.readouterr().out
    saved = store.get_conversation(ACME, reply["conversationId"])
    assert json.loads(saved["messagesJson"]) == []  # no half turn left behind


def test_a_bedrock_timeout_falls_back_to_the_guided_flow(table, monkeypatch):
    # A socket that accepts connections and never answers: a real read timeout, no fake Bedrock.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", f"http://127.0.0.1:{silent.getsockname()[1]}")
        monkeypatch.setenv("BEDROCK_TIMEOUT_SECONDS", "1")
        runtime.reset()
        reply = say(LOLA, "Hola")
    assert reply["mode"] == "GUIDED" and "¿Qué servicio" in reply["message"]


def test_over_plan_tenants_get_the_guided_flow_without_calling_bedrock(bedrock, capsys):
    store.add_tokens(ACME, 19_000, 1_000)  # FREE plan: 20 000 tokens a month
    reply = say(ACME, "Hi", locale="en")
    bedrock.assert_no_pending_responses()  # nothing was queued: a call would have failed the test
    assert reply["mode"] == "GUIDED"
    out = capsys.readouterr().out
    assert '"PlanExceeded"' in out and '"FallbackUsed"' in out


def test_a_higher_plan_lifts_the_limit(bedrock):
    from backend_events import admin_event

    from backend import admin

    store.add_tokens(ACME, 19_000, 1_000)
    operator = admin_event("", "setPlan", {"tenantId": ACME, "plan": "PRO"}, "Mutation", ("platform-admin",))
    plan = admin.handler(operator)
    assert plan == {"tenantId": ACME, "plan": "PRO", "monthlyTokenLimit": 2_000_000}
    bedrock.add_response("converse", converse_response([{"text": "Hello!"}]), expected_request())
    assert say(ACME, "Hi", locale="en")["mode"] == "AI"
    usage = admin.handler(admin_event(ACME, "usage", {}))
    assert usage["totalTokens"] == 20_120 and usage["plan"] == "PRO"


def test_disable_ia_skips_bedrock(bedrock, disable_ia):
    reply = say(LOLA, "Hola")
    bedrock.assert_no_pending_responses()
    assert reply["mode"] == "GUIDED"


def test_the_tool_loop_is_bounded(bedrock):
    loop = [{"toolUse": {"toolUseId": "t", "name": "list_services", "input": {}}}]
    for _ in range(5):
        bedrock.add_response("converse", converse_response(loop, stop="tool_use"), expected_request())
    reply = say(ACME, "Hi", locale="en")
    assert reply["mode"] == "AI" and "Sorry" in reply["message"]
    assert store.get_usage(ACME)["totalTokens"] == 5 * 120
