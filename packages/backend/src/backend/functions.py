"""The Lambda functions (logical name → handler) and which GraphQL field each one resolves.

The infra templates, the packager, `./inv invoke` and the local AppSync server read these two
maps; nothing else names a handler.
"""

FUNCTIONS: dict[str, str] = {
    "authorizer": "backend.authorizer.handler",
    "chat": "backend.chat.handler",
    "bookings": "backend.bookings.handler",
    "admin": "backend.admin.handler",
}

# (parent type, field) → function name. Widget fields authorise with the Lambda authorizer,
# admin fields with the Cognito user pool (see infra/graphql/schema.graphql).
RESOLVERS: dict[tuple[str, str], str] = {
    ("Query", "tenantConfig"): "bookings",
    ("Query", "services"): "bookings",
    ("Query", "availability"): "bookings",
    ("Mutation", "sendMessage"): "chat",
    ("Mutation", "reportClientEvent"): "bookings",
    ("Query", "bookings"): "admin",
    ("Query", "usage"): "admin",
    ("Mutation", "cancelBooking"): "admin",
    ("Mutation", "createTenant"): "admin",
    ("Mutation", "rotateApiKey"): "admin",
    ("Mutation", "setPlan"): "admin",
}
