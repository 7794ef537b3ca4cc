"""Caps on what one conversation and one visitor may do with a tenant's public widget key.

The widget key sits in the tenant's page, so anyone may use it. This module owns the caps per
plan (`PLAN_CAPS`), who counts as a "visitor" (`visitor_of`), and the counters behind them.

A counter is one item per (what, window): `TENANT#<id> / LIMIT#<what>#<window start>`, taken
with one conditional UpdateItem (`ADD n 1` only while `n < cap`) and swept by the table's TTL
once its window is over. No read-then-write race (the condition is evaluated by DynamoDB) and
no DeleteItem (the chat role grants none): a hold given back is an `ADD n -1`.

Who is a visitor. The conversation id and any id the widget keeps in localStorage are chosen
by the client, so a stranger mints a new one per request: they scope a conversation, never a
cap. The per-visitor caps use the client address AppSync hands the resolver in
`request.headers["x-forwarded-for"]` — its LAST entry, the one AWS's front end appended (entries
before it are whatever the client sent). It is hashed before it is stored. Behind a shared NAT
many people are one visitor; that is why the per-visitor caps are looser than the
per-conversation ones, and why WAF's per-IP rate rule sits in front of both.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from backend.errors import GraphQLUserError


@dataclass(frozen=True)
class Caps:
    messages_per_conversation_per_minute: int
    messages_per_visitor_per_minute: int
    bookings_per_conversation_per_day: int
    bookings_per_visitor_per_day: int


# Per plan (backend.store.PLAN_LIMITS names the plans). A tenant item may override one cap with
# an attribute of the same name (set by an operator), as `monthlyTokenLimit` does for tokens.
PLAN_CAPS: dict[str, Caps] = {
    "FREE": Caps(10, 30, 2, 3),
    "PRO": Caps(20, 60, 3, 5),
    "ENTERPRISE": Caps(30, 120, 5, 10),
}
MINUTE, DAY = 60, 24 * 3600


def _now() -> float:
    """The clock of the windows (a test pins it so a window cannot roll over mid-test)."""
    return time.time()


MESSAGES = {
    "en": {
        "messages": "You're sending messages faster than I can answer. Please wait a minute and try again.",
        "bookings": "This chat has already made {cap} bookings today, the most allowed. "
        "To book more, please contact {name} directly.",
    },
    "es": {
        "messages": "Estás enviando mensajes más rápido de lo que puedo responder. "
        "Espera un minuto y vuelve a intentarlo.",
        "bookings": "Desde este chat ya se han hecho {cap} reservas hoy, el máximo permitido. "
        "Para reservar más, contacta directamente con {name}.",
    },
}


class LimitReached(GraphQLUserError):
    """A cap on the public key was reached; the message is safe to show in the chat."""

    def __init__(self, what: str, cap: int, message: str) -> None:
        super().__init__(message)
        self.what, self.cap = what, cap


@dataclass(frozen=True)
class Hold:
    """One unit taken from a counter (given back if the work it paid for did not happen)."""

    tenant_id: str
    sk: str


def caps_for(tenant: dict) -> Caps:
    base = PLAN_CAPS.get(tenant.get("plan", "FREE"), PLAN_CAPS["FREE"])
    overrides = {k: int(tenant[k]) for k in Caps.__dataclass_fields__ if k in tenant}
    return Caps(**{**base.__dict__, **overrides})


def visitor_of(event: dict) -> str | None:
    """A stable, hashed id of the client address AppSync saw; None when there is none (tests)."""
    headers = (event.get("request") or {}).get("headers") or {}
    forwarded = str(headers.get("x-forwarded-for") or "")
    address = forwarded.split(",")[-1].strip()
    if not address:
        return None
    return "ip-" + hashlib.sha256(address.encode()).hexdigest()[:32]


def message(what: str, locale: str, tenant: dict, cap: int) -> str:
    text = MESSAGES.get(locale, MESSAGES["en"])[what]
    return text.format(cap=cap, name=tenant.get("name") or "the business")


def window_key(what: str, window_seconds: int, now: float | None = None) -> str:
    start = int(now if now is not None else _now()) // window_seconds * window_seconds
    return f"{what}#{start}"


def take(tenant_id: str, what: str, cap: int, window_seconds: int, now: float | None = None) -> Hold | None:
    """Count one against `what` in the current window; None (nothing written) at the cap."""
    from botocore.exceptions import ClientError

    from backend import runtime, store
    from backend.table import keys

    now = _now() if now is None else now
    sk = keys.limit(window_key(what, window_seconds, now))
    window_end = int(now) // window_seconds * window_seconds + window_seconds
    try:
        runtime.dynamodb().update_item(
            TableName=runtime.table_name(),
            Key=store._ser({"pk": keys.tenant_pk(tenant_id), "sk": sk}),
            UpdateExpression="ADD #n :one SET #ty = :ty, #ttl = :ttl",
            ConditionExpression="attribute_not_exists(#n) OR #n < :cap",
            ExpressionAttributeNames={"#n": "n", "#ty": "type", "#ttl": "ttl"},
            ExpressionAttributeValues=store._ser(
                {":one": 1, ":cap": cap, ":ty": "limit", ":ttl": window_end + MINUTE}
            ),
        )
    except ClientError as err:
        if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return None
    return Hold(tenant_id, sk)


def give_back(hold: Hold) -> None:
    """Undo a take whose work did not happen (a lost slot race): the visitor keeps the unit."""
    from backend import store
    from backend.table import keys

    store._update_if(
        keys.tenant_pk(hold.tenant_id),
        hold.sk,
        UpdateExpression="ADD #n :minus",
        ConditionExpression="#n > :zero",
        ExpressionAttributeNames={"#n": "n"},
        ExpressionAttributeValues=store._ser({":minus": -1, ":zero": 0}),
    )


def allow_message(tenant: dict, conversation_id: str | None, visitor: str | None, locale: str) -> None:
    """Raise LimitReached when this conversation or visitor is over its messages per minute."""
    caps = caps_for(tenant)
    checks = []
    if conversation_id:
        checks.append((f"msg#conv#{conversation_id}", caps.messages_per_conversation_per_minute))
    if visitor:
        checks.append((f"msg#visitor#{visitor}", caps.messages_per_visitor_per_minute))
    for what, cap in checks:
        if take(tenant["tenantId"], what, cap, MINUTE) is None:
            raise LimitReached("messages", cap, message("messages", locale, tenant, cap))


def hold_booking(
    tenant: dict, conversation_id: str | None, visitor: str | None, locale: str = "en"
) -> list[Hold]:
    """Take one booking from the conversation's and the visitor's daily caps, or raise LimitReached
    having taken nothing. The caller gives the holds back if no booking is written."""
    caps = caps_for(tenant)
    checks = []
    if conversation_id:
        checks.append((f"book#conv#{conversation_id}", caps.bookings_per_conversation_per_day))
    if visitor:
        checks.append((f"book#visitor#{visitor}", caps.bookings_per_visitor_per_day))
    holds: list[Hold] = []
    for what, cap in checks:
        hold = take(tenant["tenantId"], what, cap, DAY)
        if hold is None:
            for taken in holds:
                give_back(taken)
            raise LimitReached("bookings", cap, message("bookings", locale, tenant, cap))
        holds.append(hold)
    return holds
