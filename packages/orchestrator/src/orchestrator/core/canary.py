"""The canary routing object and the routing decision: which app version a tenant's loader loads.

One small JSON object per environment on the CDN (`/canary/routing.json`) says which version is
on canary, its app's SRI digest, the chosen tenants and the percentage. The loader every tenant
embeds (`widget/src/loader/routing.js`) takes the same decision as `decide` here, byte for byte:
both are checked against one shared vector file (`widget/test/canary-vectors.json`).

Rules (the loader's and this module's):
- only a loader served from `latest`/`stable` is routed; a pinned `/v1.4.0/` or a `beta` tag is
  the tenant's explicit choice and is never routed;
- a tenant is in when its digest is in `tenants`, or its bucket is below `percent_bp`
  (basis points, 0–10000): bucketing by tenant, never by visitor, so a business sees one version;
- bucket = fnv1a32(str(fnv1a32(salt ":" tenant))) % 10000 over UTF-8 bytes (GrowthBook's v2
  double hash: one FNV alone correlates neighbouring ids). The salt is fixed per environment and
  version, so raising the percentage only adds tenants and an aborted canary restarts the same;
- tenants are published as sha256(salt ":" tenant) hex, not raw ids: the object is public and a
  list of ids would publish who our customers are;
- anything malformed, an unknown schema or a state other than `active` (`idle`, `aborted`,
  `promoted`) → stable (None).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from orchestrator.errors import UserError

SCHEMA = 1
KEY = "canary/routing.json"
PATH = f"/{KEY}"
CACHE_CONTROL = "public, max-age=60"  # short: abort reaches every page within a minute, plus invalidation
BUCKETS = 10_000
ROUTED_CHANNELS = ("latest", "stable")
_SRI = re.compile(r"^sha384-[A-Za-z0-9+/]{64}$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def fnv1a32(data: bytes) -> int:
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def bucket(salt: str, tenant: str) -> int:
    inner = fnv1a32(f"{salt}:{tenant}".encode())
    return fnv1a32(str(inner).encode()) % BUCKETS


def tenant_digest(salt: str, tenant: str) -> str:
    return hashlib.sha256(f"{salt}:{tenant}".encode()).hexdigest()


def salt_for(env: str, version: str) -> str:
    return f"{env}:{version}"


def parse_percent(text: str | float | int) -> int:
    """`25`, `2.5`, `0.01` → basis points; anything else is refused."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise UserError(
            f"--percent {text!r} is not a number", "give a percentage from 0 to 100, e.g. 10"
        ) from None
    bp = round(value * 100) if 0 <= value <= 100 else -1  # NaN and infinities fail the range check
    if bp < 0 or abs(bp - value * 100) > 1e-6:
        raise UserError(f"--percent {text} is out of range or finer than 0.01", "give 0–100 in steps of 0.01")
    return bp


def parse_tenants(text: str) -> list[str]:
    tenants = sorted({t.strip() for t in (text or "").split(",") if t.strip()})
    if bad := [t for t in tenants if not _TENANT.match(t)]:
        raise UserError(
            f"not a tenant id: {', '.join(bad)}", "tenant ids are letters, digits, '.', '_' or '-'"
        )
    return tenants


def routing_object(
    *,
    env: str,
    state: str,
    stable: str | None,
    version: str | None = None,
    integrity: str | None = None,
    percent_bp: int = 0,
    tenants: list[str] = (),
    since: str | None = None,
    updated: str,
) -> dict:
    """The object as written to the CDN. `tenants` are raw ids here; the object carries digests."""
    obj: dict[str, Any] = {"schema": SCHEMA, "env": env, "state": state, "stable": stable, "updated": updated}
    if state == "active":
        if not version or not integrity or not _SRI.match(integrity):
            raise ValueError("an active canary needs a version and the sha384 SRI of its app")
        salt = salt_for(env, version)
        obj["canary"] = {
            "version": version,
            "integrity": integrity,
            "salt": salt,
            "percent_bp": percent_bp,
            "tenants": sorted(tenant_digest(salt, t) for t in tenants),
            "since": since or updated,
        }
    return obj


def routing_body(obj: dict) -> bytes:
    return (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode()


def active_canary(obj: Any) -> dict | None:
    """The canary part of a well-formed, active routing object, else None (→ stable)."""
    if not isinstance(obj, dict) or obj.get("schema") != SCHEMA or obj.get("state") != "active":
        return None
    c = obj.get("canary")
    if not isinstance(c, dict):
        return None
    version, integrity, salt = c.get("version"), c.get("integrity"), c.get("salt")
    percent, tenants = c.get("percent_bp"), c.get("tenants")
    if not (isinstance(version, str) and _VERSION.match(version)):
        return None
    if not (isinstance(integrity, str) and _SRI.match(integrity)) or not isinstance(salt, str):
        return None
    if type(percent) is not int or not 0 <= percent <= BUCKETS:
        return None
    if not isinstance(tenants, list) or not all(isinstance(t, str) for t in tenants):
        return None
    return c


def decide(obj: Any, tenant: str, channel: str | None, own_version: str) -> dict | None:
    """`{version, integrity}` of the app to load instead of the loader's own, or None (own app)."""
    if channel not in ROUTED_CHANNELS or not tenant:
        return None
    c = active_canary(obj)
    if c is None or c["version"] == own_version:
        return None
    chosen = tenant_digest(c["salt"], tenant) in c["tenants"] or bucket(c["salt"], tenant) < c["percent_bp"]
    return {"version": c["version"], "integrity": c["integrity"]} if chosen else None
