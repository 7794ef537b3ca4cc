"""The embedded AWS: moto's server, in-process, on loopback.

Used by `inv local-dev` and by the tests, so both talk to AWS over real HTTP. Every boto3
client honours AWS_ENDPOINT_URL, so pointing that variable here is all it takes.
"""

from __future__ import annotations

import os
import socket
import urllib.request
from dataclasses import dataclass, field

from orchestrator.errors import UserError

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    """True when a server could listen on 127.0.0.1:port now.

    Checked the way our servers bind (moto's werkzeug server and http.server both set
    SO_REUSEADDR): connections of a stopped run that sit in TIME_WAIT do not make the port busy,
    a socket still listening does.
    """
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class EmbeddedAWS:
    """A running moto server. `env` is what a process needs to target it."""

    port: int
    _server: object = field(default=None, repr=False)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": self.endpoint}

    def reset(self) -> None:
        """Empty every service (moto's own reset endpoint)."""
        req = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(req, timeout=10).read()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


def start(port: int | None = None) -> EmbeddedAWS:
    """Start moto's server on 127.0.0.1 (a free port when none is given)."""
    from moto.server import ThreadedMotoServer  # heavy import: only when starting one

    _list_moto_modules_once()
    _dynamodb_writes_atomic()
    port = port or free_port()
    if not port_is_free(port):
        raise UserError(f"port {port} is already in use", "choose another one with --aws-port")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    aws = EmbeddedAWS(port=port, _server=server)
    urllib.request.urlopen(f"{aws.endpoint}/moto-api/", timeout=10).read()
    return aws


def _list_moto_modules_once() -> None:
    """moto's server lists its own package directory on every request, to route it (os.listdir
    and an isdir per service: ~10 % of a test run's CPU, profiled with py-spy). The directory
    never changes while the server runs: list it once."""
    from moto import backends

    if getattr(backends.list_of_moto_modules, "listed_once", False):
        return
    modules = tuple(backends.list_of_moto_modules())

    def listed() -> tuple[str, ...]:
        return modules

    listed.listed_once = True
    backends.list_of_moto_modules = listed


def _dynamodb_writes_atomic() -> None:
    """A conditional write is atomic per item on AWS; moto checks the condition, then writes, with
    no lock, and its server runs every request in a thread of its own — so two requests could both
    pass `attribute_not_exists` and both "win" (seen: six visitors racing for one slot, none
    booked, once the machine was busy). One lock around moto's DynamoDB writes restores AWS's rule;
    reads stay concurrent."""
    import functools
    import threading

    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend, "_writes_atomic", False):
        return
    lock = threading.RLock()

    def atomic(method):
        @functools.wraps(method)
        def locked(*args, **kwargs):
            with lock:
                return method(*args, **kwargs)

        return locked

    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"):
        if hasattr(DynamoDBBackend, name):
            setattr(DynamoDBBackend, name, atomic(getattr(DynamoDBBackend, name)))
    DynamoDBBackend._writes_atomic = True


def apply_env(aws: EmbeddedAWS) -> None:
    """Point this process's boto3 clients at the embedded AWS."""
    os.environ.update(aws.env)
