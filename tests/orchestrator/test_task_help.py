"""`./inv TASK --help` prints the task's help for every task (the wrapper turns it into
`--help TASK`; Invoke alone would take `--help` as the task's positional environment)."""

from __future__ import annotations

import json
import subprocess

from orchestrator.paths import ROOT


def _inv(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "inv"), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def _task_names() -> list[str]:
    listing = json.loads(_inv("--list", "--list-format", "json").stdout)
    return [t["name"] for t in listing["tasks"]]


def test_every_task_is_listed():
    names = _task_names()
    assert {"release", "promote", "deploy", "bootstrap", "local-dev", "test"} <= set(names)


def test_task_help_after_the_task_name_prints_that_tasks_help():
    for name in _task_names():
        done = _inv(name, "--help")
        assert done.returncode == 0, f"./inv {name} --help: {done.stderr.strip()}"
        assert f"Usage: inv[oke] [--core-opts] {name} " in done.stdout, name


def test_short_help_flag_after_positional_arguments():
    done = _inv("deploy", "dev", "-h")
    assert done.returncode == 0, done.stderr
    assert "Usage: inv[oke] [--core-opts] deploy " in done.stdout
