"""The chat's AI on Bedrock Agents: InvokeAgent on the environment's alias, with return of control.

Chosen per environment by `[ai] engine = "agent"` (env var AI_ENGINE). The agent (infra/agents/)
plans and talks; every tool call comes back to this Lambda as `returnControl` and runs through
the SAME tool code as the Converse path (`backend.agent._Tools`), with the tenant from the
authorizer — the agent's parameters never name a tenant. Rounds are capped; any error, an
exception event mid-stream, or the deadline coming near raises `BedrockUnavailable`, so
DISABLE_IA, the token plan and the guided fallback in `backend.chat` work exactly as with Converse.
"""

from __future__ import annotations

import hashlib
import json

from backend import agent, runtime, scheduling
from backend import deadline as deadlines

MAX_ROUNDS = agent.MAX_TOOL_ROUNDS
# exception events an InvokeAgent stream may carry instead of a chunk (botocore's model)
_EXCEPTIONS = (
    "internalServerException",
    "validationException",
    "resourceNotFoundException",
    "serviceQuotaExceededException",
    "throttlingException",
    "accessDeniedException",
    "conflictException",
    "dependencyFailedException",
    "badGatewayException",
    "modelNotReadyException",
)
_CASTS = {"integer": int, "number": float, "boolean": lambda v: str(v).lower() == "true", "array": json.loads}


def session_id(tenant_id: str, conversation_id: str) -> str:
    """One agent session per tenant and conversation; no tenant id readable in it."""
    return hashlib.sha256(f"{tenant_id}\x00{conversation_id}".encode()).hexdigest()[:64]


def _attributes(tenant: dict, locale: str) -> dict:
    now = scheduling.now_in(tenant)
    return {
        "tenantName": tenant["name"],
        "timeZone": tenant["timeZone"],
        "now": now.strftime("%A %Y-%m-%d %H:%M"),
        "locale": locale,
    }


def _arguments(invocation: dict) -> dict:
    """functionInvocationInput.parameters ([{name, type, value}] as strings) → the tool's input."""
    args = {}
    for p in invocation.get("parameters", []):
        cast = _CASTS.get(p.get("type"), str)
        try:
            args[p["name"]] = cast(p["value"])
        except (TypeError, ValueError):
            args[p["name"]] = p["value"]  # the tool's validation reports it back to the agent
    return args


def _function_result(tools: agent._Tools, invocation: dict) -> dict:
    call = invocation.get("functionInvocationInput") or {}
    result = tools.run({"toolUseId": "agent", "name": call.get("function"), "input": _arguments(call)})[
        "toolResult"
    ]
    block = result["content"][0]
    body = json.dumps(block["json"], ensure_ascii=False, default=str) if "json" in block else block["text"]
    out = {
        "actionGroup": call.get("actionGroup", ""),
        "function": call.get("function", ""),
        "responseBody": {"TEXT": {"body": body}},
    }
    if result.get("status") == "error":
        out["responseState"] = "REPROMPT"  # the agent reads the error and tries again
    return out


def run_turn(
    tenant: dict,
    history: list[dict],
    text: str,
    locale: str,
    conversation_id: str,
    client_token: str | None,
    deadline: deadlines.Deadline | None = None,
    visitor: str | None = None,
) -> agent.AgentTurn:
    """One visitor message through the agent alias and its returned tool calls (`history` updated)."""
    from botocore.exceptions import BotoCoreError, ClientError, EventStreamError

    deadline = deadline or deadlines.for_turn()
    turn = agent.AgentTurn(message="")
    tools = agent._Tools(tenant, conversation_id, client_token, turn, visitor, locale)
    try:
        agent_id, alias_id = runtime.agent_alias()
    except ValueError as err:
        raise agent.BedrockUnavailable(str(err), turn) from None
    state: dict = {"promptSessionAttributes": _attributes(tenant, locale)}
    request: dict = {"inputText": text}
    for _ in range(MAX_ROUNDS):
        if not deadline.allows(agent.MIN_CALL_SECONDS):
            raise agent.BedrockUnavailable("no time left in this turn for the agent", turn)
        texts, control = [], None
        try:
            resp = runtime.bedrock_agent_runtime(read_timeout=deadline.remaining()).invoke_agent(
                agentId=agent_id,
                agentAliasId=alias_id,
                sessionId=session_id(tenant["tenantId"], conversation_id),
                enableTrace=True,  # the model's token usage comes only in the trace
                sessionState=state,
                **request,
            )
            for event in resp["completion"]:
                if "chunk" in event:
                    texts.append(event["chunk"].get("bytes", b"").decode("utf-8"))
                elif "returnControl" in event:
                    control = event["returnControl"]
                elif "trace" in event:
                    _count_tokens(event["trace"], turn)
                elif failed := next((k for k in _EXCEPTIONS if k in event), None):
                    raise agent.BedrockUnavailable(f"InvokeAgent stream: {failed}", turn)
        except (ClientError, BotoCoreError, EventStreamError) as err:
            raise agent.BedrockUnavailable(str(err), turn) from err
        if control is None:
            turn.message = "".join(texts).strip()
            break
        results = []
        for invocation in control.get("invocationInputs", []):
            if not deadline.allows(agent.MIN_CALL_SECONDS):
                raise agent.BedrockUnavailable("no time left in this turn for the agent's tools", turn)
            results.append({"functionResult": _function_result(tools, invocation)})
        # Answer with the same session and invocation id; inputText is then ignored by the service.
        state = {
            "promptSessionAttributes": state["promptSessionAttributes"],
            "invocationId": control["invocationId"],
            "returnControlInvocationResults": results,
        }
        request = {}
    else:
        turn.message = agent._LOOP_LIMIT[locale]
    if not turn.message:
        raise agent.BedrockUnavailable("the agent answered without text", turn)
    # The agent keeps the conversation in its session; the stored history stays a valid Converse
    # conversation (plain text turns), so switching the engine back loses nothing.
    history.append({"role": "user", "content": [{"text": text}]})
    history.append({"role": "assistant", "content": [{"text": turn.message}]})
    return turn


def _count_tokens(trace: dict, turn: agent.AgentTurn) -> None:
    orchestration = (trace.get("trace") or {}).get("orchestrationTrace") or {}
    usage = ((orchestration.get("modelInvocationOutput") or {}).get("metadata") or {}).get("usage") or {}
    turn.input_tokens += int(usage.get("inputTokens", 0))
    turn.output_tokens += int(usage.get("outputTokens", 0))
