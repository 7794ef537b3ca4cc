"""The local AppSync answers like AppSync: auth modes, field auth, handler events, errors."""

from __future__ import annotations

import datetime as dt
import urllib.request

from appsync_client import id_token, post

CONFIG = "query TenantConfig { tenantConfig { tenantId name locale timeZone themeColor greeting } }"
SEND = """mutation SendMessage($input: SendMessageInput!) {
  sendMessage(input: $input) { conversationId message mode quickReplies { label value }
    booking { id reference serviceId start status } } }"""
BOOKINGS = "query B($from: AWSDateTime!, $to: AWSDateTime!) { bookings(from: $from, to: $to) { id reference status } }"


def test_a_tenant_key_reaches_its_own_tenant_through_the_authorizer(api, demo):
    status, body = post(api.url, CONFIG, headers={"authorization": demo["keys"]["acme-dental"]})
    assert status == 200
    assert body["data"]["tenantConfig"]["tenantId"] == "acme-dental"
    assert body["data"]["tenantConfig"]["locale"] == "en"


def test_a_bad_or_missing_key_is_401_unauthorized_exception(api):
    for headers in ({"authorization": "bc_nope_NotARealKey"}, {}):
        status, body = post(api.url, CONFIG, headers=headers)
        assert status == 401
        assert body["errors"][0]["errorType"] == "UnauthorizedException"
        assert "data" not in body


def test_a_widget_key_cannot_read_admin_fields(api, demo):
    status, body = post(
        api.url,
        BOOKINGS,
        {"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"},
        headers={"authorization": demo["keys"]["peluqueria-lola"]},
    )
    assert status == 200
    assert body["data"] is None
    assert body["errors"][0]["errorType"] == "Unauthorized"
    assert body["errors"][0]["path"] == ["bookings"]


def test_guided_chat_books_and_the_admin_sees_the_booking_with_a_cognito_token(api, demo):
    key = {"authorization": demo["keys"]["acme-dental"]}
    day = dt.date.today() + dt.timedelta(days=1)
    status, body = post(api.url, SEND, {"input": {"text": "I'd like a check-up", "locale": "en"}}, key)
    assert status == 200, body
    reply = body["data"]["sendMessage"]
    assert reply["mode"] == "GUIDED"
    booking, text, conversation = None, None, reply["conversationId"]
    for _ in range(8):  # follow the guided flow: the first quick reply, or a name when asked
        if reply["booking"]:
            booking = reply["booking"]
            break
        text = reply["quickReplies"][0]["value"] if reply["quickReplies"] else "Ana Test"
        inp = {"conversationId": conversation, "text": text, "locale": "en"}
        status, body = post(api.url, SEND, {"input": inp}, key)
        assert "errors" not in body, body
        reply = body["data"]["sendMessage"]
    if booking is None and reply["booking"]:
        booking = reply["booking"]
    assert booking is not None, reply
    assert booking["status"] == "CONFIRMED"

    token = id_token(demo["pool"], "acme-dental")
    start = dt.datetime.combine(day - dt.timedelta(days=2), dt.time(), dt.UTC)
    window = {
        "from": start.isoformat().replace("+00:00", "Z"),
        "to": (start + dt.timedelta(days=60)).isoformat().replace("+00:00", "Z"),
    }
    status, body = post(api.url, BOOKINGS, window, {"authorization": token})
    assert status == 200, body
    assert (booking["id"], booking["reference"]) in [
        (b["id"], b["reference"]) for b in body["data"]["bookings"]
    ]
    assert booking["reference"] in reply["message"]  # the answer quotes the short reference (issue 17)


def test_a_tampered_cognito_token_is_401(api, demo):
    token = id_token(demo["pool"], "acme-dental")
    head, claims, sig = token.split(".")
    status, body = post(api.url, CONFIG, headers={"authorization": f"{head}.{claims}.{sig[:-6]}AAAAAA"})
    assert status == 401


def test_group_restricted_mutation_needs_the_group(api, demo):
    token = id_token(demo["pool"], "acme-dental")
    query = (
        'mutation { createTenant(input: {name: "X", locale: "en", timeZone: "UTC"}) { tenant { tenantId } } }'
    )
    status, body = post(api.url, query, headers={"authorization": token})
    assert body["errors"][0]["errorType"] == "Unauthorized"


def test_handler_errors_keep_their_error_type(api, demo):
    query = 'query A($d: AWSDate!) { availability(serviceId: "nope", date: $d) { serviceId } }'
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    status, body = post(api.url, query, {"d": tomorrow}, {"authorization": demo["keys"]["acme-dental"]})
    assert status == 200
    assert body["errors"][0]["errorType"] == "NotFound"


def test_validation_and_malformed_bodies_are_refused_like_appsync(api, demo):
    key = {"authorization": demo["keys"]["acme-dental"]}
    status, body = post(api.url, "{ nope }", headers=key)
    assert body["errors"][0]["errorType"] == "ValidationError"
    status, body = post(api.url, "", headers=key, raw=b"{not json")
    assert status == 400
    assert body["errors"][0]["errorType"] == "MalformedHttpRequestException"


def test_cors_preflight_and_graphiql_page(api):
    req = urllib.request.Request(api.url, method="OPTIONS", headers={"Origin": "http://127.0.0.1:8080"})
    with urllib.request.urlopen(req) as r:
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert "authorization" in r.headers["Access-Control-Allow-Headers"]
    with urllib.request.urlopen(api.url) as r:
        page = r.read().decode()
    assert "<textarea" in page and "https://" not in page  # no CDN links to the internet


def test_a_key_sent_only_as_x_api_key_is_refused_like_appsync(api, demo):
    """AppSync hands an AWS_LAMBDA authorizer the Authorization header only: x-api-key alone is 401."""
    key = demo["keys"]["acme-dental"]
    status, body = post(api.url, CONFIG, headers={"x-api-key": key})  # sends x-api-key on purpose
    assert status == 401
    assert body["errors"][0]["errorType"] == "UnauthorizedException"
