"""Short booking references (issue 17): readable, random, unique per tenant by construction."""

import datetime as dt
import re
import threading

import pytest
from backend_events import ACME, LOLA, admin_event, say

from backend import admin, scheduling, store
from backend.errors import BadInput, InternalError, NotFound
from backend.table import keys

SHAPE = re.compile(r"^[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}$")


def lola_monday_at(hour: int, minute: int = 0) -> tuple[dict, dt.datetime]:
    tenant = store.get_tenant(LOLA)
    today = scheduling.now_in(tenant).date()
    monday = today + dt.timedelta(days=(0 - today.weekday()) % 7 or 7)
    return tenant, dt.datetime.combine(monday, dt.time(hour, minute), scheduling.tz_of(tenant))


def book_lola(hour: int, name: str = "Ana", minute: int = 0) -> dict:
    tenant, start = lola_monday_at(hour, minute)
    return scheduling.book(tenant, store.get_service(LOLA, "corte"), start, name)


def draws(*references: str):
    """A stand-in for the random draw: these references in order (the test forces collisions)."""
    pending = list(references)
    return lambda: pending.pop(0)


# ── format (pure) ────────────────────────────────────────────────────────────────────────────


def test_the_alphabet_has_no_symbol_that_reads_as_another():
    alphabet = store.REFERENCE_ALPHABET
    assert len(alphabet) == len(set(alphabet)) == 30
    assert not set("01OILU") & set(alphabet)
    assert set(alphabet) <= set("23456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_a_new_reference_is_six_symbols_shown_as_two_groups_of_three():
    drawn = {store.new_reference() for _ in range(500)}
    assert all(SHAPE.match(r) for r in drawn), sorted(drawn)[:5]
    assert len(drawn) > 490  # random, not a counter or a constant


@pytest.mark.parametrize(
    ("typed", "normal"),
    [("K7Q-4M2", "K7Q-4M2"), ("k7q4m2", "K7Q-4M2"), (" k7q 4m2 ", "K7Q-4M2"), ("K7Q-4M", None),
     ("K0Q-4M2", None), ("KIQ-4M2", None), ("K7Q-4M22", None), ("", None), ("K7Q_4M2", None)],
)  # fmt: skip
def test_what_a_customer_types_is_normalized_or_refused(typed, normal):
    assert store.normalize_reference(typed) == normal


# ── against the embedded AWS ─────────────────────────────────────────────────────────────────


def test_each_booking_gets_a_reference_claimed_in_the_table(table):
    booking = book_lola(10)
    assert SHAPE.match(booking["reference"])
    claim = store._get(keys.tenant_pk(LOLA), keys.reference(booking["reference"]))
    assert claim["bookingId"] == booking["id"] and claim["type"] == "reference"
    assert store.get_booking(LOLA, booking["id"])["reference"] == booking["reference"]  # id stays the key


def test_a_taken_reference_is_drawn_again(table, monkeypatch):
    first = book_lola(10, "Ana")
    monkeypatch.setattr(store, "new_reference", draws(first["reference"], "ABC-DEF"))
    second = book_lola(11, "Bea")
    assert second["reference"] == "ABC-DEF"
    assert store.booking_for_reference(LOLA, first["reference"])["id"] == first["id"]  # untouched
    assert store.booking_for_reference(LOLA, "ABC-DEF")["id"] == second["id"]


def test_the_same_reference_may_exist_in_another_tenant(table, monkeypatch):
    """Unique per tenant: the claim lives under the tenant's key, so tenants never collide."""
    monkeypatch.setattr(store, "new_reference", draws("ABC-DEF", "ABC-DEF"))
    lola = book_lola(10)
    acme = store.get_tenant(ACME)
    today = scheduling.now_in(acme).date()
    monday = today + dt.timedelta(days=(0 - today.weekday()) % 7 or 7)
    start = dt.datetime.combine(monday, dt.time(10), scheduling.tz_of(acme))
    service = store.list_services(ACME)[0]
    other = scheduling.book(acme, service, start, "John")
    assert lola["reference"] == other["reference"] == "ABC-DEF"
    assert store.booking_for_reference(ACME, "abc def")["id"] == other["id"]
    assert store.booking_for_reference(LOLA, "ABC-DEF")["id"] == lola["id"]


def test_two_bookings_drawing_the_same_reference_at_once_get_different_ones(table, monkeypatch):
    """Unique by construction: the conditional put lets one of two simultaneous claims win."""
    barrier, local = threading.Barrier(2), threading.local()
    later = iter(["BBB-222", "CCC-333"])
    lock = threading.Lock()

    def racing_draw():
        if not getattr(local, "drawn", False):
            local.drawn = True
            barrier.wait()  # both claim "AAA-222" together
            return "AAA-222"
        with lock:
            return next(later)

    monkeypatch.setattr(store, "new_reference", racing_draw)
    outcomes = []
    threads = [
        threading.Thread(target=lambda h=h: outcomes.append(book_lola(h, f"Cliente {h}"))) for h in (10, 12)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    references = sorted(b["reference"] for b in outcomes)
    assert len(outcomes) == 2 and references[0] == "AAA-222" and references[1] in {"BBB-222", "CCC-333"}


def test_no_free_reference_fails_cleanly_and_gives_the_time_back(table, monkeypatch):
    taken = book_lola(10, "Ana")["reference"]
    tenant, start = lola_monday_at(11)
    with monkeypatch.context() as patch, pytest.raises(InternalError, match="no free booking reference"):
        patch.setattr(store, "new_reference", lambda: taken)
        scheduling.book(tenant, store.get_service(LOLA, "corte"), start, "Bea")
    assert start in {
        s.start for s in scheduling.available_slots(tenant, store.get_service(LOLA, "corte"), start.date())
    }
    assert book_lola(11, "Bea")["status"] == "CONFIRMED"  # nothing half-written holds the time


def test_the_guided_answer_and_the_booking_card_carry_the_reference(disable_ia):
    cid = say(LOLA, "Corte de pelo el lunes a las 10")["conversationId"]
    say(LOLA, "Ana", cid)
    done = say(LOLA, "sí", cid)
    reference = done["booking"]["reference"]
    assert SHAPE.match(reference)
    assert f"Tu referencia: {reference}." in done["message"]
    assert done["booking"]["id"] != reference and len(done["booking"]["id"]) == 32


def test_admin_lists_bookings_with_their_reference_and_cancels_by_it(table):
    booking = book_lola(10)
    tenant, start = lola_monday_at(0)
    listed = admin.handler(
        admin_event(
            LOLA, "bookings", {"from": start.isoformat(), "to": (start + dt.timedelta(days=1)).isoformat()}
        )
    )
    assert [b["reference"] for b in listed] == [booking["reference"]]
    typed = booking["reference"].lower().replace("-", " ")
    cancelled = admin.handler(admin_event(LOLA, "cancelBooking", {"id": typed}, "Mutation"))
    assert cancelled["id"] == booking["id"] and cancelled["status"] == "CANCELLED"
    with pytest.raises(NotFound):  # another tenant's admin cannot cancel it by its reference
        store.cancel_booking(ACME, booking["reference"])


def test_a_malformed_reference_is_a_clear_error(table):
    with pytest.raises(BadInput, match="looks like K7Q-4M2"):
        store.booking_for_reference(LOLA, "K0Q-4M2")
