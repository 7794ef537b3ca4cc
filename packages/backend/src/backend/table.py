"""The one DynamoDB table per environment (`bookingchat-<env>`), defined once.

`TABLE_DEFINITION` is the keyword arguments of boto3 `create_table` minus `TableName`; the
templates, the local-dev bootstrap and the tests are checked against it. Key shapes are in
`keys` below and documented in `packages/backend/README.md`.
"""

from __future__ import annotations

TABLE_DEFINITION: dict = {
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
        {"AttributeName": "gsi1pk", "AttributeType": "S"},
        {"AttributeName": "gsi1sk", "AttributeType": "S"},
    ],
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "gsi1",
            "KeySchema": [
                {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
}

TTL_ATTRIBUTE = "ttl"
GSI1 = "gsi1"


def table_name(env_name: str) -> str:
    return f"bookingchat-{env_name}"


def create_table(client, name: str) -> None:
    """Create the table with its TTL (local dev and tests; CloudFormation does it on AWS)."""
    client.create_table(TableName=name, **TABLE_DEFINITION)
    client.get_waiter("table_exists").wait(TableName=name)
    client.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
    )


class keys:  # noqa: N801 — a namespace of key builders, read as keys.tenant(...)
    """Every key shape of the single table, in one place."""

    @staticmethod
    def tenant_pk(tenant_id: str) -> str:
        return f"TENANT#{tenant_id}"

    META = "META"

    @staticmethod
    def service(service_id: str) -> str:
        return f"SERVICE#{service_id}"

    @staticmethod
    def booking(booking_id: str) -> str:
        return f"BOOKING#{booking_id}"

    @staticmethod
    def reference(ref: str) -> str:
        return f"REF#{ref}"

    @staticmethod
    def slot(start_utc: str) -> str:
        return f"SLOT#{start_utc}"

    @staticmethod
    def client_token(token: str) -> str:
        return f"TOKEN#{token}"

    @staticmethod
    def conversation(conversation_id: str) -> str:
        return f"CONV#{conversation_id}"

    @staticmethod
    def usage(month: str) -> str:
        return f"USAGE#{month}"

    @staticmethod
    def limit(window_key: str) -> str:
        """A cap's counter for one window (`backend.limits`): swept by TTL when the window ends."""
        return f"LIMIT#{window_key}"

    @staticmethod
    def admin(subject: str) -> str:
        """A tenant's admin: one item per Cognito user (`sub`) under the tenant's partition."""
        return f"ADMIN#{subject}"

    @staticmethod
    def api_key_pk(key_id: str) -> str:
        return f"APIKEY#{key_id}"

    API_KEY_SK = "APIKEY"

    @staticmethod
    def bookings_gsi_pk(tenant_id: str) -> str:
        return f"TENANT#{tenant_id}#BOOKINGS"

    @staticmethod
    def api_keys_gsi_pk(tenant_id: str) -> str:
        return f"TENANT#{tenant_id}#APIKEYS"
