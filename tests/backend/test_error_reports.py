"""Lambda errors reach Sentry with the backend release and colour, and without the visitor's words.

Real sentry-sdk, real handlers, the DSN in the embedded AWS's SSM; the events go to
tests/sentry_receiver.py (no Sentry server runs here: the receiver records what the SDK sends).
"""

from __future__ import annotations

import json

import boto3
import pytest
import sentry_sdk
from backend_events import ACME, LOLA, say, widget_event
from sentry_receiver import SentryReceiver

from backend import bookings, chat, error_reports
from backend.errors import InternalError, NotFound

DSN_PARAM = "/bookingchat/test/SENTRY_DSN"
CHAT_TEXT = "Book Jane Doe for a root canal, call me on +34 612 345 678 or jane@example.com"


@pytest.fixture
def receiver(table, monkeypatch):
    with SentryReceiver() as r:
        boto3.client("ssm").put_parameter(Name=DSN_PARAM, Value=r.dsn(7), Type="SecureString")
        monkeypatch.setenv("SENTRY_DSN_PARAM", DSN_PARAM)
        monkeypatch.setenv("BACKEND_VERSION", "2.3.4")
        monkeypatch.setenv("COLOUR", "blue")
        error_reports.reset()
        yield r
        sentry_sdk.get_client().close()  # the process-wide client stops sending
        sentry_sdk.get_global_scope().set_client(None)
        error_reports.reset()


def test_an_unexpected_error_arrives_with_release_environment_colour_and_tenant(receiver):
    boto3.client("dynamodb").delete_table(TableName=receiver_table())  # the store's calls now fail
    with pytest.raises(InternalError):
        say(ACME, CHAT_TEXT)
    (event,) = receiver.events()
    assert event["release"] == "booking-chat-backend@2.3.4"
    assert event["environment"] == "test"
    assert event["tags"]["colour"] == "blue"
    assert event["tags"]["tenant"] == ACME
    assert event["tags"]["field"] == "sendMessage"
    assert event["exception"]["values"][-1]["type"] == "ResourceNotFoundException"
    raw = json.dumps(receiver.envelopes[0].items[0][1])
    for private in ("Jane", "root canal", "612 345 678", "jane@example.com"):
        assert private not in raw


def test_an_error_quoting_the_chat_text_arrives_scrubbed(receiver, monkeypatch):
    def bug(event, context=None):
        text = event["arguments"]["input"]["text"]
        raise ValueError(f"could not parse {text!r}")

    monkeypatch.setattr(chat, "send_message", bug)
    with pytest.raises(InternalError):
        say(LOLA, CHAT_TEXT)
    (event,) = receiver.events()
    assert event["exception"]["values"][-1]["value"] == "could not parse '[redacted]'"
    body = b"".join(r.body for r in receiver.requests).decode()
    for private in ("Jane", "root canal", "612 345 678", "jane@example.com"):
        assert private not in body
    for frame in event["exception"]["values"][-1]["stacktrace"]["frames"]:
        assert "vars" not in frame


def test_answers_to_bad_requests_are_not_reported(receiver):
    with pytest.raises(NotFound):
        bookings.handler(widget_event(LOLA, "availability", {"serviceId": "nope", "date": "2030-01-07"}))
    assert receiver.requests == []


def test_without_a_dsn_parameter_nothing_is_initialised_or_sent(receiver, monkeypatch):
    monkeypatch.delenv("SENTRY_DSN_PARAM")
    error_reports.reset()
    boto3.client("dynamodb").delete_table(TableName=receiver_table())
    with pytest.raises(InternalError):
        say(ACME, CHAT_TEXT)
    assert receiver.requests == []
    assert sentry_sdk.get_client().is_active() is False  # never initialised


def test_a_parameter_that_does_not_exist_turns_reporting_off_not_the_request(receiver, monkeypatch):
    monkeypatch.setenv("SENTRY_DSN_PARAM", "/bookingchat/test/NO_SUCH_PARAMETER")
    error_reports.reset()
    boto3.client("dynamodb").delete_table(TableName=receiver_table())
    with pytest.raises(InternalError):
        say(ACME, CHAT_TEXT)
    assert receiver.requests == []


def receiver_table() -> str:
    from backend_events import TABLE

    return TABLE
