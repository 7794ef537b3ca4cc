"""The AI booking agent: Amazon Bedrock Converse with tool use and a bounded tool loop.

Tools: list_services, check_availability, create_booking, cancel_booking — each scoped to the
caller's tenant, and cancel only to bookings made in this conversation. Each tool's arguments
are one pydantic model: its JSON schema is what the model is shown, and a use that does not
validate goes back to the model as a tool error. Any Bedrock error or timeout, or the turn's
deadline coming near, raises `BedrockUnavailable`; the chat function then answers with the
guided flow. `trim` bounds the history the model sees and the one that is stored.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backend import deadline as deadlines
from backend import runtime, scheduling, store
from backend.errors import GraphQLUserError

MAX_TOOL_ROUNDS = 5
MAX_HISTORY_MESSAGES = 30
MAX_STORED_HISTORY_BYTES = 100_000  # the conversation item must stay far below DynamoDB's 400 KB
MAX_TOKENS = 700
MIN_CALL_SECONDS = 1.0  # below this a Converse call cannot answer in time: stop asking the model


# ── tools: one pydantic model per tool is both the schema the model sees and the validator ──


class _Args(BaseModel):
    # Strict: a number where a string is expected is the model's mistake, reported back to it.
    model_config = ConfigDict(extra="forbid", strict=True)


class ListServicesArgs(_Args):
    pass


class CheckAvailabilityArgs(_Args):
    serviceId: str = Field(description="A service id from list_services.")  # noqa: N815 — model-facing
    date: str = Field(description="The day, YYYY-MM-DD, in the business time zone.")


class CreateBookingArgs(_Args):
    serviceId: str = Field(description="A service id from list_services.")  # noqa: N815
    start: str = Field(description="A free start time from check_availability (ISO 8601 with offset).")
    customerName: str = Field(description="The customer's name, as they gave it.")  # noqa: N815


class CancelBookingArgs(_Args):
    bookingId: str = Field(  # noqa: N815
        description="The id, or the reference (like K7Q-4M2), of a booking made earlier in this conversation."
    )


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    args: type[_Args]

    def spec(self) -> dict:
        return {
            "toolSpec": {
                "name": self.name,
                "description": self.description,
                "inputSchema": {"json": self.args.model_json_schema()},
            }
        }


TOOL_DEFINITIONS = {
    t.name: t
    for t in (
        Tool(
            "list_services",
            "List the services the business offers, with their ids and durations.",
            ListServicesArgs,
        ),
        Tool(
            "check_availability",
            "Free start times for a service on a date (YYYY-MM-DD, business time zone).",
            CheckAvailabilityArgs,
        ),
        Tool(
            "create_booking",
            "Book a free start time (ISO 8601 with offset, from check_availability) "
            "for a service, under the customer's name. Confirm with the customer first.",
            CreateBookingArgs,
        ),
        Tool(
            "cancel_booking",
            "Cancel a booking made earlier in this conversation, by its id or its reference.",
            CancelBookingArgs,
        ),
    )
}
TOOLS = [t.spec() for t in TOOL_DEFINITIONS.values()]

# JSON-schema types a Bedrock Agents function parameter may have (ParameterDetail.type).
_AGENT_PARAM_TYPES = ("string", "number", "integer", "boolean", "array")


def function_schema() -> list[dict]:
    """The tools as a Bedrock Agents action group's `functionSchema.functions`, sorted by name.

    Built from the same pydantic models as the Converse `toolSpec`s, so the two engines can
    never disagree on a tool: `infra/agents/*/action-group.yaml` is this, generated.
    """
    functions = []
    for tool in sorted(TOOL_DEFINITIONS.values(), key=lambda t: t.name):
        schema = tool.args.model_json_schema()
        required = set(schema.get("required", []))
        parameters = {}
        for name, prop in sorted(schema.get("properties", {}).items()):
            if prop.get("type") not in _AGENT_PARAM_TYPES:
                raise TypeError(
                    f"{tool.name}.{name}: Bedrock Agents has no parameter type {prop.get('type')!r}"
                )
            parameters[name] = {
                "type": prop["type"],
                "description": prop.get("description", ""),
                "required": name in required,
            }
        functions.append(
            {
                "name": tool.name,
                "description": tool.description,
                "parameters": parameters,
                "requireConfirmation": "DISABLED",
            }
        )
    return functions


def argument_errors(err: ValidationError) -> str:
    """Pydantic's findings as one line the model can act on: `start: Input should be a valid string`."""
    parts = []
    for problem in err.errors(include_url=False):
        where = ".".join(str(p) for p in problem["loc"]) or "input"
        parts.append(f"{where}: {problem['msg']}")
    return "; ".join(parts)


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
        "Tell the customer the booking's reference (like K7Q-4M2), never its internal id. "
        "Never invent availability or bookings; only tools tell the truth. Do not discuss other topics."
    )


def run_turn(
    tenant: dict,
    history: list[dict],
    text: str,
    locale: str,
    conversation_id: str,
    client_token: str | None,
    deadline: deadlines.Deadline | None = None,
    visitor: str | None = None,
) -> AgentTurn:
    """One visitor message through the model and its tools. `history` is updated in place.

    Every Converse call must answer before `deadline`: its read timeout is the time left, and
    no call (or tool) starts without MIN_CALL_SECONDS left. Running out of time raises
    BedrockUnavailable carrying the turn so far (tokens spent, a booking already made).
    """
    from botocore.exceptions import BotoCoreError, ClientError

    deadline = deadline or deadlines.for_turn()
    mark = len(history)
    history.append({"role": "user", "content": [{"text": text}]})
    turn = AgentTurn(message="")
    tools = _Tools(tenant, conversation_id, client_token, turn, visitor, locale)

    def give_up(reason: str) -> BedrockUnavailable:
        del history[mark:]  # keep the stored history a valid Converse conversation
        return BedrockUnavailable(reason, turn)

    for _ in range(MAX_TOOL_ROUNDS):
        if not deadline.allows(MIN_CALL_SECONDS):
            raise give_up("no time left in this turn for the model")
        try:
            resp = runtime.bedrock(read_timeout=deadline.remaining()).converse(
                modelId=runtime.model_id(),
                system=[{"text": system_prompt(tenant, locale)}],
                messages=trim(history),
                toolConfig={"tools": TOOLS},
                inferenceConfig={"maxTokens": MAX_TOKENS, "temperature": 0.2},
            )
        except (ClientError, BotoCoreError) as err:
            raise give_up(str(err)) from err
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
        results = []
        for use in uses:
            if not deadline.allows(MIN_CALL_SECONDS):
                raise give_up("no time left in this turn for the model's tools")
            results.append(tools.run(use))
        history.append({"role": "user", "content": results})
    else:
        turn.message = _LOOP_LIMIT[locale]
    if not turn.message:
        raise give_up("the model answered without text")
    return turn


_LOOP_LIMIT = {
    "es": "Perdona, no he podido completar la gestión. ¿Me lo repites de otra forma?",
    "en": "Sorry, I couldn't finish that. Could you say it another way?",
}


def _starts_turn(message: dict) -> bool:
    return message.get("role") == "user" and all("text" in b for b in message.get("content") or [{}])


def trim(
    history: list[dict], max_messages: int = MAX_HISTORY_MESSAGES, max_bytes: int | None = None
) -> list[dict]:
    """The longest tail of whole turns within both limits (pure).

    A tail always starts at a visitor's plain text, so it never opens with an orphan tool
    result or assistant message (Converse refuses those). When even the last turn is over the
    byte limit, nothing is kept; the message limit never drops the last turn.
    """
    sizes = [len(json.dumps(m, ensure_ascii=False, default=str).encode()) + 1 for m in history]
    tail_bytes, suffix = 0, [0] * (len(history) + 1)
    for i in range(len(history) - 1, -1, -1):
        tail_bytes += sizes[i]
        suffix[i] = tail_bytes
    starts = [i for i, m in enumerate(history) if _starts_turn(m)]
    fits = [i for i in starts if max_bytes is None or suffix[i] <= max_bytes]
    for i in fits:
        if len(history) - i <= max_messages:
            return history[i:]
    return history[fits[-1] :] if fits else []


def _tool_error(use: dict, message: str) -> dict:
    return {"toolResult": {"toolUseId": use["toolUseId"], "content": [{"text": message}], "status": "error"}}


class _Tools:
    def __init__(
        self,
        tenant: dict,
        conversation_id: str,
        client_token: str | None,
        turn: AgentTurn,
        visitor: str | None = None,
        locale: str = "en",
    ):
        self.tenant, self.conversation_id, self.client_token, self.turn = (
            tenant,
            conversation_id,
            client_token,
            turn,
        )
        self.visitor, self.locale = visitor, locale  # the booking caps (backend.limits)
        self.tenant_id = tenant["tenantId"]

    def run(self, use: dict) -> dict:
        """Run one tool use; any mistake in it is a toolResult with status error, for the model."""
        name, raw = use.get("name"), use.get("input")
        tool = TOOL_DEFINITIONS.get(name)
        try:
            if tool is None:
                raise GraphQLUserError(f"unknown tool {name!r}; use one of {', '.join(TOOL_DEFINITIONS)}")
            try:
                args = tool.args.model_validate(raw if raw is not None else {})
            except ValidationError as err:
                raise GraphQLUserError(f"bad arguments for {name}: {argument_errors(err)}") from None
            result = getattr(self, f"tool_{name}")(**args.model_dump())
            return {"toolResult": {"toolUseId": use["toolUseId"], "content": [{"json": result}]}}
        except GraphQLUserError as err:
            return _tool_error(use, err.message)
        except Exception:  # noqa: BLE001 — a failing tool must not cost the visitor the answer
            from backend.observability import logger

            logger().exception("tool failed", extra={"tool": name})
            return _tool_error(use, "this tool failed on our side; ask the customer to try again shortly")

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
        # Over a booking cap this raises LimitReached: its message reaches the model as the
        # tool's error, to be said in the chat.
        booking = scheduling.book(
            self.tenant, service, when, customerName, token, self.conversation_id, self.visitor, self.locale
        )
        self.turn.booking = booking
        return {"booking": scheduling.booking_view(booking, self.tenant)}

    def tool_cancel_booking(self, bookingId: str) -> dict:  # noqa: N803
        booking = store.find_booking(self.tenant_id, bookingId)
        if booking.get("conversationId") != self.conversation_id:
            raise GraphQLUserError("only bookings made in this conversation can be cancelled here")
        cancelled = store.cancel_booking(self.tenant_id, booking["id"])
        self.turn.booking = cancelled
        return {"booking": scheduling.booking_view(cancelled, self.tenant)}


def dumps(history: list[dict]) -> str:
    return json.dumps(history, ensure_ascii=False, default=str)
