"""The GraphQL contract loads in graphql-core with AppSync's scalars and directives."""

import pytest
from graphql import graphql_sync, parse, validate

from backend.graphql_schema import APPSYNC_SCALARS, load_schema, load_schema_text

WIDGET_OPERATIONS = """
query TenantConfig { tenantConfig { tenantId name greeting locale timeZone themeColor } }
query Services { services { id name durationMinutes description } }
query Availability($serviceId: ID!, $date: AWSDate!) {
  availability(serviceId: $serviceId, date: $date) { serviceId date slots { start end } }
}
mutation SendMessage($input: SendMessageInput!) {
  sendMessage(input: $input) {
    conversationId message mode quickReplies { label value }
    booking { id reference serviceId serviceName start end customerName status }
  }
}
"""


def test_schema_file_loads_with_appsync_declarations():
    schema = load_schema()
    for name in APPSYNC_SCALARS:
        assert name in schema.type_map
    assert {"tenantConfig", "services", "availability", "bookings"} <= set(schema.query_type.fields)
    assert {"sendMessage", "cancelBooking", "createTenant", "rotateApiKey", "setPlan"} <= set(
        schema.mutation_type.fields
    )


def test_widget_operations_validate_against_the_schema():
    assert validate(load_schema(), parse(WIDGET_OPERATIONS)) == []


def test_widget_and_admin_fields_carry_their_auth_directives():
    schema = load_schema()
    send = schema.mutation_type.fields["sendMessage"].ast_node
    cancel = schema.mutation_type.fields["cancelBooking"].ast_node
    assert [d.name.value for d in send.directives] == ["aws_lambda"]
    assert [d.name.value for d in cancel.directives] == ["aws_cognito_user_pools"]


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01", "01/12/2026"])
def test_malformed_awsdate_is_a_graphql_error(bad):
    result = graphql_sync(
        load_schema(),
        'query A($d: AWSDate!) { availability(serviceId: "corte", date: $d) { date } }',
        variable_values={"d": bad},
    )
    assert result.errors and "AWSDate" in result.errors[0].message


def test_schema_text_from_another_version_loads_too():
    schema = load_schema_text("type Query { ping: AWSDateTime @aws_api_key }")
    assert "ping" in schema.query_type.fields


def test_the_widget_s_own_operations_validate_against_the_schema():
    from pathlib import Path

    ops = Path(__file__).resolve().parents[2] / "widget" / "src" / "api" / "operations.graphql"
    if not ops.exists():
        pytest.skip("the widget has no operations.graphql yet")
    document = parse(ops.read_text(encoding="utf-8"))
    assert validate(load_schema(), document) == []
    assert {d.name.value for d in document.definitions} >= {
        "TenantConfig",
        "Services",
        "Availability",
        "SendMessage",
    }
