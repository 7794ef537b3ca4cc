"""Demo data for local dev: two tenants with services, opening hours and API keys.

The plain demo keys live in `infra/seed/demo.toml` (demo only); only their hashes are written.
`seed(table_name)` is idempotent: a second run rewrites the same items.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

SEED_FILE = Path(__file__).resolve().parents[4] / "infra" / "seed" / "demo.toml"


def load(path: Path | None = None) -> list[dict]:
    with open(path or SEED_FILE, "rb") as fh:
        return tomllib.load(fh)["tenants"]


def api_keys(path: Path | None = None) -> dict[str, str]:
    """tenant id → plain demo API key (for local tools and tests)."""
    return {t["id"]: t["api_key"] for t in load(path)}


def seed(table_name: str, path: Path | None = None, *, create_table: bool = True) -> list[str]:
    """Write the demo tenants into `table_name` (created first when missing); returns their ids."""
    from botocore.exceptions import ClientError

    from backend import runtime, store, table
    from backend.tenants import write_tenant

    client = runtime.dynamodb()
    if create_table:
        try:
            client.describe_table(TableName=table_name)
        except ClientError as err:
            if err.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            table.create_table(client, table_name)
    ids = []
    with runtime.using_table(table_name):
        for tenant in load(path):
            write_tenant(tenant["id"], tenant)
            try:
                store.store_api_key(tenant["id"], tenant["api_key"])
            except ClientError as err:  # already there (maybe rotated away: it stays revoked)
                if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
            ids.append(tenant["id"])
    return ids
