"""The AI agent on Bedrock Converse with tools, its token accounting, plan limits and fallbacks.

moto 5.2.5 does not implement bedrock-runtime `converse` (it answers 500), so the Bedrock calls
here go through botocore's Stubber with the real request/response shapes of the Converse API;
everything else (DynamoDB, SSM) is the embedded AWS over HTTP.
"""

import datetime as dt
import json
import socket
import time

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
    # the model is handed the short reference to quote (issue 17); the id stays the key
    reference = reply["booking"]["reference"]
    assert reference == store.get_booking(LOLA, reply["booking"]["id"])["reference"]
    assert reference in json.dumps(saved[4]["content"][0]["toolResult"])


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


# ── issue 11: the turn always answers; arguments are checked; the history is bounded ─────────


class LambdaContext:
    """The Lambda runtime's context object, as far as the chat function reads it."""

    aws_request_id = "test-request"

    def __init__(self, seconds: float):
        self._ends = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._ends - time.monotonic()) * 1000))


def say_with_context(tenant_id, text, context, locale=None):
    from backend_events import widget_event

    from backend import chat

    args = {"text": text, "locale": locale}
    return chat.handler(widget_event(tenant_id, "sendMessage", {"input": args}, "Mutation"), context)


def test_a_silent_bedrock_gets_only_the_time_the_lambda_has_left(table, monkeypatch):
    # The configured timeout (12 s) is longer than the Lambda has left: the read timeout must
    # come from the context, or AppSync gives up before any answer.
    monkeypatch.setenv("CHAT_GUIDED_RESERVE_SECONDS", "2")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", f"http://127.0.0.1:{silent.getsockname()[1]}")
        runtime.reset()
        context = LambdaContext(5)
        reply = say_with_context(LOLA, "Hola", context)
        left = context.get_remaining_time_in_millis()
    assert reply["mode"] == "GUIDED" and "¿Qué servicio" in reply["message"]
    assert left > 0, "the answer came after the Lambda's deadline"


def test_a_slow_model_after_a_booking_still_answers_in_time_with_the_booking(table, monkeypatch):
    # Each Converse call takes 0.9 s (within its 1 s read timeout) and the model keeps calling
    # tools: five rounds would need 4.5 s. The Lambda has 5.5 s left and keeps 3 s for the
    # guided answer, so the model gets one or two rounds: the guided flow then confirms the
    # booking the model's first tool call made, and the tokens of every call that answered count.
    from backend import agent  # noqa: F401 — a warm container: imports are not part of this turn

    monkeypatch.setenv("CHAT_GUIDED_RESERVE_SECONDS", "3")
    monkeypatch.setenv("BEDROCK_TIMEOUT_SECONDS", "1")
    runtime.ia_disabled()  # warm: the SSM client exists before the clock starts
    bedrock = Stubber(runtime.bedrock())
    start = next_monday_10(LOLA)
    args = {"serviceId": "corte", "start": start.isoformat(), "customerName": "Ana"}
    booking_use = {"toolUse": {"toolUseId": "t1", "name": "create_booking", "input": args}}
    bedrock.add_response("converse", converse_response([booking_use], "tool_use"), expected_request())
    for n in range(3):
        use = {"toolUse": {"toolUseId": f"l{n}", "name": "list_services", "input": {}}}
        bedrock.add_response("converse", converse_response([use], "tool_use"), expected_request())
    bedrock.add_response("converse", converse_response([{"text": "¡Reservado!"}]), expected_request())
    calls = []

    def slow_model(**_):
        calls.append(time.monotonic())
        time.sleep(0.9)

    events = runtime.bedrock().meta.events
    events.register("before-parameter-build.bedrock-runtime.Converse", slow_model)
    try:
        with bedrock:
            context = LambdaContext(5.5)
            reply = say_with_context(LOLA, "Corte el lunes a las 10, soy Ana", context)
            left = context.get_remaining_time_in_millis()
    finally:
        events.unregister("before-parameter-build.bedrock-runtime.Converse", slow_model)
    assert left > 0, "the answer came after the Lambda's deadline"
    assert reply["mode"] == "GUIDED" and 1 <= len(calls) < 5
    assert reply["booking"]["status"] == "CONFIRMED" and reply["booking"]["start"] == start.isoformat()
    assert "Ana" in reply["message"] and "10:00" in reply["message"]
    assert store.get_usage(LOLA)["totalTokens"] == 120 * len(calls)
    saved = store.get_conversation(LOLA, reply["conversationId"])
    assert json.loads(saved["messagesJson"]) == []  # no half turn left behind


@pytest.mark.parametrize(
    ("tool_input", "complaint"),
    [
        (
            {"serviceId": "corte", "start": 20261207, "customerName": "Ana"},
            "start: Input should be a valid string",
        ),
        ({"serviceId": "corte", "customerName": "Ana"}, "start: Field required"),
        ({"serviceId": ["corte"], "start": "2026-12-07T10:00:00+01:00", "customerName": "Ana"}, "serviceId"),
        ("not an object", "bad arguments for create_booking"),
    ],
)
def test_a_malformed_tool_call_is_a_tool_error_and_the_turn_answers(bedrock, tool_input, complaint):
    use = {"toolUse": {"toolUseId": "t1", "name": "create_booking", "input": tool_input}}
    bedrock.add_response("converse", converse_response([use], "tool_use"), expected_request())
    bedrock.add_response("converse", converse_response([{"text": "¿A qué hora?"}]), expected_request())
    reply = say(LOLA, "quiero un corte")
    bedrock.assert_no_pending_responses()
    assert reply["mode"] == "AI" and reply["message"] == "¿A qué hora?" and reply["booking"] is None
    saved = json.loads(store.get_conversation(LOLA, reply["conversationId"])["messagesJson"])
    result = saved[2]["content"][0]["toolResult"]
    assert result["status"] == "error" and complaint in result["content"][0]["text"]


def test_the_tool_schemas_the_model_sees_are_the_ones_that_validate():
    from backend import agent

    specs = {t["toolSpec"]["name"]: t["toolSpec"]["inputSchema"]["json"] for t in agent.TOOLS}
    assert specs["create_booking"]["required"] == ["serviceId", "start", "customerName"]
    assert specs["create_booking"]["additionalProperties"] is False
    assert specs["list_services"]["properties"] == {}


def _turn(i: int, size: int) -> list[dict]:
    return [
        {"role": "user", "content": [{"text": f"mensaje {i} " + "x" * size}]},
        {"role": "assistant", "content": [{"text": f"respuesta {i}"}]},
    ]


def test_a_history_that_would_outgrow_the_item_is_trimmed_to_whole_turns(bedrock):
    from backend import agent

    cid = "conversation-long-1"
    # 404 000 bytes of history: the item still fits (moto refuses items over 405 000 bytes, AWS
    # over 400 KB); one more turn of about 1 KB would not.
    old = [m for i in range(13) for m in _turn(i, 30_000)]
    old[-2]["content"][0]["text"] += "x" * (404_000 - len(json.dumps(old)))
    store.put_conversation(LOLA, cid, {"locale": "es", "mode": "AI", "messagesJson": json.dumps(old)})
    bedrock.add_response("converse", converse_response([{"text": "Vale"}]), expected_request())
    reply = say(LOLA, "y otra cosa " + "y" * 900, cid)
    assert reply["message"] == "Vale"
    stored = store.get_conversation(LOLA, cid)["messagesJson"]
    assert len(stored.encode()) <= agent.MAX_STORED_HISTORY_BYTES
    kept = json.loads(stored)
    assert kept[0]["role"] == "user" and "text" in kept[0]["content"][0]  # starts with a whole turn
    assert kept[-1]["content"][0]["text"] == "Vale" and kept[-2]["content"][0]["text"].startswith("y otra")


def test_trim_keeps_whole_turns_within_both_limits():
    from backend import agent

    tool_turn = [
        {"role": "user", "content": [{"text": "corte"}]},
        {
            "role": "assistant",
            "content": [{"toolUse": {"toolUseId": "t", "name": "list_services", "input": {}}}],
        },
        {"role": "user", "content": [{"toolResult": {"toolUseId": "t", "content": [{"json": {}}]}}]},
        {"role": "assistant", "content": [{"text": "ok"}]},
    ]
    history = _turn(0, 10) + tool_turn + _turn(1, 10)
    assert agent.trim(history, max_messages=5) == _turn(1, 10)  # never starts at a tool result
    assert agent.trim(history, max_messages=6) == tool_turn + _turn(1, 10)
    assert agent.trim(history, max_messages=100, max_bytes=10) == []
    assert agent.trim(history, max_messages=1) == _turn(1, 10)  # the last turn is never cut by count


def test_a_tool_that_fails_on_our_side_is_a_tool_error_and_the_turn_answers(bedrock):
    from botocore.exceptions import ClientError

    def throttled(**_):
        # Fault injection on the real client (the call never leaves): DynamoDB throttling.
        error = {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}
        raise ClientError({"Error": error}, "Query")

    use = {"toolUse": {"toolUseId": "t1", "name": "list_services", "input": {}}}
    bedrock.add_response("converse", converse_response([use], "tool_use"), expected_request())
    bedrock.add_response("converse", converse_response([{"text": "Un momento"}]), expected_request())
    events = runtime.dynamodb().meta.events
    events.register("provide-client-params.dynamodb.Query", throttled)
    try:
        with pytest.raises(ClientError):  # the hook is live: a direct read fails too
            store.list_services(LOLA)
        reply = say(LOLA, "¿qué servicios hay?")
    finally:
        events.unregister("provide-client-params.dynamodb.Query", throttled)
    assert reply["mode"] == "AI" and reply["message"] == "Un momento"
    saved = json.loads(store.get_conversation(LOLA, reply["conversationId"])["messagesJson"])
    assert saved[2]["content"][0]["toolResult"]["status"] == "error"


def test_a_slow_tool_leaves_the_answer_to_the_guided_flow_in_time(table, monkeypatch):
    # The model asks for availability; the tool's first DynamoDB query takes 2.5 s and uses up
    # the model's 2 s (5 s left, 3 s kept for the guided answer): no second Converse call.
    from backend import agent  # noqa: F401 — a warm container: imports are not part of this turn

    monkeypatch.setenv("CHAT_GUIDED_RESERVE_SECONDS", "3")
    monkeypatch.setenv("BEDROCK_TIMEOUT_SECONDS", "1")
    runtime.ia_disabled()
    bedrock = Stubber(runtime.bedrock())
    day = next_monday_10(LOLA).date().isoformat()
    use = {
        "toolUse": {
            "toolUseId": "t1",
            "name": "check_availability",
            "input": {"serviceId": "corte", "date": day},
        }
    }
    bedrock.add_response("converse", converse_response([use], "tool_use"), expected_request())
    bedrock.add_response(
        "converse", converse_response([{"text": "Tengo libre a las 10"}]), expected_request()
    )
    slow = []

    def slow_query(**_):
        if not slow:  # only the tool's first read is slow; the guided flow's are not
            slow.append(True)
            time.sleep(2.5)

    events = runtime.dynamodb().meta.events
    events.register("before-parameter-build.dynamodb.Query", slow_query)
    try:
        with bedrock:
            context = LambdaContext(5)
            reply = say_with_context(LOLA, "¿Hay hueco el lunes para un corte?", context)
            left = context.get_remaining_time_in_millis()
    finally:
        events.unregister("before-parameter-build.dynamodb.Query", slow_query)
    assert left > 0, "the answer came after the Lambda's deadline"
    assert slow and reply["mode"] == "GUIDED" and reply["message"]
    assert store.get_usage(LOLA)["totalTokens"] == 120  # the call that answered counts
