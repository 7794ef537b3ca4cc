"""GraphQL compatibility: would a backend's schema break a widget version still in use? Pure.

Every widget release records the operations it sends (build-info.json → the manifest). A
backend may be deployed only if each of those operations still validates against its schema.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLSchema, parse, validate
from graphql.error import GraphQLSyntaxError


@dataclass(frozen=True)
class Break:
    widget_version: str
    operation: str
    reason: str

    def __str__(self) -> str:
        return f"widget {self.widget_version} operation {self.operation}: {self.reason}"


def breaks(schema: GraphQLSchema, widgets: dict[str, dict[str, str]]) -> list[Break]:
    """`widgets`: widget version → {operation name → document}. Every operation that no longer validates.

    `schema` is loaded by the caller (`backend.graphql_schema.load_schema_text` declares AppSync's
    scalars and directives once), so this stays pure: data in, data out."""
    found = []
    for version, operations in sorted(widgets.items()):
        for name, document in sorted(operations.items()):
            try:
                errors = validate(schema, parse(document))
            except GraphQLSyntaxError as err:
                errors = [err]
            if errors:
                found.append(Break(version, name, errors[0].message))
    return found


# ── which widget versions a backend must keep serving (pure: the manifest in) ─────────────


def live_widgets(manifest, env: str) -> dict[str, list[str]]:
    """widget version → where it is live in `env`: each channel (alpha/beta/canary/stable/latest)
    and `canary-routing` for the version the routing object sends tenants to (the newest canary
    command in the manifest left it `active`). These are the versions whose visitors call the
    backend being deployed, so each must still validate against its schema."""
    state = manifest.environments.get(env)
    where: dict[str, list[str]] = {}
    for channel, version in sorted((state.channels if state else {}).items()):
        where.setdefault(version, []).append(channel)
    last = next(
        (
            e
            for e in reversed(manifest.events)
            if e.env == env and (e.action.startswith("canary-") or "canary" in e.details)
        ),
        None,
    )
    canary = (last.details.get("canary") or {}) if last else {}
    if canary.get("state") == "active" and canary.get("version"):
        where.setdefault(canary["version"], []).append("canary-routing")
    return where


def check(
    schema: GraphQLSchema,
    backend: str,
    where: dict[str, list[str]],
    operations: dict[str, dict[str, str]],
) -> dict:
    """The check's result as the plan shows it: which versions were checked against which backend
    and every break, each naming the version, where it is live and the field that broke."""
    found = breaks(schema, {v: operations.get(v, {}) for v in where})
    return {
        "backend": backend,
        "checked": {v: where[v] for v in sorted(where)},
        "unrecorded": sorted(v for v in where if not operations.get(v)),
        "breaks": [
            {
                "version": b.widget_version,
                "channels": where[b.widget_version],
                "operation": b.operation,
                "reason": b.reason,
            }
            for b in found
        ],  # fmt: skip
    }


def refusal(result: dict) -> str | None:
    """One line naming the first break (and how many more), or None when nothing breaks."""
    if not result["breaks"]:
        return None
    b = result["breaks"][0]
    more = len(result["breaks"]) - 1
    return (
        f"backend {result['backend']} breaks widget {b['version']} on {'/'.join(b['channels'])}: "
        f"operation {b['operation']}: {b['reason']}" + (f" (and {more} more)" if more else "")
    )
