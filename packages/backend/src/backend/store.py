"""Every read and write of the single table. Each function takes the tenant id first.

Callers pass the tenant id from the caller's identity (see `backend.appsync`); keys always
start with it, so one tenant cannot address another's items. Key shapes: `backend.table.keys`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import time
import uuid
from dataclasses import dataclass

from backend import runtime
from backend.errors import BadInput, InternalError, NotFound, SlotTaken
from backend.table import GSI1, keys

GRID_MINUTES = 15  # slot locks are 15-minute blocks: overlapping bookings share a block
CONVERSATION_TTL_SECONDS = 24 * 3600
PLAN_LIMITS: dict[str, int | None] = {"FREE": 20_000, "PRO": 2_000_000, "ENTERPRISE": None}
API_KEY = re.compile(r"^bc_([a-z0-9]{6,32})_([A-Za-z0-9]{20,128})$")


# ── (de)serialisation ────────────────────────────────────────────────────────────────────────


def _ser(item: dict) -> dict:
    from boto3.dynamodb.types import TypeSerializer

    s = TypeSerializer()
    return {k: s.serialize(v) for k, v in item.items() if v is not None}


def _de(item: dict | None) -> dict | None:
    if item is None:
        return None
    from boto3.dynamodb.types import TypeDeserializer

    d = TypeDeserializer()
    out = {k: d.deserialize(v) for k, v in item.items()}
    # Numbers come back as Decimal; every number we store is an integer.
    return {k: (int(v) if type(v).__name__ == "Decimal" else v) for k, v in out.items()}


def _get(pk: str, sk: str, consistent: bool = True) -> dict | None:
    resp = runtime.dynamodb().get_item(
        TableName=runtime.table_name(), Key=_ser({"pk": pk, "sk": sk}), ConsistentRead=consistent
    )
    return _de(resp.get("Item"))


def _query_prefix(pk: str, prefix: str) -> list[dict]:
    return _query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
        ExpressionAttributeValues=_ser({":pk": pk, ":p": prefix}),
    )


def _query(**kwargs) -> list[dict]:
    items, start = [], None
    while True:
        if start:
            kwargs["ExclusiveStartKey"] = start
        resp = runtime.dynamodb().query(TableName=runtime.table_name(), **kwargs)
        items += [_de(i) for i in resp.get("Items", [])]
        start = resp.get("LastEvaluatedKey")
        if not start:
            return items


def utc_iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


# ── tenants and services ─────────────────────────────────────────────────────────────────────


def get_tenant(tenant_id: str) -> dict:
    item = _get(keys.tenant_pk(tenant_id), keys.META, consistent=False)
    if item is None:
        raise NotFound("this tenant does not exist")
    return item


def put_tenant(tenant_id: str, config: dict, *, only_new: bool = False) -> None:
    item = {
        "pk": keys.tenant_pk(tenant_id),
        "sk": keys.META,
        "type": "tenant",
        "tenantId": tenant_id,
        **config,
    }
    extra = {"ConditionExpression": "attribute_not_exists(pk)"} if only_new else {}
    runtime.dynamodb().put_item(TableName=runtime.table_name(), Item=_ser(item), **extra)


def set_plan(tenant_id: str, plan: str) -> dict:
    if plan not in PLAN_LIMITS:
        raise BadInput(f"unknown plan {plan!r}; choose one of {', '.join(PLAN_LIMITS)}")
    get_tenant(tenant_id)
    runtime.dynamodb().update_item(
        TableName=runtime.table_name(),
        Key=_ser({"pk": keys.tenant_pk(tenant_id), "sk": keys.META}),
        UpdateExpression="SET #p = :p",
        ExpressionAttributeNames={"#p": "plan"},
        ExpressionAttributeValues=_ser({":p": plan}),
    )
    return get_tenant(tenant_id)


def list_services(tenant_id: str) -> list[dict]:
    items = _query_prefix(keys.tenant_pk(tenant_id), "SERVICE#")
    return sorted(items, key=lambda s: (s.get("position", 0), s["name"]))


def get_service(tenant_id: str, service_id: str) -> dict:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", service_id or ""):
        raise BadInput(f"malformed service id {service_id!r}")
    item = _get(keys.tenant_pk(tenant_id), keys.service(service_id), consistent=False)
    if item is None:
        raise NotFound(f"unknown service {service_id!r}")
    return item


def put_service(tenant_id: str, service: dict) -> None:
    item = {
        "pk": keys.tenant_pk(tenant_id),
        "sk": keys.service(service["id"]),
        "type": "service",
        **service,
    }
    runtime.dynamodb().put_item(TableName=runtime.table_name(), Item=_ser(item))


# ── API keys (only hashes are stored) ────────────────────────────────────────────────────────


def hash_api_key(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def new_api_key() -> tuple[str, str]:
    key_id = secrets.token_hex(6)
    return key_id, f"bc_{key_id}_{secrets.token_urlsafe(30).replace('-', 'A').replace('_', 'B')}"


def store_api_key(tenant_id: str, plain: str) -> str:
    """Store a key's hash for a tenant; returns its key id. The plain key is never stored."""
    match = API_KEY.match(plain)
    if not match:
        raise BadInput("an API key looks like bc_<id>_<secret>")
    key_id = match.group(1)
    item = {
        "pk": keys.api_key_pk(key_id),
        "sk": keys.API_KEY_SK,
        "type": "apiKey",
        "tenantId": tenant_id,
        "keyId": key_id,
        "sha256": hash_api_key(plain),
        "status": "ACTIVE",
        "createdAt": utc_iso(dt.datetime.now(dt.UTC)),
        "gsi1pk": keys.api_keys_gsi_pk(tenant_id),
        "gsi1sk": key_id,
    }
    runtime.dynamodb().put_item(
        TableName=runtime.table_name(), Item=_ser(item), ConditionExpression="attribute_not_exists(pk)"
    )
    return key_id


def tenant_for_api_key(plain: str) -> str | None:
    """The tenant an active key belongs to, or None. The secret is compared in constant time."""
    match = API_KEY.match(plain or "")
    if not match:
        return None
    item = _get(keys.api_key_pk(match.group(1)), keys.API_KEY_SK, consistent=False)
    expected = (item or {}).get("sha256", "0" * 64)
    same = hmac.compare_digest(hash_api_key(plain).encode(), expected.encode())
    if item is None or not same or item.get("status") != "ACTIVE":
        return None
    return item["tenantId"]


def rotate_api_key(tenant_id: str) -> tuple[str, str]:
    """Issue a new key for the tenant and revoke every older one. Returns (key id, plain key)."""
    get_tenant(tenant_id)
    old = _query(
        IndexName=GSI1,
        KeyConditionExpression="gsi1pk = :g",
        ExpressionAttributeValues=_ser({":g": keys.api_keys_gsi_pk(tenant_id)}),
    )
    key_id, plain = new_api_key()
    store_api_key(tenant_id, plain)
    now = utc_iso(dt.datetime.now(dt.UTC))
    for item in old:
        if item.get("status") == "ACTIVE":
            runtime.dynamodb().update_item(
                TableName=runtime.table_name(),
                Key=_ser({"pk": item["pk"], "sk": item["sk"]}),
                UpdateExpression="SET #s = :r, revokedAt = :now",
                ConditionExpression="tenantId = :t",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=_ser({":r": "REVOKED", ":now": now, ":t": tenant_id}),
            )
    return key_id, plain


# ── bookings: slot locks make double-booking impossible ──────────────────────────────────────


@dataclass(frozen=True)
class NewBooking:
    service: dict
    start: dt.datetime  # aware
    customer_name: str
    client_token: str | None = None
    conversation_id: str | None = None


def slot_blocks(start: dt.datetime, end: dt.datetime) -> list[str]:
    """The UTC 15-minute blocks [start, end) covers; each becomes one lock item."""
    first = start.astimezone(dt.UTC)
    first = first.replace(minute=first.minute - first.minute % GRID_MINUTES, second=0, microsecond=0)
    blocks, cur = [], first
    while cur < end:
        blocks.append(utc_iso(cur))
        cur += dt.timedelta(minutes=GRID_MINUTES)
    return blocks


def busy_blocks(tenant_id: str, day_start: dt.datetime, day_end: dt.datetime) -> set[str]:
    items = _query(
        KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
        ExpressionAttributeValues=_ser(
            {
                ":pk": keys.tenant_pk(tenant_id),
                ":a": keys.slot(utc_iso(day_start)),
                ":b": keys.slot(utc_iso(day_end)),
            }
        ),
        ConsistentRead=True,
    )
    stale = time.time() - CLAIM_SECONDS
    return {
        i["sk"].removeprefix("SLOT#")
        for i in items
        if i.get("state") == BOOKED or (i.get("state") == PENDING and i.get("claimedAt", 0) > stale)
    }


def create_booking(tenant_id: str, new: NewBooking) -> dict:
    """Book without ever double-booking: claim one lock item per 15-minute block, then write.

    The booking's short `reference` is claimed once the locks are ours (`_claim_reference`), so a
    request that loses the race never takes one.
    Each lock is a conditional PutItem (absent, `FREE`, or a stale `PENDING` claim), so of many
    concurrent requests for overlapping time exactly one claims every block; the others release
    what they claimed and get SlotTaken. A claim left behind by a crashed request expires after
    CLAIM_SECONDS. Nothing here deletes an item: a lock is released by marking it `FREE` and a
    booking rolled back is voided, so the whole path needs only GetItem/Query/PutItem/UpdateItem
    (the chat function's role grants no DeleteItem).
    (A TransactWriteItems would do the same on AWS, but moto's transactions restore a deep copy
    of the whole table when one fails, which loses concurrent writes — see tests/backend.)
    A retried create with the same client token returns the first booking instead of a second.
    """
    if new.client_token:
        existing = booking_for_token(tenant_id, new.client_token)
        if existing:
            return existing
    booking_id = uuid.uuid4().hex
    end = new.start + dt.timedelta(minutes=int(new.service["durationMinutes"]))
    blocks = slot_blocks(new.start, end)
    pk = keys.tenant_pk(tenant_id)
    claimed = []
    for block in blocks:
        if not _claim(pk, block, booking_id):
            _release(pk, claimed, booking_id)
            return _lost_race(tenant_id, new.client_token)
        claimed.append(block)
    try:
        reference = _claim_reference(pk, booking_id)
    except Exception:
        _release(pk, claimed, booking_id)  # the time goes back; nothing was booked
        raise
    booking = {
        "pk": pk,
        "sk": keys.booking(booking_id),
        "type": "booking",
        "id": booking_id,
        "reference": reference,
        "tenantId": tenant_id,
        "serviceId": new.service["id"],
        "serviceName": new.service["name"],
        "start": utc_iso(new.start),
        "end": utc_iso(end),
        "customerName": new.customer_name,
        "status": "CONFIRMED",
        "createdAt": utc_iso(dt.datetime.now(dt.UTC)),
        "clientToken": new.client_token,
        "conversationId": new.conversation_id,
        "slotBlocks": blocks,
        "gsi1pk": keys.bookings_gsi_pk(tenant_id),
        "gsi1sk": f"{utc_iso(new.start)}#{booking_id}",
    }
    db, table = runtime.dynamodb(), runtime.table_name()
    db.put_item(TableName=table, Item=_ser(booking), ConditionExpression="attribute_not_exists(pk)")
    if not all(_confirm(pk, block, booking_id) for block in blocks):
        _void(pk, booking_id)  # our claim expired and was taken over: undo, booking first
        _release(pk, blocks, booking_id)
        return _lost_race(tenant_id, new.client_token)
    if new.client_token:
        token = {
            "pk": pk,
            "sk": keys.client_token(new.client_token),
            "type": "clientToken",
            "bookingId": booking_id,
        }
        _put_if_new(token)
    return booking


# ── short booking references: what a customer reads out, unique per tenant ─────────────────

# Crockford's base32 (no I, L, O, U) without 0 and 1 as well: no symbol can be mistaken for
# another when read aloud or typed from a screen. 30 symbols, 6 of them: 729 million references.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_SYMBOLS = 6
REFERENCE_ATTEMPTS = 8  # a tenant with a million bookings collides with p < 0.0014 per try
_REFERENCE = re.compile(rf"[{REFERENCE_ALPHABET}]{{3}}-[{REFERENCE_ALPHABET}]{{3}}")


def new_reference() -> str:
    """A random reference shown as `XXX-XXX` (secrets: not guessable from the ones before it)."""
    symbols = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_SYMBOLS))
    return f"{symbols[:3]}-{symbols[3:]}"


def normalize_reference(text: str) -> str | None:
    """What a customer typed ("k7q 4m2", "K7Q4M2") as `K7Q-4M2`, or None if it is not a reference."""
    compact = re.sub(r"[\s-]", "", (text or "").upper())
    candidate = f"{compact[:3]}-{compact[3:]}"
    return candidate if len(compact) == REFERENCE_SYMBOLS and _REFERENCE.fullmatch(candidate) else None


def _claim_reference(pk: str, booking_id: str) -> str:
    """Claim a reference no other booking of this tenant has: a conditional PutItem of its
    `REF#` item; a taken one (or one claimed at the same instant) makes us draw again.

    A claim is never released, not even when the booking is voided or cancelled: a reference
    then names one booking for ever (a customer quoting an old one never reaches someone
    else's), releasing would need DeleteItem, which the chat role lacks, and the space is so
    large that what is left reserved costs nothing.
    """
    for _ in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        item = {"pk": pk, "sk": keys.reference(reference), "type": "reference", "bookingId": booking_id}
        if _put_if_new(item):
            return reference
    raise InternalError(f"no free booking reference after {REFERENCE_ATTEMPTS} tries")


def booking_for_reference(tenant_id: str, text: str) -> dict:
    """The booking of this tenant with that reference (NotFound for another tenant's)."""
    reference = normalize_reference(text)
    if reference is None:
        raise BadInput(f"malformed booking reference {text!r}; it looks like K7Q-4M2")
    item = _get(keys.tenant_pk(tenant_id), keys.reference(reference))
    booking = get_booking(tenant_id, item["bookingId"]) if item else None
    if booking is None or booking["status"] == "VOID":  # a voided booking never existed for anyone
        raise NotFound(f"no booking {reference}")
    return booking


def find_booking(tenant_id: str, id_or_reference: str) -> dict:
    """A booking by its internal id or by its short reference, whichever was given."""
    if re.fullmatch(r"[0-9a-f]{32}", id_or_reference or ""):
        return get_booking(tenant_id, id_or_reference)
    return booking_for_reference(tenant_id, id_or_reference)


CLAIM_SECONDS = 60
RELEASED_TTL_SECONDS = 24 * 3600  # a FREE lock or a voided booking lingers a day, then TTL sweeps it
# Lock states: PENDING (claimed, booking being written) → BOOKED; FREE once released.
PENDING, BOOKED, FREE = "PENDING", "BOOKED", "FREE"


def _claim(pk: str, block: str, booking_id: str) -> bool:
    now = int(time.time())
    lock = {
        "pk": pk,
        "sk": keys.slot(block),
        "type": "slotLock",
        "bookingId": booking_id,
        "state": PENDING,
        "claimedAt": now,
        "ttl": now + 24 * 3600,
    }
    return _put_if_new(
        lock,
        "attribute_not_exists(pk) OR #st = :free OR (#st = :pending AND claimedAt < :stale)",
        {"#st": "state"},
        {":pending": PENDING, ":free": FREE, ":stale": now - CLAIM_SECONDS},
    )


def _confirm(pk: str, block: str, booking_id: str) -> bool:
    """PENDING → BOOKED, only while the claim is still ours (it may have expired and been taken)."""
    return _update_if(
        pk,
        keys.slot(block),
        UpdateExpression="SET #st = :booked REMOVE #ttl",
        ConditionExpression="bookingId = :me AND #st IN (:pending, :booked)",
        ExpressionAttributeNames={"#st": "state", "#ttl": "ttl"},
        ExpressionAttributeValues=_ser({":booked": BOOKED, ":pending": PENDING, ":me": booking_id}),
    )


def _release(pk: str, blocks: list[str], booking_id: str) -> None:
    """Mark our locks FREE (an UpdateItem, not a delete); locks someone else holds are left alone.

    Idempotent: releasing again, or a lock already re-claimed by another booking, changes nothing.
    """
    now = int(time.time())
    for block in blocks:
        _update_if(
            pk,
            keys.slot(block),
            UpdateExpression="SET #st = :free, releasedAt = :now, #ttl = :ttl",
            ConditionExpression="bookingId = :me AND #st <> :free",
            ExpressionAttributeNames={"#st": "state", "#ttl": "ttl"},
            ExpressionAttributeValues=_ser(
                {":free": FREE, ":me": booking_id, ":now": now, ":ttl": now + RELEASED_TTL_SECONDS}
            ),
        )


def _void(pk: str, booking_id: str) -> None:
    """Undo a booking item whose locks were lost: out of the bookings index, swept by TTL."""
    now = int(time.time())
    _update_if(
        pk,
        keys.booking(booking_id),
        UpdateExpression="SET #s = :void, #ttl = :ttl REMOVE gsi1pk, gsi1sk",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeNames={"#s": "status", "#ttl": "ttl"},
        ExpressionAttributeValues=_ser({":void": "VOID", ":ttl": now + RELEASED_TTL_SECONDS}),
    )


def _update_if(pk: str, sk: str, **update) -> bool:
    """A conditional UpdateItem: False when the condition does not hold, other errors raise."""
    from botocore.exceptions import ClientError

    try:
        runtime.dynamodb().update_item(
            TableName=runtime.table_name(), Key=_ser({"pk": pk, "sk": sk}), **update
        )
    except ClientError as err:
        if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return False
    return True


def _put_if_new(item: dict, condition: str = "attribute_not_exists(pk)", names=None, values=None) -> bool:
    from botocore.exceptions import ClientError

    extra = {}
    if names:
        extra["ExpressionAttributeNames"] = names
    if values:
        extra["ExpressionAttributeValues"] = _ser(values)
    try:
        runtime.dynamodb().put_item(
            TableName=runtime.table_name(), Item=_ser(item), ConditionExpression=condition, **extra
        )
    except ClientError as err:
        if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return False
    return True


def _lost_race(tenant_id: str, client_token: str | None) -> dict:
    """Another request holds the time. If it was our own retry (same token), return its booking."""
    if client_token:
        for _ in range(10):
            existing = booking_for_token(tenant_id, client_token)
            if existing:
                return existing
            time.sleep(0.1)
    raise SlotTaken("that time was just booked by someone else; please choose another slot")


def derive_token(*parts: str | None) -> str:
    """A client token from what identifies one booking attempt (a retried message gives the same)."""
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()


def booking_for_token(tenant_id: str, token: str) -> dict | None:
    if len(token) > 128:
        raise BadInput("clientToken is at most 128 characters")
    item = _get(keys.tenant_pk(tenant_id), keys.client_token(token))
    return get_booking(tenant_id, item["bookingId"]) if item else None


def get_booking(tenant_id: str, booking_id: str) -> dict:
    if not re.fullmatch(r"[0-9a-f]{32}", booking_id or ""):
        raise BadInput(f"malformed booking id {booking_id!r}")
    item = _get(keys.tenant_pk(tenant_id), keys.booking(booking_id))
    if item is None:
        raise NotFound(f"no booking {booking_id}")
    return item


def cancel_booking(tenant_id: str, id_or_reference: str) -> dict:
    """Cancel a booking of this tenant (by id or reference) and free its slot locks (idempotent).

    The status changes first, then the locks are released. A cancel that stopped in between
    (a crash, a throttled or refused write) is finished by the retry: an already CANCELLED
    booking still gets its locks released, never an early return that leaves the time blocked.
    """
    booking = find_booking(tenant_id, id_or_reference)
    booking_id = booking["id"]
    if booking["status"] not in ("CONFIRMED", "CANCELLED"):
        raise NotFound(f"no booking {id_or_reference}")  # a voided booking never existed for anyone
    pk = keys.tenant_pk(tenant_id)
    if booking["status"] == "CONFIRMED":
        _update_if(
            pk,
            keys.booking(booking_id),
            UpdateExpression="SET #s = :c, cancelledAt = :now",
            ConditionExpression="#s = :ok",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=_ser(
                {":c": "CANCELLED", ":ok": "CONFIRMED", ":now": utc_iso(dt.datetime.now(dt.UTC))}
            ),
        )
    _release(pk, booking.get("slotBlocks", []), booking_id)
    return get_booking(tenant_id, booking_id)


def list_bookings(tenant_id: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
    return _query(
        IndexName=GSI1,
        KeyConditionExpression="gsi1pk = :g AND gsi1sk BETWEEN :a AND :b",
        ExpressionAttributeValues=_ser(
            {":g": keys.bookings_gsi_pk(tenant_id), ":a": utc_iso(start), ":b": utc_iso(end) + "~"}
        ),
    )


# ── conversations (TTL) and token usage ──────────────────────────────────────────────────────


def get_conversation(tenant_id: str, conversation_id: str) -> dict | None:
    item = _get(keys.tenant_pk(tenant_id), keys.conversation(conversation_id))
    if item and item.get("ttl", 0) < time.time():
        return None  # expired, not yet swept by DynamoDB's TTL
    return item


def put_conversation(tenant_id: str, conversation_id: str, state: dict) -> None:
    item = {
        **state,
        "pk": keys.tenant_pk(tenant_id),
        "sk": keys.conversation(conversation_id),
        "type": "conversation",
        "id": conversation_id,
        "ttl": int(time.time()) + CONVERSATION_TTL_SECONDS,
    }
    runtime.dynamodb().put_item(TableName=runtime.table_name(), Item=_ser(item))


def month_of(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now(dt.UTC)).strftime("%Y-%m")


def add_tokens(tenant_id: str, input_tokens: int, output_tokens: int, month: str | None = None) -> dict:
    resp = runtime.dynamodb().update_item(
        TableName=runtime.table_name(),
        Key=_ser({"pk": keys.tenant_pk(tenant_id), "sk": keys.usage(month or month_of())}),
        UpdateExpression="ADD inputTokens :i, outputTokens :o, totalTokens :t SET #ty = :ty",
        ExpressionAttributeNames={"#ty": "type"},
        ExpressionAttributeValues=_ser(
            {":i": input_tokens, ":o": output_tokens, ":t": input_tokens + output_tokens, ":ty": "usage"}
        ),
        ReturnValues="ALL_NEW",
    )
    return _de(resp["Attributes"])


def get_usage(tenant_id: str, month: str | None = None) -> dict:
    month = month or month_of()
    item = _get(keys.tenant_pk(tenant_id), keys.usage(month), consistent=False) or {}
    return {
        "month": month,
        "inputTokens": item.get("inputTokens", 0),
        "outputTokens": item.get("outputTokens", 0),
        "totalTokens": item.get("totalTokens", 0),
    }


def token_limit(tenant: dict) -> int | None:
    if "monthlyTokenLimit" in tenant:
        return tenant["monthlyTokenLimit"]
    return PLAN_LIMITS.get(tenant.get("plan", "FREE"), PLAN_LIMITS["FREE"])


def over_plan(tenant: dict) -> bool:
    limit = token_limit(tenant)
    return limit is not None and get_usage(tenant["tenantId"])["totalTokens"] >= limit


# ── tenant admins: the authority on who administers a tenant (not the token's attribute) ─────


def put_admin(tenant_id: str, subject: str, email: str) -> dict:
    """Record Cognito user `subject` as an admin of the tenant (idempotent: rewrites the same item)."""
    item = {
        "pk": keys.tenant_pk(tenant_id),
        "sk": keys.admin(subject),
        "type": "admin",
        "tenantId": tenant_id,
        "subject": subject,
        "email": email,
        "createdAt": utc_iso(dt.datetime.now(dt.UTC)),
    }
    runtime.dynamodb().put_item(TableName=runtime.table_name(), Item=_ser(item))
    return item


def is_admin(tenant_id: str, subject: str) -> bool:
    """Whether the signed-in user `subject` (Cognito `sub`) administers this tenant.

    A strongly consistent read: an admin just created can act at once, one just removed cannot."""
    return _get(keys.tenant_pk(tenant_id), keys.admin(subject)) is not None
