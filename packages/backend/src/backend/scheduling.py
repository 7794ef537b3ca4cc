"""Availability and booking rules shared by the bookings, chat and admin functions.

Slots come from the tenant's opening hours (in its time zone), the service's duration and the
15-minute blocks already locked by bookings. A booking is accepted only for a slot that
availability would offer, then written atomically by `store.create_booking`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend import store
from backend.errors import BadInput, SlotTaken

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS_AHEAD = 180
DEFAULT_STEP_MINUTES = 30


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # aware, tenant time zone
    end: dt.datetime


def tz_of(tenant: dict) -> ZoneInfo:
    try:
        return ZoneInfo(tenant.get("timeZone") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"unknown time zone {tenant.get('timeZone')!r}") from None


def now_in(tenant: dict) -> dt.datetime:
    return dt.datetime.now(tz_of(tenant))


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat((text or "")[:10])
    except ValueError:
        raise BadInput(f"malformed date {text!r}; use YYYY-MM-DD") from None


def check_bookable_date(tenant: dict, day: dt.date) -> None:
    today = now_in(tenant).date()
    if day < today:
        raise BadInput(f"{day.isoformat()} is in the past")
    if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise BadInput(f"bookings open at most {MAX_DAYS_AHEAD} days ahead")


_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$")


def parse_range(text: str) -> tuple[int, int]:
    """ "09:00-14:00" → minutes after midnight (540, 840). The end may be "24:00", the midnight
    that closes the day (a datetime.time cannot hold it); the end must come after the start."""
    match = _RANGE.match(str(text).strip())
    if not match:
        raise BadInput(f"opening hours look like 09:00-14:00 (00:00 to 24:00), got {text!r}")
    h1, m1, h2, m2, h24, _ = match.groups()
    start, end = int(h1) * 60 + int(m1), (24 * 60 if h24 else int(h2) * 60 + int(m2))
    if end <= start:
        raise BadInput(f"opening hours {text!r} end before they start; use one range per day part")
    return start, end


def opening_ranges(tenant: dict, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    tz = tz_of(tenant)
    ranges = (tenant.get("openingHours") or {}).get(WEEKDAYS[day.weekday()], [])
    midnight = dt.datetime.combine(day, dt.time(0), tz)
    # Wall-clock arithmetic (same tzinfo): midnight + 24 h is the next day's 00:00 local time.
    return [
        (midnight + dt.timedelta(minutes=start), midnight + dt.timedelta(minutes=end))
        for start, end in map(parse_range, ranges)
    ]


def compute_slots(tenant: dict, service: dict, day: dt.date, busy: set[str], now: dt.datetime) -> list[Slot]:
    """Pure: every start in opening hours where the whole service fits, is free and in the future."""
    duration = dt.timedelta(minutes=int(service["durationMinutes"]))
    step = dt.timedelta(minutes=int(tenant.get("slotStepMinutes") or DEFAULT_STEP_MINUTES))
    slots = []
    for open_at, close_at in opening_ranges(tenant, day):
        start = open_at
        while start + duration <= close_at:
            end = start + duration
            if start > now and not busy.intersection(store.slot_blocks(start, end)):
                slots.append(Slot(start, end))
            start += step
    return slots


def available_slots(tenant: dict, service: dict, day: dt.date) -> list[Slot]:
    check_bookable_date(tenant, day)
    tz = tz_of(tenant)
    day_start = dt.datetime.combine(day, dt.time(0), tz)
    busy = store.busy_blocks(tenant["tenantId"], day_start, day_start + dt.timedelta(days=1))
    return compute_slots(tenant, service, day, busy, now_in(tenant))


def _open_slots(tenant: dict, service: dict, day: dt.date) -> list[Slot]:
    return compute_slots(tenant, service, day, set(), now_in(tenant))


def next_days_with_slots(tenant: dict, service: dict, after: dt.date, want: int = 3) -> list[dt.date]:
    days, day = [], max(after, now_in(tenant).date())
    for _ in range(21):
        day += dt.timedelta(days=1)
        if available_slots(tenant, service, day):
            days.append(day)
            if len(days) == want:
                break
    return days


def book(
    tenant: dict,
    service: dict,
    start: dt.datetime,
    customer_name: str,
    client_token: str | None = None,
    conversation_id: str | None = None,
    visitor: str | None = None,
    locale: str = "en",
) -> dict:
    """Book a slot availability offers; emits BookingCreated or BookingFailed.

    A new booking first takes one from the conversation's and the visitor's caps
    (`backend.limits`; LimitReached with nothing written when over); a retry of a booking already
    made (same client token) does not count again."""
    from backend import limits
    from backend.errors import GraphQLUserError
    from backend.observability import Metric, metric

    tenant_id = tenant["tenantId"]
    name = " ".join((customer_name or "").split())
    try:
        if not 1 <= len(name) <= 80:
            raise BadInput("the customer name must be 1 to 80 characters")
        if start.tzinfo is None:
            start = start.replace(tzinfo=tz_of(tenant))
        start = start.astimezone(tz_of(tenant))
        if client_token:  # a retry of a create that already succeeded
            existing = store.booking_for_token(tenant_id, client_token)
            if existing:
                return existing
        offered = {s.start for s in available_slots(tenant, service, start.date())}
        if start not in offered and start in {s.start for s in _open_slots(tenant, service, start.date())}:
            raise SlotTaken("that time was just booked by someone else; please choose another slot")
        if start not in offered:
            raise BadInput(f"{start.isoformat()} is not an available slot for {service['name']}")
        holds = limits.hold_booking(tenant, conversation_id, visitor, locale)
        try:
            booking = store.create_booking(
                tenant_id, store.NewBooking(service, start, name, client_token, conversation_id)
            )
        except BaseException:
            for hold in holds:  # no booking was written: the visitor keeps the unit
                limits.give_back(hold)
            raise
    except GraphQLUserError:
        metric(Metric.BOOKING_FAILED, tenant_id)
        raise
    metric(Metric.BOOKING_CREATED, tenant_id)
    return booking


# ── GraphQL views ────────────────────────────────────────────────────────────────────────────


def slot_view(slot: Slot) -> dict:
    return {"start": slot.start.isoformat(), "end": slot.end.isoformat()}


def booking_view(booking: dict, tenant: dict | None = None) -> dict:
    tz = tz_of(tenant) if tenant else dt.UTC
    return {
        "id": booking["id"],
        "reference": booking.get("reference"),  # bookings made before references have none
        "serviceId": booking["serviceId"],
        "serviceName": booking.get("serviceName"),
        "start": store.parse_utc(booking["start"]).astimezone(tz).isoformat(),
        "end": store.parse_utc(booking["end"]).astimezone(tz).isoformat(),
        "customerName": booking.get("customerName"),
        "status": booking["status"],
        "createdAt": booking.get("createdAt"),
    }


def service_view(service: dict) -> dict:
    return {
        "id": service["id"],
        "name": service["name"],
        "durationMinutes": int(service["durationMinutes"]),
        "description": service.get("description"),
    }


def tenant_view(tenant: dict) -> dict:
    return {
        "tenantId": tenant["tenantId"],
        "name": tenant["name"],
        "greeting": tenant.get("greeting") or "",
        "locale": tenant.get("locale") or "en",
        "timeZone": tenant.get("timeZone") or "UTC",
        "themeColor": tenant.get("themeColor") or "#1976d2",
    }
