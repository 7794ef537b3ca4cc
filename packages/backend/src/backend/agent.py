"""The AI booking agent: Amazon Bedrock Converse with tool use and a bounded tool loop.

Tools: list_services, check_availability, create_booking, cancel_booking — each scoped to the
caller's tenant, and cancel only to bookings made in this conversation. Any Bedrock error or
timeout raises `BedrockUnavailable`; the chat function then answers with the guided flow.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from backend import runtime, scheduling, store
from backend.errors import GraphQLUserError

MAX_TOOL_ROUNDS = 5
MAX_HISTORY_MESSAGES = 30
MAX_TOKENS = 700

TOOLS = [
    {
        "toolSpec": {
            "name": "list_services",
            "description": "List the services the business offers, with their ids and durations.",
            "inputSchema": {"json": {"type": "object", "properties": {}}},
        }
    },
    {
        "toolSpec": {
            "name": "check_availability",
            "description": "Free start times for a service on a date (YYYY-MM-DD, business time zone).",
            "inputSchema": {
                "json": {
                    "type": "object",
                    "properties": {"serviceId": {"type": "string"}, "date": {"type": "string"}},
                    "required": ["serviceId", "date"],
                }
            },
        }
    },
    {
        "toolSpec": {
            "name": "create_booking",
            "description": "Book a free start time (ISO 8601 with offset, from check_availability) "
            "for a service, under the customer's name. Confirm with the customer first.",
            "inputSchema": {
                "json": {
                    "type": "object",
                    "properties": {
                        "serviceId": {"type": "string"},
                        "start": {"type": "string"},
                        "customerName": {"type": "string"},
                    },
                    "required": ["serviceId", "start", "customerName"],
                }
            },
        }
    },
    {
        "toolSpec": {
            "name": "cancel_booking",
            "description": "Cancel a booking made earlier in this conversation, by its id.",
            "inputSchema": {
                "json": {
                    "type": "object",
                    "properties": {"bookingId": {"type": "string"}},
                    "required": ["bookingId"],
                }
            },
        }
    },
]


class BedrockUnavailable(Exception):
    """Bedrock failed, timed out or answered unusably; the guided flow takes over.

    `turn` keeps what happened before the failure: tokens spent and any booking a tool made.
    """

    def __init__(self, reason: str, turn: AgentTurn | None = None):
        super().__init__(reason)
        self.turn = turn


@dataclass
class AgentTurn:
    message: str
    booking: dict | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    quick_replies: list[dict] = field(default_factory=list)


def system_prompt(tenant: dict, locale: str) -> str:
    now = scheduling.now_in(tenant)
    language = "Spanish" if locale == "es" else "English"
    return (
        f"You are the booking assistant of {tenant['name']}. Answer in {language}, briefly and kindly. "
        f"Now it is {now.strftime('%A %Y-%m-%d %H:%M')} in the business time zone {tenant['timeZone']}. "
        "Help the customer book an appointment: find the service, check availability with the tool, "
        "offer a few free times, ask for the customer's name, confirm, then call create_booking. "
        "Never invent availability or bookings; only tools tell the truth. Do not discuss other topics."
    )


def run_turn(
    tenant: dict, history: list[dict], text: str, locale: str, conversation_id: str, client_token: str | None
) -> AgentTurn:
    """One visitor message through the model and its tools. `history` is updated in place."""
    from botocore.exceptions import BotoCoreError, ClientError

    mark = len(history)
    history.append({"role": "user", "content": [{"text": text}]})
    turn = AgentTurn(message="")
    tools = _Tools(tenant, conversation_id, client_token, turn)
    for _ in range(MAX_TOOL_ROUNDS):
        try:
            resp = runtime.bedrock().converse(
                modelId=runtime.model_id(),
                system=[{"text": system_prompt(tenant, locale)}],
                messages=_window(history),
                toolConfig={"tools": TOOLS},
                inferenceConfig={"maxTokens": MAX_TOKENS, "temperature": 0.2},
            )
        except (ClientError, BotoCoreError) as err:
            del history[mark:]  # keep the stored history a valid Converse conversation
            raise BedrockUnavailable(str(err), turn) from err
        usage = resp.get("usage") or {}
        turn.input_tokens += int(usage.get("inputTokens", 0))
        turn.output_tokens += int(usage.get("outputTokens", 0))
        message = resp["output"]["message"]
        history.append(message)
        texts = [block["text"] for block in message["content"] if "text" in block]
        uses = [block["toolUse"] for block in message["content"] if "toolUse" in block]
        if resp.get("stopReason") != "tool_use" or not uses:
            turn.message = "\n".join(texts).strip()
            break
        history.append({"role": "user", "content": [tools.run(use) for use in uses]})
    else:
        turn.message = _LOOP_LIMIT[locale]
    if not turn.message:
        del history[mark:]
        raise BedrockUnavailable("the model answered without text", turn)
    return turn


_LOOP_LIMIT = {
    "es": "Perdona, no he podido completar la gestión. ¿Me lo repites de otra forma?",
    "en": "Sorry, I couldn't finish that. Could you say it another way?",
}


def _window(history: list[dict]) -> list[dict]:
    """The last messages, starting at a plain user text (never an orphan tool result)."""
    if len(history) <= MAX_HISTORY_MESSAGES:
        return history
    tail = history[-MAX_HISTORY_MESSAGES:]
    for i, msg in enumerate(tail):
        if msg["role"] == "user" and all("text" in b for b in msg["content"]):
            return tail[i:]
    return history[-1:]


class _Tools:
    def __init__(self, tenant: dict, conversation_id: str, client_token: str | None, turn: AgentTurn):
        self.tenant, self.conversation_id, self.client_token, self.turn = (
            tenant,
            conversation_id,
            client_token,
            turn,
        )
        self.tenant_id = tenant["tenantId"]

    def run(self, use: dict) -> dict:
        name, args = use.get("name"), use.get("input") or {}
        try:
            result = getattr(self, f"tool_{name}")(**args) if hasattr(self, f"tool_{name}") else None
            if result is None:
                raise GraphQLUserError(f"unknown tool {name}")
            return {"toolResult": {"toolUseId": use["toolUseId"], "content": [{"json": result}]}}
        except (GraphQLUserError, TypeError, ValueError) as err:
            message = err.message if isinstance(err, GraphQLUserError) else f"bad arguments: {err}"
            return {
                "toolResult": {
                    "toolUseId": use["toolUseId"],
                    "content": [{"text": message}],
                    "status": "error",
                }
            }

    def tool_list_services(self) -> dict:
        return {"services": [scheduling.service_view(s) for s in store.list_services(self.tenant_id)]}

    def tool_check_availability(self, serviceId: str, date: str) -> dict:  # noqa: N803 — model-facing names
        service = store.get_service(self.tenant_id, serviceId)
        day = scheduling.parse_date(date)
        slots = scheduling.available_slots(self.tenant, service, day)
        # The free times become quick replies; a click sends "10:30" back to the model.
        self.turn.quick_replies = [
            {"label": s.start.strftime("%H:%M"), "value": s.start.strftime("%H:%M")} for s in slots[:6]
        ]
        return {
            "serviceId": serviceId,
            "date": day.isoformat(),
            "freeStarts": [s.start.isoformat() for s in slots],
        }

    def tool_create_booking(self, serviceId: str, start: str, customerName: str) -> dict:  # noqa: N803
        service = store.get_service(self.tenant_id, serviceId)
        try:
            when = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
        except ValueError:
            raise GraphQLUserError(f"start must be ISO 8601, got {start!r}") from None
        token = store.derive_token("ai", self.conversation_id, start, self.client_token)
        booking = scheduling.book(self.tenant, service, when, customerName, token, self.conversation_id)
        self.turn.booking = booking
        return {"booking": scheduling.booking_view(booking, self.tenant)}

    def tool_cancel_booking(self, bookingId: str) -> dict:  # noqa: N803
        booking = store.get_booking(self.tenant_id, bookingId)
        if booking.get("conversationId") != self.conversation_id:
            raise GraphQLUserError("only bookings made in this conversation can be cancelled here")
        cancelled = store.cancel_booking(self.tenant_id, bookingId)
        self.turn.booking = cancelled
        return {"booking": scheduling.booking_view(cancelled, self.tenant)}


def dumps(history: list[dict]) -> str:
    return json.dumps(history, ensure_ascii=False, default=str)
