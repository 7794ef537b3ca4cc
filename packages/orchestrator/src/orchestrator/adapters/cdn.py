"""The widget on the CDN: version directories and channel pointers in the widget bucket,
content-addressed artifacts in the artifact bucket, invalidations in CloudFront.

Thin: boto3 inside, no decisions. Every object carries its sha256 (and version) as metadata,
so a step can check the real system before acting and verify after.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError  # noqa: F401 — re-exported for callers

from orchestrator.adapters import aws
from orchestrator.adapters import s3 as s3a

IMMUTABLE = "public, max-age=31536000, immutable"
CHANNEL = "public, max-age=300"
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".map": "application/json",
    ".json": "application/json",
}


def content_type(name: str) -> str:
    return next((t for ext, t in CONTENT_TYPES.items() if name.endswith(ext)), "application/octet-stream")


def s3():
    return aws.client("s3")


def cloudfront():
    return aws.client("cloudfront")


@dataclass(frozen=True)
class Head:
    sha256: str | None
    version: str | None
    cache_control: str | None
    content_type: str | None
    etag: str


def head(bucket: str, key: str) -> Head | None:
    try:
        r = s3().head_object(Bucket=bucket, Key=key)
    except ClientError as err:
        if err.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    meta = r.get("Metadata", {})
    return Head(
        meta.get("sha256"), meta.get("version"), r.get("CacheControl"), r.get("ContentType"), r["ETag"]
    )


def put_create_only(bucket: str, key: str, body: bytes, sha256: str, **extra) -> bool:
    """Upload unless the key exists, its sha256 as metadata. True when this call created it."""
    return s3a.put_create_only(s3(), bucket, key, body, metadata={"sha256": sha256}, **extra)


def put(bucket: str, key: str, body: bytes, *, cache_control: str, metadata: dict) -> None:
    """Write a small mutable object (the canary routing object): replaced whole, never appended."""
    s3().put_object(
        Bucket=bucket,
        Key=key,
        Body=body,
        CacheControl=cache_control,
        ContentType=content_type(key),
        Metadata=metadata,
    )


def copy(src_bucket: str, src_key: str, bucket: str, key: str, *, cache_control: str, metadata: dict) -> None:
    """Server-side copy with new headers: no bytes leave AWS."""
    s3().copy_object(
        Bucket=bucket,
        Key=key,
        CopySource={"Bucket": src_bucket, "Key": src_key},
        MetadataDirective="REPLACE",
        CacheControl=cache_control,
        ContentType=content_type(key),
        Metadata=metadata,
    )


def get_bytes(bucket: str, key: str) -> bytes:
    return s3().get_object(Bucket=bucket, Key=key)["Body"].read()


def bucket_exists(bucket: str) -> bool:
    return s3a.bucket_exists(s3(), bucket)


def invalidate(distribution_id: str, paths: list[str], caller_reference: str) -> str:
    r = cloudfront().create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": len(paths), "Items": paths},
            "CallerReference": caller_reference,
        },
    )
    return r["Invalidation"]["Id"]


def invalidation_status(distribution_id: str, invalidation_id: str) -> str:
    return cloudfront().get_invalidation(DistributionId=distribution_id, Id=invalidation_id)["Invalidation"][
        "Status"
    ]


def wait_invalidation(
    distribution_id: str,
    invalidation_id: str,
    tick: Callable[[str], None] = lambda s: None,
    timeout: float = 1200,
) -> None:
    deadline = time.monotonic() + timeout
    delay = 2.0
    # AWS says "Completed"; the embedded AWS says "COMPLETED".
    while (status := invalidation_status(distribution_id, invalidation_id)).lower() != "completed":
        tick(status)
        if time.monotonic() > deadline:
            raise TimeoutError(f"invalidation {invalidation_id} still {status} after {timeout:.0f}s")
        time.sleep(delay)
        delay = min(delay * 1.5, 20)
    tick(status)


def distribution_exists(distribution_id: str) -> bool:
    try:
        cloudfront().get_distribution(Id=distribution_id)
        return True
    except ClientError:
        return False


def copy_verbatim(src_bucket: str, key: str, bucket: str) -> bool:
    """Server-side copy of an object, same key and metadata, unless it is already there."""
    if head(bucket, key) is not None:
        return False
    s3().copy_object(
        Bucket=bucket, Key=key, CopySource={"Bucket": src_bucket, "Key": key}, MetadataDirective="COPY"
    )
    return True
