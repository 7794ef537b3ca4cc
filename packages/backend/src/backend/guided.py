"""The guided, rule-based booking flow (Spanish and English): no model, still books.

Used when DISABLE_IA is on, when Bedrock fails or times out, and when a tenant is over plan.
Steps: service → when → slot → name → confirm → done. Each answer may skip ahead ("corte
mañana a las 10" picks the service, the day and the slot at once). State is a small dict the
chat function keeps in the conversation item.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from backend import scheduling, store
from backend.dates import PERIOD_HOURS, normalize, parse_time, parse_when, say_day, short_day
from backend.errors import SlotTaken
from backend.limits import LimitReached

MAX_SLOT_CHOICES = 8

TEXT = {
    "es": {
        "which_service": "¿Qué servicio quieres reservar?",
        "when": "¿Qué día y a qué hora te viene bien? Por ejemplo: «mañana a las 10» o «el viernes por la tarde».",
        "past": "Ese día ya ha pasado. ¿Qué otro día te viene bien?",
        "slots": "Para {service} el {day} tengo libre:",
        "exact": "¡Perfecto! {service} el {day} a las {time}. ¿A nombre de quién hago la reserva?",
        "not_exact": "A las {time} no tengo hueco, pero el {day} tengo libre:",
        "none_that_day": "El {day} no me queda hueco para {service}. ¿Te va otro día?",
        "pick_slot": "Elige una de las horas, o dime otro día.",
        "name": "¿A nombre de quién hago la reserva?",
        "bad_name": "¿Me dices tu nombre, por favor?",
        "confirm": "Reservo {service} el {day} a las {time} a nombre de {name}. ¿Lo confirmo?",
        "yes": "Sí, confirmar",
        "no": "No, cambiar",
        "booked": "¡Hecho! Tu cita de {service} es el {day} a las {time}. ¡Te esperamos, {name}!",
        "taken": "Vaya, esa hora se acaba de ocupar. Estas siguen libres el {day}:",
        "cancelled": "He cancelado tu cita de {service} del {day} a las {time}.",
        "reference": "Tu referencia: {reference}.",
        "restart": "De acuerdo, empezamos de nuevo. ¿Qué servicio quieres reservar?",
        "confirm_again": "¿Confirmo la reserva? Responde «sí» o «no».",
        "today": "Hoy",
        "tomorrow": "Mañana",
        "day_after": "Pasado mañana",
    },
    "en": {
        "which_service": "Which service would you like to book?",
        "when": "What day and time suit you? For example: “tomorrow at 10am” or “Friday afternoon”.",
        "past": "That day has already passed. Which other day suits you?",
        "slots": "For {service} on {day} I have these times free:",
        "exact": "Great! {service} on {day} at {time}. What name should I put the booking under?",
        "not_exact": "{time} is taken, but on {day} I have:",
        "none_that_day": "There is nothing left for {service} on {day}. Would another day work?",
        "pick_slot": "Pick one of the times, or tell me another day.",
        "name": "What name should I put the booking under?",
        "bad_name": "Could you tell me your name, please?",
        "confirm": "I'll book {service} on {day} at {time} for {name}. Shall I confirm?",
        "yes": "Yes, confirm",
        "no": "No, change it",
        "booked": "Done! Your {service} is on {day} at {time}. See you then, {name}!",
        "taken": "Sorry, that time was just taken. These are still free on {day}:",
        "cancelled": "I've cancelled your {service} on {day} at {time}.",
        "reference": "Your reference: {reference}.",
        "restart": "All right, let's start again. Which service would you like to book?",
        "confirm_again": "Shall I confirm the booking? Answer “yes” or “no”.",
        "today": "Today",
        "tomorrow": "Tomorrow",
        "day_after": "Day after tomorrow",
    },
}
YES = {"si", "s", "vale", "ok", "okay", "confirmo", "confirmar", "si confirmar", "claro", "yes", "y", "sure",
       "confirm", "yes confirm", "perfecto", "de acuerdo", "yep", "please do"}  # fmt: skip
NO = {"no", "n", "no cambiar", "no change it", "cambiar", "change", "nope"}
RESTART = {"empezar", "reiniciar", "empezar de nuevo", "restart", "start over", "start again"}


@dataclass
class Reply:
    message: str
    quick_replies: list[dict] = field(default_factory=list)
    booking: dict | None = None


def _qr(label: str, value: str | None = None) -> dict:
    return {"label": label, "value": value if value is not None else label}


class GuidedFlow:
    """One turn of the flow for one tenant; `state` is read and updated in place."""

    def __init__(
        self, tenant: dict, locale: str, state: dict, conversation_id: str, visitor: str | None = None
    ):
        self.tenant = tenant
        self.locale = locale if locale in TEXT else "en"
        self.t = TEXT[self.locale]
        self.state = state
        self.conversation_id = conversation_id
        self.visitor = visitor  # the per-visitor booking cap (backend.limits)
        self.now = scheduling.now_in(tenant)

    # ── entry point ──────────────────────────────────────────────────────────────────────────

    def answer(self, text: str, client_token: str | None = None) -> Reply:
        norm = normalize(text)
        if norm in RESTART or self.state.get("step") in (None, "done"):
            restarting = norm in RESTART
            self.state.clear()
            self.state["step"] = "service"
            if restarting:
                return self._ask_service(self.t["restart"])
        step = self.state["step"]
        if step == "service":
            return self._on_service(text)
        if step == "when":
            return self._on_when(text)
        if step == "slot":
            return self._on_slot(text)
        if step == "name":
            return self._on_name(text)
        return self._on_confirm(norm, client_token)

    def confirm(self, booking: dict) -> Reply:
        """Say what the AI agent already did this turn (it booked or cancelled, then ran out)."""
        start = store.parse_utc(booking["start"]).astimezone(scheduling.tz_of(self.tenant))
        facts = {
            "service": booking.get("serviceName") or booking["serviceId"],
            "day": say_day(start.date(), self.locale),
            "time": start.strftime("%H:%M"),
            "name": booking.get("customerName") or "",
        }
        self.state.clear()
        self.state["step"] = "done"
        key = "cancelled" if booking.get("status") == "CANCELLED" else "booked"
        return Reply(self._with_reference(self.t[key].format(**facts), booking), [], booking)

    # ── steps ────────────────────────────────────────────────────────────────────────────────

    def _on_service(self, text: str) -> Reply:
        service = self._match_service(text)
        if service is None:
            greeting = self.tenant.get("greeting") if not self.state.get("greeted") else None
            self.state["greeted"] = True
            return self._ask_service(
                f"{greeting} {self.t['which_service']}" if greeting else self.t["which_service"]
            )
        self.state["serviceId"] = service["id"]
        self.state["step"] = "when"
        when = parse_when(text, self.locale, self.now)
        return self._on_when(text) if not when.empty else self._ask_when()

    def _on_when(self, text: str) -> Reply:
        when = parse_when(text, self.locale, self.now)
        if when.empty:
            return self._ask_when()
        day = when.day or (
            dt.date.fromisoformat(self.state["day"]) if self.state.get("day") else self.now.date()
        )
        if (
            when.day is None
            and when.at is not None
            and dt.datetime.combine(day, when.at) <= self.now.replace(tzinfo=None)
        ):
            day += dt.timedelta(days=1)
        if day < self.now.date():
            return Reply(self.t["past"], self._day_choices())
        service = self._service()
        self.state["day"] = day.isoformat()
        slots = scheduling.available_slots(self.tenant, service, day)
        if when.at is not None:
            exact = [s for s in slots if s.start.time() == when.at]
            if exact:
                return self._choose(exact[0])
            nearest = sorted(slots, key=lambda s: abs(s.start.hour * 60 + s.start.minute - _minutes(when.at)))
            if nearest:
                return self._offer(
                    sorted(nearest[:4], key=lambda s: s.start), "not_exact", time=_hhmm(when.at)
                )
        if when.period:
            low, high = PERIOD_HOURS[when.period]
            in_period = [s for s in slots if low <= s.start.hour < high]
            slots = in_period or slots
        if not slots:
            return self._no_slots(service, day)
        return self._offer(slots, "slots")

    def _on_slot(self, text: str) -> Reply:
        at, _ = parse_time(normalize(text))
        if at is None and re.fullmatch(r"\s*\d{1,2}\s*", text):
            at = dt.time(int(text) + (12 if 1 <= int(text) <= 7 else 0), 0) if int(text) < 24 else None
        offered = [dt.datetime.fromisoformat(s) for s in self.state.get("offered", [])]
        if at is not None:
            for start in offered:
                if start.time() == at:
                    return self._choose(scheduling.Slot(start, start))
        when = parse_when(text, self.locale, self.now)
        if not when.empty:
            self.state["step"] = "when"
            return self._on_when(text)
        return Reply(self.t["pick_slot"], [_qr(s.strftime("%H:%M")) for s in offered])

    def _on_name(self, text: str) -> Reply:
        name = " ".join(text.split())
        if not 1 <= len(name) <= 80 or not re.search(r"[^\W\d_]", name):
            return Reply(self.t["bad_name"])
        self.state["name"] = name
        self.state["step"] = "confirm"
        return Reply(self.t["confirm"].format(**self._facts()), self._yes_no())

    def _on_confirm(self, norm: str, client_token: str | None) -> Reply:
        norm = " ".join(re.sub(r"[^\w\s]", " ", norm).split())
        first = norm.split(" ")[0] if norm else ""
        if norm in NO or first in NO:
            self.state.clear()
            self.state["step"] = "service"
            return self._ask_service(self.t["restart"])
        if norm not in YES and first not in YES:
            return Reply(self.t["confirm_again"], self._yes_no())
        facts = self._facts()
        start = dt.datetime.fromisoformat(self.state["start"])
        # Same conversation + slot + name = the same booking, so a retried "yes" cannot book twice.
        token = store.derive_token("guided", self.conversation_id, store.utc_iso(start), client_token)
        try:
            booking = scheduling.book(
                self.tenant,
                self._service(),
                start,
                self.state["name"],
                token,
                self.conversation_id,
                self.visitor,
                self.locale,
            )
        except LimitReached as err:
            # Over a booking cap: say so and start over (another "yes" would meet the same cap).
            self.state.clear()
            self.state["step"] = "service"
            return Reply(err.message, [])
        except SlotTaken:
            self.state["step"] = "when"
            slots = scheduling.available_slots(self.tenant, self._service(), start.date())
            if not slots:
                return self._no_slots(self._service(), start.date())
            return self._offer(slots, "taken")
        self.state["step"] = "done"
        return Reply(self._with_reference(self.t["booked"].format(**facts), booking), [], booking)

    # ── helpers ──────────────────────────────────────────────────────────────────────────────

    def _ask_service(self, message: str) -> Reply:
        services = store.list_services(self.tenant["tenantId"])
        return Reply(message, [_qr(s["name"]) for s in services])

    def _ask_when(self) -> Reply:
        return Reply(self.t["when"], self._day_choices())

    def _day_choices(self) -> list[dict]:
        return [_qr(self.t["today"]), _qr(self.t["tomorrow"]), _qr(self.t["day_after"])]

    def _offer(self, slots: list[scheduling.Slot], key: str, **extra) -> Reply:
        chosen = slots[:MAX_SLOT_CHOICES]
        self.state["step"] = "slot"
        self.state["offered"] = [s.start.isoformat() for s in chosen]
        day = say_day(chosen[0].start.date(), self.locale)
        message = self.t[key].format(service=self._service()["name"], day=day, **extra)
        return Reply(message, [_qr(s.start.strftime("%H:%M")) for s in chosen])

    def _no_slots(self, service: dict, day: dt.date) -> Reply:
        self.state["step"] = "when"
        days = scheduling.next_days_with_slots(self.tenant, service, day)
        message = self.t["none_that_day"].format(service=service["name"], day=say_day(day, self.locale))
        return Reply(message, [_qr(short_day(d, self.locale), d.isoformat()) for d in days])

    def _choose(self, slot: scheduling.Slot) -> Reply:
        self.state["start"] = slot.start.isoformat()
        self.state["step"] = "name"
        return Reply(self.t["exact"].format(**self._facts()))

    def _facts(self) -> dict:
        start = dt.datetime.fromisoformat(self.state["start"])
        return {
            "service": self._service()["name"],
            "day": say_day(start.date(), self.locale),
            "time": start.strftime("%H:%M"),
            "name": self.state.get("name", ""),
        }

    def _with_reference(self, message: str, booking: dict) -> str:
        """The short reference the customer can quote (bookings made before references have none)."""
        if not booking.get("reference"):
            return message
        return f"{message} {self.t['reference'].format(reference=booking['reference'])}"

    def _yes_no(self) -> list[dict]:
        return [_qr(self.t["yes"]), _qr(self.t["no"])]

    def _service(self) -> dict:
        return store.get_service(self.tenant["tenantId"], self.state["serviceId"])

    def _match_service(self, text: str) -> dict | None:
        services = store.list_services(self.tenant["tenantId"])
        norm = normalize(text)
        if re.fullmatch(r"\d{1,2}", norm) and 1 <= int(norm) <= len(services):
            return services[int(norm) - 1]
        for service in services:
            if normalize(service["name"]) in norm or service["id"] == norm:
                return service
        words = set(re.findall(r"[a-z]{4,}", norm))
        for service in services:
            if words & set(re.findall(r"[a-z]{4,}", normalize(service["name"]))):
                return service
        return None


def _minutes(at: dt.time) -> int:
    return at.hour * 60 + at.minute


def _hhmm(at: dt.time) -> str:
    return at.strftime("%H:%M")
