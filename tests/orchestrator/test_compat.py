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
