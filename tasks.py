"""Invoke tasks: parse arguments, call one orchestrator function, render, map errors to exit codes.

No logic lives here that a test cannot reach without Invoke. Imports of the orchestrator stay
inside the tasks so `./inv --list` stays fast.
"""

from __future__ import annotations

import functools

from invoke import Exit, task


def refusals(fn):
    """Turn a UserError into one red line, a hint and exit code 2 (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from orchestrator.errors import UserError

        try:
            return fn(*args, **kwargs)
        except UserError as err:
            from rich.console import Console

            console = Console(stderr=True)
            console.print(f"[bold red]refused:[/] {err.message}", highlight=False)
            if err.hint:
                console.print(f"[dim]→ {err.hint}[/]", highlight=False)
            raise Exit(code=err.exit_code) from None

    return wrapper


# ── the repo ────────────────────────────────────────────────────────────────────────────


@task(
    help={
        "only": "run only the checks whose name contains this text (e.g. pytest, widget)",
        "pytest-args": 'extra arguments for pytest, e.g. "-k version -x"',
        "update-snapshots": "refresh the browser tests' visual baselines",
    }
)
@refusals
def test(c, only="", pytest_args="", update_snapshots=False):
    """Run every check the repo has (ruff, pytest, the widget's lint/tests/build/budget, …)."""
    import os
    import shlex

    from orchestrator import checks, ui

    if update_snapshots:
        os.environ["UPDATE_SNAPSHOTS"] = "1"
    selected = [ch for ch in checks.all_checks(shlex.split(pytest_args)) if only in ch.name]
    results = checks.run(selected, echo=ui.console.print)
    ui.render_check_results(results)
    if not all(r.ok for r in results):
        raise Exit(code=1)


@task
def lock(c):
    """Refresh the hash-pinned Python lock files (requirements/*.lock) from requirements/*.in."""
    from orchestrator.paths import ROOT

    for src in sorted((ROOT / "requirements").glob("*.in")):
        out = src.with_suffix(".lock")
        c.run(
            f"uv pip compile {src.relative_to(ROOT)} --generate-hashes --python-version 3.11 "
            f"-o {out.relative_to(ROOT)} -q",
            env={"UV_CUSTOM_COMPILE_COMMAND": "./inv lock"},
        )
        print(f"locked {out.relative_to(ROOT)}")
