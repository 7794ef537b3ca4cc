"""Bookings: no double-booking under a race, idempotent retries, tenant isolation, clear errors."""

import datetime as dt
import threading

import pytest
from backend_events import ACME, LOLA, admin_event, widget_event

from backend import admin, bookings, scheduling, store
from backend.errors import BadInput, InternalError, NotFound, SlotTaken


def next_weekday(tenant: dict, weekday: int) -> dt.date:
    today = scheduling.now_in(tenant).date()
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def lola_monday_at(hour: int, minute: int = 0) -> tuple[dict, dt.datetime]:
    tenant = store.get_tenant(LOLA)
    day = next_weekday(tenant, 0)
    return tenant, dt.datetime.combine(day, dt.time(hour, minute), scheduling.tz_of(tenant))


def test_availability_follows_opening_hours_duration_and_time_zone(table):
    tenant, _ = lola_monday_at(9)
    monday = next_weekday(tenant, 0)
    args = {"serviceId": "tinte", "date": monday.isoformat()}
    result = bookings.handler(widget_event(LOLA, "availability", args))
    starts = [s["start"][11:16] for s in result["slots"]]
    # 90 minutes must fit in 09:00-14:00 or 16:00-20:00 (Madrid)
    assert starts[0] == "09:00" and "12:30" in starts and "13:00" not in starts
    assert "18:30" in starts and "19:00" not in starts
    assert all(s["start"].endswith(("+01:00", "+02:00")) for s in result["slots"])


def test_a_race_of_many_threads_for_one_slot_books_exactly_once(table):
    tenant, start = lola_monday_at(10)
    service = store.get_service(LOLA, "corte")
    outcomes, barrier = [], threading.Barrier(12)

    def attempt(i):
        barrier.wait()
        try:
            outcomes.append(scheduling.book(tenant, service, start, f"Cliente {i}"))
        except (SlotTaken, BadInput) as err:
            outcomes.append(err)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    booked = [o for o in outcomes if isinstance(o, dict)]
    assert len(outcomes) == 12 and len(booked) == 1
    day_end = start + dt.timedelta(days=1)
    assert len(store.list_bookings(LOLA, start - dt.timedelta(hours=1), day_end)) == 1


def test_overlapping_services_cannot_share_time(table):
    tenant, start = lola_monday_at(10)
    scheduling.book(tenant, store.get_service(LOLA, "tinte"), start, "Ana")  # 10:00-11:30
    with pytest.raises((SlotTaken, BadInput)):
        scheduling.book(tenant, store.get_service(LOLA, "corte"), start + dt.timedelta(minutes=60), "Bea")
    # the store's own guard, without the availability pre-check
    with pytest.raises(SlotTaken):
        store.create_booking(
            LOLA, store.NewBooking(store.get_service(LOLA, "corte"), start + dt.timedelta(minutes=30), "Bea")
        )


def test_a_retried_create_with_the_same_client_token_returns_the_first_booking(table):
    tenant, start = lola_monday_at(11)
    service = store.get_service(LOLA, "corte")
    first = scheduling.book(tenant, service, start, "Ana", client_token="tok-1")
    again = scheduling.book(tenant, service, start, "Ana", client_token="tok-1")
    assert again["id"] == first["id"]
    end = start + dt.timedelta(hours=1)
    assert [b["id"] for b in store.list_bookings(LOLA, start, end)] == [first["id"]]


def test_cancelling_frees_the_slot(table):
    tenant, start = lola_monday_at(12)
    service = store.get_service(LOLA, "corte")
    booking = scheduling.book(tenant, service, start, "Ana")
    cancelled = admin.handler(admin_event(LOLA, "cancelBooking", {"id": booking["id"]}, "Mutation"))
    assert cancelled["status"] == "CANCELLED"
    assert scheduling.book(tenant, service, start, "Bea")["status"] == "CONFIRMED"


def test_tenant_a_can_neither_read_nor_cancel_tenant_b_bookings(table):
    tenant, start = lola_monday_at(10)
    lola_booking = scheduling.book(tenant, store.get_service(LOLA, "corte"), start, "Ana")
    window = {
        "from": (start - dt.timedelta(days=1)).isoformat(),
        "to": (start + dt.timedelta(days=1)).isoformat(),
    }
    assert admin.handler(admin_event(ACME, "bookings", window)) == []
    assert [b["id"] for b in admin.handler(admin_event(LOLA, "bookings", window))] == [lola_booking["id"]]
    with pytest.raises(NotFound):
        admin.handler(admin_event(ACME, "cancelBooking", {"id": lola_booking["id"]}, "Mutation"))
    assert store.get_booking(LOLA, lola_booking["id"])["status"] == "CONFIRMED"


def test_the_tenant_comes_from_the_identity_never_from_arguments(table):
    event = widget_event(ACME, "tenantConfig", {"tenantId": LOLA})
    assert bookings.handler(event)["tenantId"] == ACME
    with pytest.raises(NotFound, match="unknown service 'corte'"):
        bookings.handler(widget_event(ACME, "availability", {"serviceId": "corte", "date": "2099-01-01"}))


@pytest.mark.parametrize(
    ("args", "error", "text"),
    [
        ({"serviceId": "nope", "date": "2099-01-05"}, NotFound, "unknown service"),
        ({"serviceId": "corte", "date": "2020-01-01"}, BadInput, "in the past"),
        ({"serviceId": "../etc", "date": "2099-01-05"}, BadInput, "malformed service id"),
        ({"serviceId": "corte", "date": "someday"}, BadInput, "malformed date"),
    ],
)
def test_bad_availability_input_is_a_clear_error(table, args, error, text):
    with pytest.raises(error, match=text):
        bookings.handler(widget_event(LOLA, "availability", args))


def test_an_unexpected_failure_reaches_the_caller_without_a_stack_trace(table, monkeypatch):
    from backend.errors import InternalError

    monkeypatch.setattr(store, "list_services", lambda tenant_id: 1 / 0)
    with pytest.raises(InternalError, match="request test-request") as info:
        bookings.handler(widget_event(LOLA, "services", {}))
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_widget_calls_without_an_authorizer_identity_are_refused(table):
    from backend.errors import Unauthorized

    event = widget_event(LOLA, "services", {})
    event["identity"] = None
    with pytest.raises(Unauthorized):
        bookings.handler(event)


# ── issue 11: release without deletes, races, half-failed cancels ───────────────────────────


def test_book_cancel_and_book_the_same_slot_again(table):
    tenant, start = lola_monday_at(13)
    service = store.get_service(LOLA, "corte")
    for name in ("Ana", "Bea", "Carmen"):
        booking = scheduling.book(tenant, service, start, name)
        assert store.cancel_booking(LOLA, booking["id"])["status"] == "CANCELLED"
    last = scheduling.book(tenant, service, start, "Dora")
    end = start + dt.timedelta(hours=1)
    confirmed = [b for b in store.list_bookings(LOLA, start, end) if b["status"] == "CONFIRMED"]
    assert [b["id"] for b in confirmed] == [last["id"]]


def test_two_racing_bookings_give_one_booking_and_one_slot_taken(table):
    tenant, start = lola_monday_at(17)
    service = store.get_service(LOLA, "tinte")  # 6 blocks: the loser may hold some before it loses
    outcomes, barrier = [], threading.Barrier(2)

    def attempt(name):
        barrier.wait()
        try:
            outcomes.append(scheduling.book(tenant, service, start, name))
        except Exception as err:  # noqa: BLE001 — the test is that the loser gets SlotTaken, nothing else
            outcomes.append(err)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("Ana", "Bea")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["SlotTaken", "dict"]
    end = start + dt.timedelta(hours=2)
    assert len(store.list_bookings(LOLA, start, end)) == 1


def _refuse_slot_writes(params, **_):
    # Fault injection on the real client (the call never leaves): what AWS answered when the
    # role could not write the lock items (issue 11). Not an emulation of DynamoDB.
    from botocore.exceptions import ClientError

    if params.get("Key", {}).get("sk", {}).get("S", "").startswith("SLOT#"):
        error = {"Code": "AccessDeniedException", "Message": "not authorized to write this item"}
        raise ClientError({"Error": error}, "UpdateItem")


def test_a_retried_cancel_that_half_failed_finishes_the_release(table):
    from botocore.exceptions import ClientError

    from backend import runtime

    tenant, start = lola_monday_at(12, 30)
    service = store.get_service(LOLA, "corte")
    booking = scheduling.book(tenant, service, start, "Ana")
    events = runtime.dynamodb().meta.events
    for op in ("UpdateItem", "DeleteItem"):
        events.register(f"provide-client-params.dynamodb.{op}", _refuse_slot_writes)
    try:
        with pytest.raises(ClientError):
            store.cancel_booking(LOLA, booking["id"])  # status changed, locks not released
    finally:
        for op in ("UpdateItem", "DeleteItem"):
            events.unregister(f"provide-client-params.dynamodb.{op}", _refuse_slot_writes)
    assert store.get_booking(LOLA, booking["id"])["status"] == "CANCELLED"
    assert store.cancel_booking(LOLA, booking["id"])["status"] == "CANCELLED"  # the retry
    assert scheduling.book(tenant, service, start, "Bea")["status"] == "CONFIRMED"


def _chat_role_table_actions() -> set[str]:
    from orchestrator import paths
    from orchestrator.adapters.templates import load_template

    template = load_template(paths.ROOT / "infra" / "app" / "functions.yaml")
    statements = template["Resources"]["ChatRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    return {
        action.removeprefix("dynamodb:")
        for s in statements
        if s["Effect"] == "Allow"
        for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        if action.startswith("dynamodb:")
    }


def test_contract_the_chat_functions_booking_calls_are_granted_to_its_role(table, monkeypatch):
    """moto does not evaluate IAM: hold the calls the chat function's booking paths make (a
    race loser that already claimed a block, a cancel by the agent's tool, booking again, a
    booking that finds no free reference) to the DynamoDB actions its role grants in
    infra/app/functions.yaml."""
    from backend import runtime

    calls: list[str] = []

    def record(event_name, **_):
        calls.append(event_name.rsplit(".", 1)[-1])

    tenant, start = lola_monday_at(10)
    events = runtime.dynamodb().meta.events
    events.register("provide-client-params.dynamodb.*", record)
    try:
        held = scheduling.book(tenant, store.get_service(LOLA, "tinte"), start, "Ana")  # 10:00-11:30
        corte = store.get_service(LOLA, "corte")
        with pytest.raises(SlotTaken):  # claims 09:45, then loses 10:00 and must let 09:45 go
            store.create_booking(LOLA, store.NewBooking(corte, start - dt.timedelta(minutes=15), "Bea"))
        store.cancel_booking(LOLA, held["id"])
        taken = scheduling.book(tenant, corte, start, "Bea")["reference"]
        # no free reference: the claimed time must go back (issue 17) without a DeleteItem
        monkeypatch.setattr(store, "new_reference", lambda: taken)
        with pytest.raises(InternalError):
            scheduling.book(tenant, corte, start + dt.timedelta(hours=1), "Carmen")
    finally:
        events.unregister("provide-client-params.dynamodb.*", record)
    granted = _chat_role_table_actions()
    assert set(calls) - granted == set(), f"ChatRole grants {sorted(granted)}"


# ── opening hours that end at midnight ───────────────────────────────────────────────────────


def test_opening_hours_until_24_00_give_slots_until_midnight(table):
    from backend import tenants

    raw = {
        "name": "Late Night Barber",
        "locale": "en",
        "timeZone": "Europe/Madrid",
        "openingHours": {"mon": ["09:00-24:00"]},
        "services": [{"id": "cut", "name": "Cut", "durationMinutes": 30}],
    }
    tenants.write_tenant("late-night", raw)
    tenant = store.get_tenant("late-night")
    day = next_weekday(tenant, 0)
    slots = scheduling.available_slots(tenant, store.get_service("late-night", "cut"), day)
    assert slots[0].start.strftime("%H:%M") == "09:00"
    assert slots[-1].start.strftime("%H:%M") == "23:30"
    assert slots[-1].end == dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time(0), scheduling.tz_of(tenant)
    )
    booking = scheduling.book(tenant, store.get_service("late-night", "cut"), slots[-1].start, "Nico")
    assert booking["status"] == "CONFIRMED"


@pytest.mark.parametrize("hours", ["09:00-24:30", "24:00-24:00", "14:00-09:00", "9-14", "09:00-25:00"])
def test_malformed_opening_hours_are_refused_with_the_reason(hours):
    from backend import tenants

    raw = {"name": "X", "locale": "en", "timeZone": "UTC", "openingHours": {"mon": [hours]}}
    with pytest.raises(BadInput, match="opening hours"):
        tenants.validate_config(raw)
