"""Creating tenants: validation of their configuration, then the writes (admin and seed share it)."""

from __future__ import annotations

import re
import secrets
import unicodedata

from backend import store
from backend.errors import BadInput

LOCALES = ("es", "en")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_GREETING = {
    "es": "¡Hola! ¿Quieres reservar una cita?",
    "en": "Hi! Would you like to book an appointment?",
}


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40] or "tenant"


def validate_config(raw: dict) -> dict:
    from backend.scheduling import WEEKDAYS, parse_range, tz_of

    name = " ".join(str(raw.get("name") or "").split())
    if not 1 <= len(name) <= 80:
        raise BadInput("a tenant name is 1 to 80 characters")
    locale = str(raw.get("locale") or "").lower()[:2]
    if locale not in LOCALES:
        raise BadInput(f"locale must be one of {', '.join(LOCALES)}")
    tz_of({"timeZone": raw.get("timeZone")})
    color = raw.get("themeColor") or "#1976d2"
    if not COLOR.match(color):
        raise BadInput("themeColor looks like #1a2b3c")
    plan = raw.get("plan") or "FREE"
    if plan not in store.PLAN_LIMITS:
        raise BadInput(f"unknown plan {plan!r}")
    hours = raw.get("openingHours") or {}
    if isinstance(hours, list):  # GraphQL input: [{day, ranges}]
        hours = {h["day"]: h["ranges"] for h in hours}
    for day, ranges in hours.items():
        if day not in WEEKDAYS or not isinstance(ranges, list):
            raise BadInput(f"opening hours: use mon … sun and ranges like 09:00-14:00 (got {day}: {ranges})")
        for text in ranges:
            parse_range(text)  # one parser for config and scheduling: "24:00" closes at midnight
    config = {
        "name": name,
        "greeting": raw.get("greeting") or DEFAULT_GREETING[locale],
        "locale": locale,
        "timeZone": raw["timeZone"],
        "themeColor": color,
        "plan": plan,
        "openingHours": {d: list(r) for d, r in hours.items()},
        "slotStepMinutes": int(raw.get("slotStepMinutes") or 30),
    }
    if raw.get("monthlyTokenLimit") is not None:
        config["monthlyTokenLimit"] = int(raw["monthlyTokenLimit"])
    return config


def validate_service(raw: dict, position: int) -> dict:
    name = " ".join(str(raw.get("name") or "").split())
    minutes = raw.get("durationMinutes")
    if not name or len(name) > 80:
        raise BadInput("a service name is 1 to 80 characters")
    if not isinstance(minutes, int) or not 15 <= minutes <= 480 or minutes % store.GRID_MINUTES:
        raise BadInput(f"a service lasts 15 to 480 minutes in steps of {store.GRID_MINUTES}")
    return {
        "id": raw.get("id") or slugify(name),
        "name": name,
        "durationMinutes": minutes,
        "description": raw.get("description"),
        "position": position,
    }


def write_tenant(tenant_id: str, raw: dict, *, only_new: bool = False) -> None:
    config = validate_config(raw)
    services = [validate_service(s, i) for i, s in enumerate(raw.get("services") or [])]
    store.put_tenant(tenant_id, config, only_new=only_new)
    for service in services:
        store.put_service(tenant_id, service)


def new_tenant(raw: dict) -> tuple[str, str]:
    """Create a tenant with a fresh id and its first API key; returns (tenant id, plain key)."""
    from botocore.exceptions import ClientError

    tenant_id = f"{slugify(str(raw.get('name') or ''))}-{secrets.token_hex(3)}"
    try:
        write_tenant(tenant_id, raw, only_new=True)
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise BadInput("that tenant id was just taken; try again") from None
        raise
    _key_id, plain = store.new_api_key()
    store.store_api_key(tenant_id, plain)
    return tenant_id, plain
