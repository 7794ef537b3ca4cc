"""The caps on the public widget key (backend.limits), against the embedded AWS's DynamoDB:
over a cap the chat answers with a clear message and writes nothing beyond the cap."""

from __future__ import annotations

import boto3
import pytest
from backend_events import ACME, LOLA, TABLE, widget_event
from test_bookings import _chat_role_table_actions, lola_monday_at

from backend import chat, limits, runtime, scheduling, store
from backend.table import keys

PINNED = 1_800_000_030.0  # 30 s into a minute: no window rolls over during a test


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setattr(limits, "_now", lambda: PINNED)


def chat_from(tenant_id: str, text: str, cid: str | None = None, ip: str | None = None, locale="en") -> dict:
    event = widget_event(
        tenant_id,
        "sendMessage",
        {"input": {"text": text, "conversationId": cid, "locale": locale}},
        "Mutation",
    )
    if ip:
        # AWS's front end appends the address it saw; anything before it is the client's own say
        event["request"]["headers"]["x-forwarded-for"] = f"203.0.113.250, {ip}"
    return chat.handler(event)


def set_tenant(tenant_id: str, **attrs) -> None:
    names = {f"#{k}": k for k in attrs}
    boto3.client("dynamodb").update_item(
        TableName=TABLE,
        Key=store._ser({"pk": keys.tenant_pk(tenant_id), "sk": keys.META}),
        UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in attrs),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=store._ser({f":{k}": v for k, v in attrs.items()}),
    )


def items(tenant_id: str, prefix: str) -> list[dict]:
    with runtime.using_table(TABLE):
        return store._query_prefix(keys.tenant_pk(tenant_id), prefix)


def confirmed_bookings(tenant_id: str) -> list[dict]:
    return [b for b in items(tenant_id, "BOOKING#") if b["status"] == "CONFIRMED"]


def test_messages_over_the_per_conversation_cap_get_a_clear_reply_and_write_nothing(disable_ia, monkeypatch):
    set_tenant(LOLA, messages_per_conversation_per_minute=3)
    cid = chat_from(LOLA, "Hola", locale="es")["conversationId"]  # a new conversation: not counted
    for _ in range(3):
        assert "Espera un minuto" not in chat_from(LOLA, "Corte de pelo", cid, locale="es")["message"]
    before = items(LOLA, keys.conversation(cid))
    over = chat_from(LOLA, "Corte de pelo", cid, locale="es")
    assert over["message"].startswith("Estás enviando mensajes más rápido")
    assert over["conversationId"] == cid and over["booking"] is None and over["quickReplies"] == []
    assert items(LOLA, keys.conversation(cid)) == before  # the conversation is left as it was
    (counter,) = items(LOLA, f"LIMIT#msg#conv#{cid}#")
    assert counter["n"] == 3  # the refused message did not count either
    assert counter["ttl"] > PINNED  # swept by TTL once the window is over
    # the next minute the conversation goes on
    monkeypatch.setattr(limits, "_now", lambda: PINNED + 60)
    assert "Espera un minuto" not in chat_from(LOLA, "Corte de pelo", cid, locale="es")["message"]


def test_a_visitor_minting_new_conversations_meets_the_per_visitor_message_cap(disable_ia):
    set_tenant(ACME, messages_per_visitor_per_minute=2)
    ip = "198.51.100.7"
    for _ in range(2):
        assert "faster than I can answer" not in chat_from(ACME, "Hi", ip=ip)["message"]
    assert "faster than I can answer" in chat_from(ACME, "Hi", ip=ip)["message"]
    # another address is another visitor; the client's own x-forwarded-for entries do not matter
    assert "faster than I can answer" not in chat_from(ACME, "Hi", ip="198.51.100.8")["message"]
    assert limits.visitor_of({"request": {"headers": {"x-forwarded-for": "1.2.3.4, " + ip}}}) == (
        limits.visitor_of({"request": {"headers": {"x-forwarded-for": ip}}})
    )


def book_in_chat(tenant_id: str, text: str, name: str, ip: str | None = None) -> dict:
    """A whole guided booking in one new conversation: the slot in one sentence, name, yes."""
    cid = chat_from(tenant_id, text, ip=ip)["conversationId"]
    chat_from(tenant_id, name, cid, ip=ip)
    return chat_from(tenant_id, "yes", cid, ip=ip)


def test_bookings_over_the_per_visitor_cap_get_a_clear_reply_and_write_nothing(disable_ia):
    set_tenant(ACME, bookings_per_visitor_per_day=2)
    ip = "192.0.2.44"
    for hour in (9, 10):
        assert book_in_chat(ACME, f"Check-up on monday at {hour}am", "John Smith", ip)["booking"]
    bookings_before, locks_before = confirmed_bookings(ACME), items(ACME, "SLOT#")
    over = book_in_chat(ACME, "Check-up on monday at 11am", "John Smith", ip)
    assert over["booking"] is None
    assert "already made 2 bookings today" in over["message"] and "Acme" in over["message"]
    assert confirmed_bookings(ACME) == bookings_before  # no booking ...
    assert items(ACME, "SLOT#") == locks_before  # ... and no slot lock beyond the cap
    counters = {c["sk"].split("#")[2]: c["n"] for c in items(ACME, "LIMIT#book#")}
    assert counters["visitor"] == 2
    # someone else can still book that time
    assert book_in_chat(ACME, "Check-up on monday at 11am", "Jane Roe", "192.0.2.45")["booking"]


def test_bookings_over_the_per_conversation_cap_are_refused_before_any_write(table):
    tenant, start = lola_monday_at(9)
    corte = store.get_service(LOLA, "corte")
    cid = "conversation-with-many-bookings"
    cap = limits.caps_for(tenant).bookings_per_conversation_per_day
    for i in range(cap):
        scheduling.book(tenant, corte, start.replace(hour=9 + i), "Ana", conversation_id=cid)
    before = confirmed_bookings(LOLA), items(LOLA, "SLOT#")
    with pytest.raises(limits.LimitReached) as refused:
        scheduling.book(tenant, corte, start.replace(hour=12), "Ana", conversation_id=cid, locale="es")
    assert f"ya se han hecho {cap} reservas hoy" in refused.value.message
    assert (confirmed_bookings(LOLA), items(LOLA, "SLOT#")) == before


def test_a_booking_that_loses_its_slot_gives_its_unit_back(table):
    tenant, start = lola_monday_at(10)
    corte = store.get_service(LOLA, "corte")
    scheduling.book(tenant, corte, start, "Ana", conversation_id="first-conversation")
    with pytest.raises(Exception):  # noqa: B017,PT011 — SlotTaken or BadInput: the slot is gone
        scheduling.book(tenant, corte, start, "Bea", conversation_id="second-conversation")
    counters = {c["sk"]: c["n"] for c in items(LOLA, "LIMIT#book#conv#")}
    assert [n for sk, n in counters.items() if "second-conversation" in sk] in ([], [0])


def test_contract_the_cap_calls_are_granted_to_the_chat_role(disable_ia):
    """moto does not evaluate IAM: the counters' calls (conditional UpdateItem, never DeleteItem)
    must be actions infra/app/functions.yaml grants ChatRole."""
    calls: list[str] = []

    def record(event_name, **_):
        calls.append(event_name.rsplit(".", 1)[-1])

    set_tenant(ACME, bookings_per_visitor_per_day=1, messages_per_visitor_per_minute=7)
    events = runtime.dynamodb().meta.events
    events.register("provide-client-params.dynamodb.*", record)
    try:
        book_in_chat(ACME, "Check-up on monday at 9am", "John Smith", "192.0.2.9")
        book_in_chat(ACME, "Check-up on monday at 10am", "John Smith", "192.0.2.9")  # over: refused
        chat_from(ACME, "Hi", ip="192.0.2.9")  # over the messages cap
    finally:
        events.unregister("provide-client-params.dynamodb.*", record)
    assert "UpdateItem" in calls
    granted = _chat_role_table_actions()
    assert set(calls) - granted == set(), f"ChatRole grants {sorted(granted)}"


def test_caps_follow_the_plan_and_a_tenant_override():
    assert limits.caps_for({"plan": "PRO"}) == limits.PLAN_CAPS["PRO"]
    assert limits.caps_for({"plan": "UNKNOWN"}) == limits.PLAN_CAPS["FREE"]
    custom = limits.caps_for({"plan": "FREE", "bookings_per_visitor_per_day": 9})
    assert custom.bookings_per_visitor_per_day == 9
    assert set(limits.PLAN_CAPS) == set(store.PLAN_LIMITS)  # a cap for every plan
