"""Run a script in a forked child instead of a new interpreter.

The crash-and-resume tests run a command in a process of its own so it can die at a step
boundary (`os._exit(137)`, as kill -9 would leave it), and the CLI tests run `inv` as a user
does (tests/gitrepo.py). A new interpreter pays ~0.5 s of imports each time (~150 runs in the
suite); a fork starts with this process's modules already loaded. The child gets its own
environment, working directory, argv, an empty stdin and output files, and fresh boto3 clients
(the parent's cached clients keep their connections), then runs the script as `__main__` and
exits with its code — what the process would have exited with.
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path


def run(
    script: Path, args: list[str], env: dict[str, str], timeout: float = 300, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Like `subprocess.run([python, script, *args], env=env, cwd=cwd, capture_output=True,
    text=True, stdin=subprocess.DEVNULL)`."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                # stdin: /dev/null, never the worker's (pytest-xdist talks to its workers on it)
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdin = open(0, closefd=False)  # noqa: SIM115 — the child exits with os._exit
                # pytest replaced sys.stdout/err with its capture: write to the files instead
                sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 — flushed before _exit
                sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
                os.environ.clear()
                os.environ.update(env)
                if cwd is not None:
                    os.chdir(cwd)
                _fresh_clients()
                sys.argv = [str(script), *args]
                runpy.run_path(str(script), run_name="__main__")
                code = 0
            except SystemExit as exit_:  # as the interpreter reads it: None is 0, a message is 1
                code = 0 if exit_.code is None else exit_.code if isinstance(exit_.code, int) else 1
                if not isinstance(exit_.code, int | None):
                    print(exit_.code, file=sys.stderr)
            except BaseException:  # noqa: BLE001 — reported on stderr, as an interpreter would
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        returncode = _wait(pid, timeout)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(
            [sys.executable, str(script), *args], returncode, out.read().decode(), err.read().decode()
        )


def _fresh_clients() -> None:
    """A new boto3 session (credentials and region read again from the child's environment) and
    no client of the parent's; but the parent's botocore data loader, a cache of the service
    models and endpoint rules read from disk: without it each child paid ~0.2 s reading them."""
    import boto3

    from orchestrator.adapters import aws

    loader = boto3.DEFAULT_SESSION._session.get_component("data_loader") if boto3.DEFAULT_SESSION else None
    boto3.DEFAULT_SESSION = None
    if loader is not None:
        boto3.setup_default_session()
        boto3.DEFAULT_SESSION._session.register_component("data_loader", loader)
    aws.forget_clients()


def _wait(pid: int, timeout: float) -> int:
    import time

    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise subprocess.TimeoutExpired(str(pid), timeout)
        time.sleep(0.02)
