"""The Lambda authorizer: hashed keys, refusals for unknown, malformed and rotated keys."""

import boto3
from backend_events import LOLA, TABLE, admin_event

from backend import admin, authorizer, seed


def authorize(token):
    event = {
        "authorizationToken": token,
        "requestContext": {"apiId": "api", "accountId": "1", "requestId": "r1", "operationName": "Services"},
    }
    return authorizer.handler(event)


def test_a_demo_key_authorizes_its_tenant_only(table):
    result = authorize(seed.api_keys()[LOLA])
    assert result["isAuthorized"] is True
    assert result["resolverContext"] == {"tenantId": LOLA}
    assert "Mutation.cancelBooking" in result["deniedFields"]


def test_unknown_and_malformed_keys_are_refused(table):
    good = seed.api_keys()[LOLA]
    for token in [good[:-1] + "X", "bc_nosuchkey1_AAAAAAAAAAAAAAAAAAAAAAAA", "not a key", "", None]:
        assert authorize(token) == {"isAuthorized": False, "ttlOverride": 300}  # cached refusal


def test_only_hashes_of_keys_are_stored(table):
    items = boto3.client("dynamodb").scan(TableName=TABLE)["Items"]
    dump = repr(items)
    for plain in seed.api_keys().values():
        assert plain not in dump


def test_a_rotated_key_is_refused_and_the_new_one_works(table):
    old = seed.api_keys()[LOLA]
    grant = admin.handler(admin_event(LOLA, "rotateApiKey", {}, "Mutation"))
    assert authorize(old)["isAuthorized"] is False
    assert authorize(grant["apiKey"])["resolverContext"] == {"tenantId": LOLA}


def test_seeding_again_does_not_revive_a_rotated_key(table):
    old = seed.api_keys()[LOLA]
    admin.handler(admin_event(LOLA, "rotateApiKey", {}, "Mutation"))
    seed.seed(TABLE)
    assert authorize(old)["isAuthorized"] is False


def test_malformed_keys_are_refused_before_any_dynamodb_call(table):
    """Junk on the public key must cost no table read (AppSync's IdentityValidationExpression
    stops most of it earlier still; see tests/local/test_public_key_limits.py)."""
    from backend import runtime

    calls: list[str] = []

    def record(event_name, **_):
        calls.append(event_name)

    events = runtime.dynamodb().meta.events
    events.register("provide-client-params.dynamodb.*", record)
    try:
        for token in ["not a key", "bc_x_short", "eyJhbGciOi.junk.junk", "x" * 5000]:
            assert authorize(token)["isAuthorized"] is False
    finally:
        events.unregister("provide-client-params.dynamodb.*", record)
    assert calls == []
