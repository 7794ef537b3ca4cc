"""The embedded AWS: moto's server, in-process, on loopback.

Used by `inv local-dev` and by the tests, so both talk to AWS over real HTTP. Every boto3
client honours AWS_ENDPOINT_URL, so pointing that variable here is all it takes.
"""

from __future__ import annotations

import os
import socket
import threading
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
    _list_moto_modules_once()
    _dynamodb_writes_atomic()
    _cloudformation_parses_with_libyaml()
    port = port or free_port()
    if not port_is_free(port):
        raise UserError(f"port {port} is already in use", "choose another one with --aws-port")
    server = _KeepAliveServer("127.0.0.1", port)
    server.start()
    aws = EmbeddedAWS(port=port, _server=server)
    urllib.request.urlopen(f"{aws.endpoint}/moto-api/", timeout=10).read()
    return aws


class _KeepAliveServer:
    """moto's WSGI app served by waitress instead of moto's own werkzeug development server.

    Werkzeug's server answers every request with `Connection: close`, so each AWS call paid a new
    TCP connection on both sides and a new server thread (100 calls, 100 TIME-WAIT sockets).
    AWS keeps connections alive and botocore pools them; waitress does too: ~20 % less CPU per
    call, measured (benchmarks/README.md). Idle kept-alive connections cost no thread here
    (waitress multiplexes them), which is why a thread-per-connection server cannot be used:
    every boto3 client holds its pooled connections open.

    One difference from moto's own handler: waitress drops request headers whose names contain
    "_" (as werkzeug does; moto re-adds them for S3 metadata keys like `x-amz-meta-my_key`). Our
    metadata keys have none; a test that needs one would need moto's server.
    """

    def __init__(self, host: str, port: int) -> None:
        import waitress
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self._server = waitress.create_server(
            DomainDispatcherApplication(create_backend_app),
            host=host,
            port=port,
            # a request may wait on another (a deploy's parallel HEADs, racing bookings): moto's
            # server gave every request its own thread; 32 is more than any of our callers opens
            threads=32,
            # every boto3 client keeps up to 10 pooled connections open; past the limit waitress
            # stops accepting, and a call would hang until an idle one timed out
            connection_limit=2000,
            channel_timeout=60,
            ident="embedded-aws",
        )
        self._server.channel_class = _waitress_as_aws_speaks()
        self._thread = threading.Thread(target=self._server.run, name="embedded-aws", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Close the listening socket and every connection from inside the server's loop (which
        then ends: nothing is left to watch), then stop its worker threads."""

        def close_all() -> None:
            for dispatcher in list(self._server._map.values()):
                dispatcher.close()

        self._server.trigger.pull_trigger(close_all)
        self._thread.join(timeout=10)
        self._server.task_dispatcher.shutdown()


def _waitress_as_aws_speaks():
    """waitress's connection, minus two things AWS clients cannot live with.

    - On `Expect: 100-continue` waitress answers 100 and then waits for the body — forever when
      Content-Length is 0 (botocore sends the header on every S3 PUT, empty ones included: our
      journal markers). With no body to wait for, the request is complete and gets its answer at
      once; botocore takes that answer in place of the 100 (RFC 9110 §10.1.1).
    - waitress capitalizes response header names (`X-Amz-Meta-Sha256`). Names are case-insensitive
      in HTTP, but botocore keeps an S3 user-metadata key as spelled in its header, and S3 sends
      them lower-case: the names go out as moto wrote them.
    """
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser
    from waitress.task import WSGITask

    class Parser(HTTPRequestParser):
        def parse_header(self, header_plus):
            super().parse_header(header_plus)
            if not self.chunked and self.content_length == 0:
                self.expect_continue = False

    class Task(WSGITask):
        def build_response_header(self):
            spelled = {"-".join(w.capitalize() for w in n.split("-")): n for n, _ in self.response_headers}
            head, *lines = super().build_response_header().decode("latin-1").split("\r\n")
            named = []
            for line in lines:
                name, sep, value = line.partition(": ")
                named.append(f"{spelled.get(name, name)}{sep}{value}")
            return "\r\n".join([head, *named]).encode("latin-1")

    class Channel(HTTPChannel):
        parser_class = Parser
        task_class = Task

    return Channel


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


def _cloudformation_parses_with_libyaml() -> None:
    """moto parses every template it is sent (CreateStack, change sets, GetTemplateSummary) with
    PyYAML's pure-Python loader: ~4 % of a test run's CPU (py-spy), our templates being large.
    PyYAML's C loader has the same constructor and resolver, so it builds the same data
    (tests/test_embedded_aws.py compares both over every template in infra/)."""
    import types

    import yaml
    from moto.cloudformation import models, responses

    if not hasattr(yaml, "CLoader") or isinstance(models.yaml, types.SimpleNamespace):
        return
    module = {name: getattr(yaml, name) for name in dir(yaml) if not name.startswith("__")}
    fast = types.SimpleNamespace(**{**module, "Loader": cloudformation_loader()})
    models.yaml = responses.yaml = fast


def cloudformation_loader():
    """PyYAML's C loader with moto's short-form tag constructor (`!Ref`, `!GetAtt`, …)."""
    import yaml
    from moto.cloudformation.utils import yaml_tag_constructor

    class Loader(yaml.CLoader):
        pass

    Loader.add_multi_constructor("", yaml_tag_constructor)
    return Loader


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
