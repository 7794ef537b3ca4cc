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
