"""The guided flow (DISABLE_IA on): it books end to end in Spanish and English."""

import datetime as dt
from zoneinfo import ZoneInfo

import boto3
import pytest
from backend_events import ACME, LOLA, say

from backend import runtime, store
from backend.dates import parse_when
from backend.errors import BadInput

TUESDAY_NOON = dt.datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Europe/Madrid"))


@pytest.mark.parametrize(
    ("locale", "text", "day", "at", "period"),
    [
        ("es", "mañana a las 10", dt.date(2026, 12, 2), dt.time(10), None),
        ("es", "el viernes por la tarde", dt.date(2026, 12, 4), None, "afternoon"),
        ("en", "tomorrow at 3pm", dt.date(2026, 12, 2), dt.time(15), None),
        ("es", "pasado mañana", dt.date(2026, 12, 3), None, None),
        ("es", "mañana por la mañana", dt.date(2026, 12, 2), None, "morning"),
        ("es", "el 12 de diciembre a las 11", dt.date(2026, 12, 12), dt.time(11), None),
        ("en", "friday afternoon", dt.date(2026, 12, 4), None, "afternoon"),
        ("es", "a las 5", None, dt.time(17), None),
        ("es", "Ana", None, None, None),
    ],
)
def test_colloquial_dates_are_understood(locale, text, day, at, period):
    when = parse_when(text, locale, TUESDAY_NOON)
    assert (when.day, when.at, when.period) == (day, at, period)


def values(reply):
    return [q["value"] for q in reply["quickReplies"]]


def test_spanish_guided_flow_books_end_to_end(disable_ia):
    first = say(LOLA, "Hola")
    assert first["mode"] == "GUIDED" and "Corte de pelo" in values(first)
    cid = first["conversationId"]
    assert "¿Qué día" in say(LOLA, "Corte de pelo", cid)["message"]
    offer = say(LOLA, "el viernes por la tarde", cid)
    assert offer["quickReplies"] and all(v >= "16:00" for v in values(offer))
    chosen = values(offer)[0]
    assert "¿A nombre de quién" in say(LOLA, chosen, cid)["message"]
    confirm = say(LOLA, "Ana García", cid)
    assert "¿Lo confirmo?" in confirm["message"] and len(confirm["quickReplies"]) == 2
    done = say(LOLA, values(confirm)[0], cid)
    assert done["booking"]["status"] == "CONFIRMED"
    assert done["booking"]["customerName"] == "Ana García"
    assert done["booking"]["start"][11:16] == chosen
    assert store.get_booking(LOLA, done["booking"]["id"])["conversationId"] == cid


def test_english_guided_flow_books_in_one_sentence_then_confirms(disable_ia):
    first = say(ACME, "Check-up on monday at 10am", locale="en")
    cid = first["conversationId"]
    assert "What name" in first["message"]
    assert "Shall I confirm" in say(ACME, "John Smith", cid)["message"]
    done = say(ACME, "yes", cid)
    assert done["booking"]["serviceName"] == "Check-up"
    assert done["booking"]["start"][11:16] == "10:00" and done["mode"] == "GUIDED"
    # a retried "yes" (same conversation, same slot) does not book twice
    again = say(ACME, "Check-up on monday at 10am", cid)
    assert "taken" in again["message"]


def test_a_slot_taken_meanwhile_offers_the_remaining_times(disable_ia):
    cid = say(LOLA, "Corte de pelo el lunes a las 10")["conversationId"]
    say(LOLA, "Ana", cid)
    rival = say(LOLA, "Corte de pelo el lunes a las 10")["conversationId"]
    say(LOLA, "Bea", rival)
    assert say(LOLA, "sí", rival)["booking"]
    late = say(LOLA, "sí", cid)
    assert late["booking"] is None and "se acaba de ocupar" in late["message"]
    assert "10:00" not in values(late)


def test_disable_ia_is_read_from_ssm_with_a_short_cache(table, monkeypatch):
    monkeypatch.setenv("DISABLE_IA_TTL_SECONDS", "300")
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name="/bookingchat/test/DISABLE_IA", Value="false", Type="String")
    assert runtime.ia_disabled() is False
    ssm.put_parameter(Name="/bookingchat/test/DISABLE_IA", Value="true", Type="String", Overwrite=True)
    assert runtime.ia_disabled() is False  # still cached
    runtime.reset()
    assert runtime.ia_disabled() is True


@pytest.mark.parametrize(
    ("text", "conversation_id", "message"),
    [
        ("x" * 1001, None, "over the limit of 1000"),
        ("   ", None, "text is empty"),
        ("hola", "bad id!", "malformed conversationId"),
    ],
)
def test_bad_chat_input_is_a_clear_error(disable_ia, text, conversation_id, message):
    with pytest.raises(BadInput, match=message):
        say(LOLA, text, conversation_id)


def test_conversations_expire_with_a_ttl(disable_ia):
    cid = say(LOLA, "Hola")["conversationId"]
    item = store.get_conversation(LOLA, cid)
    assert 0 < item["ttl"] - dt.datetime.now().timestamp() <= store.CONVERSATION_TTL_SECONDS
    assert store.get_conversation(ACME, cid) is None
