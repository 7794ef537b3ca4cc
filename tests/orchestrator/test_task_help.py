"""`./inv TASK --help` prints the task's help for every task (the wrapper turns it into
`--help TASK`; Invoke alone would take `--help` as the task's positional environment).

The wrapper's rewrite does not depend on the task, so it is run as a subprocess for a few tasks;
every task's own help is then asked of Invoke in this process (36 subprocesses cost ~30 s)."""

from __future__ import annotations

import json
import subprocess

import pytest
from invoke.main import program

from orchestrator.paths import ROOT


def _inv(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "inv"), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def task_names() -> list[str]:
    listing = json.loads(_inv("--list", "--list-format", "json").stdout)
    return [t["name"] for t in listing["tasks"]]


def test_every_task_is_listed(task_names):
    assert {"release", "promote", "deploy", "bootstrap", "local-dev", "test"} <= set(task_names)


@pytest.mark.parametrize(
    "argv", [("bootstrap", "--help"), ("deploy", "dev", "-h"), ("canary", "start", "--help")]
)
def test_the_wrapper_turns_help_after_the_task_into_that_tasks_help(argv):
    done = _inv(*argv)
    name = "canary-start" if argv[0] == "canary" else argv[0]
    assert done.returncode == 0, f"./inv {' '.join(argv)}: {done.stderr.strip()}"
    assert f"Usage: inv[oke] [--core-opts] {name} " in done.stdout


def test_every_tasks_help_prints(task_names, capsys):
    for name in task_names:
        program.run(["invoke", "--search-root", str(ROOT), "--help", name], exit=False)
        out = capsys.readouterr().out
        assert f"Usage: inv[oke] [--core-opts] {name} " in out, name
