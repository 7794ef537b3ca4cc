"""Run a test's runner script in a forked child instead of a new interpreter.

The crash-and-resume tests run a command in a process of its own so it can die at a step
boundary (`os._exit(137)`, as kill -9 would leave it). A new interpreter pays ~0.7 s of imports
each time (three runs a test, ~40 tests); a fork starts with this process's modules already
loaded. The child gets its own environment, argv and output files, and fresh boto3 clients (the
parent's cached clients keep their connections), then runs the script as `__main__` and exits.
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
    script: Path, args: list[str], env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess:
    """Like `subprocess.run([python, script, *args], env=env, capture_output=True, text=True)`."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                # pytest replaced sys.stdout/err with its capture: write to the files instead
                sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 — flushed before _exit
                sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
                os.environ.clear()
                os.environ.update(env)
                _fresh_clients()
                sys.argv = [str(script), *args]
                runpy.run_path(str(script), run_name="__main__")
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
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
    import boto3

    from orchestrator.adapters import aws

    boto3.DEFAULT_SESSION = None
    aws._shared.cache_clear()


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
