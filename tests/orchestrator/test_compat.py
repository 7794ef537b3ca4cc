"""The GraphQL break check, on the real schema and the widget's real operations."""

from pathlib import Path

from graphql import parse

from backend.graphql_schema import load_schema_text
from orchestrator.core.compat import breaks

ROOT = Path(__file__).resolve().parents[2]
SDL = (ROOT / "infra/graphql/schema.graphql").read_text()
SCHEMA = load_schema_text(SDL)


def widget_operations() -> dict[str, str]:
    """operations.graphql split into named operations, as build-info.json records them."""
    text = (ROOT / "widget/src/api/operations.graphql").read_text()
    doc = parse(text)
    return {d.name.value: text[d.loc.start : d.loc.end] for d in doc.definitions}


def test_the_current_widget_validates_against_the_current_schema():
    assert breaks(SCHEMA, {"1.4.0": widget_operations()}) == []


def test_a_removed_field_is_a_break_naming_the_widget_version_and_operation():
    narrower = load_schema_text(SDL.replace("greeting: String!", ""))
    found = breaks(
        narrower,
        {"1.4.0": widget_operations(), "1.3.0": {"Services": "query Services { services { id name } }"}},
    )
    assert [(b.widget_version, b.operation) for b in found] == [("1.4.0", "TenantConfig")]
    assert "greeting" in str(found[0])


def test_an_operation_that_does_not_parse_is_a_break_too():
    assert breaks(SCHEMA, {"1.0.0": {"Broken": "query {"}})[0].operation == "Broken"


# ── which versions a backend must keep serving, and the refusal line ──────────────────────


def _manifest(events: list[dict]):
    from orchestrator.core import manifest as mf

    return mf.Manifest(
        environments={
            "prod": mf.Environment(channels={"stable": "1.4.0", "latest": "1.4.0", "beta": "1.5.0-rc.1"})
        },
        events=[mf.Event(at="2026-11-30T10:00:00Z", by="ana", env="prod", **e) for e in events],
    )


def test_live_widgets_are_every_channel_and_the_active_canary_only():
    from orchestrator.core.compat import live_widgets

    started = {"action": "canary-start", "details": {"canary": {"version": "1.5.0", "state": "active"}}}
    aborted = {"action": "canary-abort", "details": {"canary": {"version": "1.5.0", "state": "aborted"}}}
    promoted_on_canary = {"action": "promote", "details": {"canary": {"version": "1.6.0", "state": "active"}}}
    assert live_widgets(_manifest([started]), "prod") == {
        "1.4.0": ["latest", "stable"],
        "1.5.0-rc.1": ["beta"],
        "1.5.0": ["canary-routing"],
    }
    assert "1.5.0" not in live_widgets(_manifest([started, aborted]), "prod")
    assert live_widgets(_manifest([aborted, promoted_on_canary]), "prod")["1.6.0"] == ["canary-routing"]
    assert live_widgets(_manifest([started]), "qa") == {}


def test_the_refusal_names_the_version_where_it_is_live_and_the_field():
    from orchestrator.core.compat import check, live_widgets, refusal

    narrower = load_schema_text(SDL.replace("greeting: String!", ""))
    where = live_widgets(_manifest([]), "prod")
    result = check(narrower, "2.0.0", where, {"1.4.0": widget_operations()})
    assert result["unrecorded"] == ["1.5.0-rc.1"]
    assert refusal(result) == (
        "backend 2.0.0 breaks widget 1.4.0 on latest/stable: operation TenantConfig: "
        "Cannot query field 'greeting' on type 'TenantConfig'."
    )
    assert refusal(check(SCHEMA, "1.9.0", where, {"1.4.0": widget_operations()})) is None
