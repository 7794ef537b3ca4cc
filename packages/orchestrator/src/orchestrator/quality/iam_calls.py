"""Recording every AWS API call this process makes, and WHO made it.

A botocore hook on `provide-client-params.*.*` (the first event of every API call, before
parameter validation, retries or a Stubber answer) sees the service, the operation and the
caller's parameters. It must be registered on the session BEFORE a client is created: a client
copies its session's handlers when it is made, so an older client goes unrecorded. Hence
`Recorder.install()` hooks boto3's default session (where `boto3.client(...)` makes its
clients) and drops the orchestrator's shared clients; other callers drop their cached clients
afterwards (e.g. `backend.runtime.reset()`).

Attribution ("principal"): the innermost frame on the stack whose code is a known entry point
(a Lambda handler, see `handler_entry_points`; or a whole module, `(module, "*")`, such as the
sandbox emulation, which is SETUP); otherwise the `acting_as(name)` scope of this thread (a
contextvar: a new thread starts without it). A call with neither is recorded with principal None:
fixture and seeding work wraps itself in `acting_as(SETUP)`, so any other None is a call we
could not attribute (a thread that lost the contextvar, say) and the contract refuses it.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

SETUP = "setup"  # test fixtures, seeding: made by nobody in production

_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("iam_actor", default=None)


@contextlib.contextmanager
def acting_as(principal: str) -> Iterator[None]:
    """Attribute the AWS calls made in this scope (this thread/task) to `principal`."""
    token = _actor.set(principal)
    try:
        yield
    finally:
        _actor.reset(token)


def handler_entry_points(functions: Mapping[str, str]) -> dict[tuple[str, str], str]:
    """{(module, function): name} from a name → "module.function" map (backend.functions.FUNCTIONS)."""
    out = {}
    for name, dotted in functions.items():
        module, _, fn = dotted.rpartition(".")
        out[(module, fn)] = name
    return out


@dataclass(frozen=True)
class Call:
    principal: str | None
    service: str  # botocore's service name (the boto3 client name), e.g. "bedrock-runtime"
    operation: str  # the API operation, e.g. "PutItem"
    params: dict = field(compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.principal or '<unattributed>'}: {self.service}.{self.operation}"


def _snapshot(value):
    """A copy of the parameters that later mutation cannot change; bodies/streams become a tag."""
    if isinstance(value, Mapping):
        return {k: _snapshot(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_snapshot(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return f"<{type(value).__name__}>"


class Recorder:
    """Collects `Call`s while installed; thread-safe."""

    _EVENT = "provide-client-params.*.*"

    def __init__(self, entry_points: Mapping[tuple[str, str], str] | None = None):
        self.entry_points = dict(entry_points or {})
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._session = None
        self._uid = f"iam-recorder-{id(self)}"

    def install(self, session=None) -> Recorder:
        """Hook `session` (default: boto3's default session). Clients made before are not seen."""
        if session is None:
            import boto3

            session = boto3._get_default_session()  # what boto3.client()/resource() use
        session.events.register(self._EVENT, self._on_call, unique_id=self._uid)
        self._session = session
        from orchestrator.adapters import aws  # boto3, as above: only when recording

        # The orchestrator's shared clients (adapters/aws) were made before the hook and would go
        # unrecorded: a contract test after any other test in the process saw no release's S3 calls.
        aws.forget_clients()
        return self

    def uninstall(self) -> None:
        if self._session is not None:
            self._session.events.unregister(self._EVENT, unique_id=self._uid)
            self._session = None
            from orchestrator.adapters import aws

            aws.forget_clients()  # the ones made while recording keep the hook

    def __enter__(self) -> Recorder:
        return self.install() if self._session is None else self

    def __exit__(self, *exc) -> None:
        self.uninstall()

    def principal(self) -> str | None:
        # The innermost known entry point on the stack is the most specific answer (emulation
        # code inside a command is SETUP, a handler inside a test is that function); else the
        # acting_as() scope of this thread.
        frame = sys._getframe(1)
        while frame is not None:
            module = frame.f_globals.get("__name__")
            name = self.entry_points.get((module, frame.f_code.co_name)) or self.entry_points.get(
                (module, "*")
            )
            if name:
                return name
            frame = frame.f_back
        return _actor.get()

    def _on_call(self, params, model, **_kwargs):
        call = Call(self.principal(), model.service_model.service_name, model.name, _snapshot(params))
        with self._lock:
            self.calls.append(call)
        # returning None leaves the parameters untouched

    def by_principal(self) -> dict[str | None, list[Call]]:
        out: dict[str | None, list[Call]] = {}
        for call in self.calls:
            out.setdefault(call.principal, []).append(call)
        return out
