"""Run a Lambda handler on this machine with a sample event: `./inv invoke FUNCTION --event FILE`.

In-process against the embedded AWS — the one `inv local-dev` runs (AWS_ENDPOINT_URL or
`.local/embedded-aws.json`), or else a throwaway one seeded with the demo tenants. Never real
AWS. `--sam` hands over to `sam local invoke` when `sam` and a Docker engine are present.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from backend.functions import FUNCTIONS
from orchestrator.local import emf
from orchestrator.paths import ROOT

EVENTS = ROOT / "packages" / "backend" / "events"
LOCAL_STATE = ROOT / ".local" / "embedded-aws.json"
SAM_LOGICAL_IDS = {
    "authorizer": "AuthorizerFunction",
    "chat": "ChatAgentFunction",
    "bookings": "BookingsFunction",
    "admin": "AdminFunction",
}


class InvokeRefused(Exception):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass
class Invocation:
    function: str
    event_path: Path
    endpoint: str
    throwaway: bool
    result: object = None
    error: dict | None = None


def resolve_function(name: str) -> str:
    wanted = name.lower().removesuffix("function")
    for fn, logical in SAM_LOGICAL_IDS.items():
        if wanted in (fn, logical.lower().removesuffix("function")):
            return fn
    raise InvokeRefused(f"unknown function {name!r}", f"choose one of: {', '.join(FUNCTIONS)}")


def resolve_event(event: str) -> Path:
    for candidate in (Path(event), EVENTS.parent / event, EVENTS / event, EVENTS / f"{event}.json"):
        if candidate.is_file():
            return candidate.resolve()
    samples = ", ".join(sorted(p.name for p in EVENTS.glob("*.json")))
    raise InvokeRefused(
        f"no event file {event!r}", f"give a path, or one of packages/backend/events/: {samples}"
    )


def sam_invoke(function: str, event_path: Path) -> int:
    missing = [tool for tool in ("sam", "docker") if not shutil.which(tool)]
    if "docker" not in missing:
        engine = subprocess.run(["docker", "info"], capture_output=True, timeout=20)
        if engine.returncode != 0:
            missing.append("a running Docker engine")
    if missing:
        raise InvokeRefused(
            f"--sam needs {' and '.join(missing)}, which this machine does not have",
            "run without --sam: the handler then runs in-process against the embedded AWS",
        )
    cmd = ["sam", "local", "invoke", SAM_LOGICAL_IDS[function], "-e", str(event_path)]
    return subprocess.run(cmd, cwd=ROOT).returncode


def running_endpoint() -> str | None:
    if os.environ.get("AWS_ENDPOINT_URL"):
        return os.environ["AWS_ENDPOINT_URL"]
    if LOCAL_STATE.is_file():
        return json.loads(LOCAL_STATE.read_text()).get("endpoint")
    return None


def invoke(function: str, event: str, on_endpoint=lambda endpoint, throwaway: None) -> Invocation:
    """Run FUNCTIONS[function] in-process with the event; returns its result or its GraphQL error."""
    from backend import runtime
    from backend.errors import GraphQLUserError

    function = resolve_function(function)
    event_path = resolve_event(event)
    payload = json.loads(event_path.read_text(encoding="utf-8"))
    endpoint, server = running_endpoint(), None
    if endpoint is None:
        from orchestrator.local import embedded_aws

        server = embedded_aws.start()
        endpoint = server.endpoint
    on_endpoint(endpoint, server is not None)
    saved = dict(os.environ)
    try:
        os.environ.update({**_fake_credentials(), "AWS_ENDPOINT_URL": endpoint})
        os.environ.pop("AWS_PROFILE", None)
        os.environ.setdefault("TABLE_NAME", "bookingchat-local")
        os.environ.setdefault("ENV_NAME", "local")
        os.environ.setdefault("POWERTOOLS_SERVICE_NAME", f"bookingchat-{function}")
        runtime.reset()
        _ensure_seeded(os.environ["TABLE_NAME"])
        _ensure_sample_admin(payload)
        if server is not None:
            # The emulator has no Bedrock runtime: a throwaway sandbox answers with the guided flow.
            runtime.ssm().put_parameter(
                Name=runtime.disable_ia_param(), Value="true", Type="String", Overwrite=True
            )
        module, attr = FUNCTIONS[function].rsplit(".", 1)
        handler = getattr(importlib.import_module(module), attr)
        context = SimpleNamespace(
            aws_request_id=str(uuid.uuid4()), function_name=f"bookingchat-local-{function}"
        )
        run = Invocation(function, event_path, endpoint, server is not None)
        try:
            with emf.forwarding():  # CloudWatch's EMF processing, emulated (local/emf.py)
                run.result = handler(payload, context)
        except GraphQLUserError as err:
            run.error = {"errorType": err.error_type, "errorMessage": err.message}
        return run
    finally:
        os.environ.clear()
        os.environ.update(saved)
        runtime.reset()
        if server is not None:
            server.stop()


def _fake_credentials() -> dict[str, str]:
    # Always fake ones: whatever is in the shell, nothing here may reach a real account.
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    }


def _ensure_sample_admin(payload: dict) -> None:
    """A sample admin event names a made-up Cognito user; give it the admin record that
    `./inv admin-create` would have written, so the sample runs (embedded AWS only — see invoke)."""
    from backend import store

    claims = (payload.get("identity") or {}).get("claims") or {}
    tenant_id, subject = claims.get("custom:tenantId"), claims.get("sub")
    if tenant_id and subject and not store.is_admin(tenant_id, subject):
        store.put_admin(tenant_id, subject, f"sample-admin@{tenant_id}.test")


def _ensure_seeded(table_name: str) -> None:
    from botocore.exceptions import ClientError

    from backend import runtime, seed

    try:
        runtime.dynamodb().describe_table(TableName=table_name)
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        seed.seed(table_name)
