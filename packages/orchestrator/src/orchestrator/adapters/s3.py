"""S3, thinly: private buckets, create-only puts, and content-addressed uploads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from botocore.exceptions import ClientError

from orchestrator.adapters import aws


def client(region: str | None = None):
    return aws.client("s3", region)


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def bucket_exists(s3, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
        return True
    except ClientError as err:
        if _code(err) in ("404", "NoSuchBucket", "NotFound"):
            return False
        raise


def ensure_bucket(s3, bucket: str, region: str) -> bool:
    """Create a private, encrypted, versioned bucket unless it exists. True when created."""
    if bucket_exists(s3, bucket):
        return False
    kwargs = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=bucket, **kwargs)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return True


def exists(s3, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except ClientError as err:
        if _code(err) in ("404", "NoSuchKey", "NotFound"):
            return False
        raise


def put_create_only(
    s3,
    bucket: str,
    key: str,
    body: bytes,
    content_type: str | None = None,
    metadata: dict | None = None,
    **extra,
) -> bool:
    """Write `key` only if it is absent (If-None-Match: *). True when written, False when it existed."""
    if content_type:
        extra["ContentType"] = content_type
    if metadata:
        extra["Metadata"] = metadata
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=body, IfNoneMatch="*", **extra)
        return True
    except ClientError as err:
        if _code(err) in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
            return False
        raise


@dataclass(frozen=True)
class Stored:
    key: str
    sha256: str
    uploaded: bool  # False when the same bytes were already there


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def upload_if_absent(
    s3, bucket: str, body: bytes, prefix: str, suffix: str, content_type: str = ""
) -> Stored:
    """Store bytes under `<prefix><sha256><suffix>`; skipped when that key already exists."""
    digest = sha256(body)
    key = f"{prefix}{digest}{suffix}"
    if exists(s3, bucket, key):
        return Stored(key, digest, False)
    uploaded = put_create_only(s3, bucket, key, body, content_type or "application/octet-stream")
    return Stored(key, digest, uploaded)


def https_url(bucket: str, key: str) -> str:
    """Virtual-hosted URL, the form CloudFormation's TemplateURL takes (and moto needs)."""
    return f"https://{bucket}.s3.amazonaws.com/{key}"
