"""Bookings: no double-booking under a race, idempotent retries, tenant isolation, clear errors."""

import datetime as dt
import threading

import pytest
from backend_events import ACME, LOLA, admin_event, widget_event

from backend import admin, bookings, scheduling, store
from backend.errors import BadInput, NotFound, SlotTaken


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
