"""The chat function: `sendMessage` — the AI agent, or the guided flow when it cannot be used.

Guided when: the environment's DISABLE_IA parameter is true, the tenant is over its monthly
token plan (PlanExceeded), or Bedrock fails or times out (FallbackUsed in every case). A
conversation that is half-way through the guided flow finishes there. Tokens are recorded per
tenant per month (BedrockTokens). Conversation state lives in DynamoDB with a TTL.

The widget key is public: a conversation or visitor over its messages per minute gets a
clear chat reply and nothing else runs or is written; bookings are capped likewise
(`backend.limits`).

The turn always answers: the model gets the time left before the turn's deadline (Lambda
context, AppSync's 30 s, minus a reserve for the guided flow); when it runs out, a booking the
model's tools already made (or cancelled) is what the guided flow confirms, and the tokens
already spent are recorded. The stored history is trimmed to whole turns under a byte bound.
"""

from __future__ import annotations

import json
import re
import uuid

from backend import appsync
from backend.errors import BadInput

MAX_TEXT = 1000
CONVERSATION_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def send_message(event: dict, context=None) -> dict:
    from backend import agent, deadline, limits, runtime, scheduling, store
    from backend.guided import GuidedFlow
    from backend.observability import Metric, logger, metric

    turn_deadline = deadline.for_turn(context)  # the clock starts when the request does
    tenant_id = appsync.widget_tenant(event)
    args = (event.get("arguments") or {}).get("input") or {}
    text, conversation_id, client_token = _validate(args)
    tenant = store.get_tenant(tenant_id)
    locale = _locale(args.get("locale"), tenant)
    visitor = limits.visitor_of(event)
    try:
        limits.allow_message(tenant, conversation_id, visitor, locale)
    except limits.LimitReached as err:
        logger().info("limit reached", extra={"limit": err.what, "cap": err.cap})
        # Answered in the chat, not as an error; the conversation is left as it was.
        return {
            "conversationId": conversation_id or uuid.uuid4().hex,
            "message": err.message,
            "quickReplies": [],
            "booking": None,
            "mode": "GUIDED",
        }
    conversation_id = conversation_id or uuid.uuid4().hex
    saved = store.get_conversation(tenant_id, conversation_id) or {}
    guided_state = json.loads(saved.get("guidedJson") or "{}")
    history = json.loads(saved.get("messagesJson") or "[]")

    reason = None
    if guided_state.get("step") not in (None, "service", "done"):
        reason = "guided-in-progress"
    elif runtime.ia_disabled():
        reason = "disabled"
    elif store.over_plan(tenant):
        reason = "over-plan"
        metric(Metric.PLAN_EXCEEDED, tenant_id)

    booking, mode = None, "GUIDED"
    if reason is None:
        try:
            engine = agent.run_turn
            if runtime.ai_engine() == "agent":  # [ai] engine: InvokeAgent with return of control
                from backend import agent_runtime

                engine = agent_runtime.run_turn
            turn = engine(
                tenant, history, text, locale, conversation_id, client_token, turn_deadline, visitor
            )
            mode, message, booking = "AI", turn.message, turn.booking
            quick_replies = [] if booking else turn.quick_replies
        except agent.BedrockUnavailable as err:
            reason, turn = "bedrock-error", err.turn
            booking = turn.booking if turn else None
            logger().warning("bedrock unavailable, guided flow", extra={"error": str(err)})
        if turn and (turn.input_tokens or turn.output_tokens):
            _record_tokens(tenant_id, turn)
    if mode == "GUIDED":
        if reason != "guided-in-progress":
            metric(Metric.FALLBACK_USED, tenant_id)
        logger().info("guided flow", extra={"reason": reason})
        flow = GuidedFlow(tenant, locale, guided_state, conversation_id, visitor)
        # The model's tools booked (or cancelled) before it ran out: say so, don't start over.
        reply = flow.confirm(booking) if booking else flow.answer(text, client_token)
        message, quick_replies, booking = reply.message, reply.quick_replies, reply.booking or booking

    store.put_conversation(
        tenant_id,
        conversation_id,
        {
            "locale": locale,
            "mode": mode,
            "guidedJson": json.dumps(guided_state, ensure_ascii=False),
            "messagesJson": agent.dumps(
                agent.trim(history, agent.MAX_HISTORY_MESSAGES, agent.MAX_STORED_HISTORY_BYTES)
            ),
        },
    )
    return {
        "conversationId": conversation_id,
        "message": message,
        "quickReplies": quick_replies,
        "booking": scheduling.booking_view(booking, tenant) if booking else None,
        "mode": mode,
    }


def _record_tokens(tenant_id: str, turn) -> None:
    from backend import store
    from backend.observability import Metric, metric

    store.add_tokens(tenant_id, turn.input_tokens, turn.output_tokens)
    metric(Metric.BEDROCK_TOKENS, tenant_id, turn.input_tokens + turn.output_tokens)


def _validate(args: dict) -> tuple[str, str | None, str | None]:
    text = args.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadInput("text is empty")
    if len(text) > MAX_TEXT:
        raise BadInput(f"text is over the limit of {MAX_TEXT} characters ({len(text)})")
    conversation_id = args.get("conversationId")
    if conversation_id is not None and not CONVERSATION_ID.match(str(conversation_id)):
        raise BadInput("malformed conversationId (8–64 letters, digits or dashes)")
    client_token = args.get("clientToken")
    if client_token is not None and not re.fullmatch(r"[\x21-\x7e]{1,64}", str(client_token)):
        raise BadInput("clientToken is 1–64 printable characters without spaces")
    return text.strip(), conversation_id, client_token


def _locale(requested: str | None, tenant: dict) -> str:
    for candidate in (requested, tenant.get("locale")):
        short = (candidate or "").lower()[:2]
        if short in ("es", "en"):
            return short
    return "en"


RESOLVERS = {"sendMessage": send_message}


def handler(event, context=None):
    # The resolver needs the context too: its remaining time bounds the turn.
    return appsync.dispatch(event, context, {"sendMessage": lambda e: send_message(e, context)})
