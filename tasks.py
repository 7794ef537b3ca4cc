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
            console.print(f"[bold red]refused:[/] {err.message}", highlight=False, soft_wrap=True)
            if err.hint:
                console.print(f"[dim]→ {err.hint}[/]", highlight=False, soft_wrap=True)
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


# ── versions ─────────────────────────────────────────────────────────────────────────────


@task(
    help={
        "component": "only these components (comma-separated: widget,backend)",
        "channel": "stable (default), beta or alpha: prereleases are X.Y.Z-beta.N",
        "bump": "major, minor or patch instead of what the commits say",
        "dry-run": "print the plan; change nothing (no credentials needed)",
        "json": "print only JSON on stdout",
        "yes": "do not ask for confirmation",
        "push": "push the release commit and tags atomically (when a remote exists)",
    }
)
@refusals
def version(c, component="", channel="stable", bump="", dry_run=False, json=False, yes=False, push=False):
    """Cut new versions: bump, CHANGELOG.md, releases/manifest.json, commit, tags. Publishes nothing."""
    from pathlib import Path

    from orchestrator import ui, versions

    if not dry_run:
        versions.preflight(Path.cwd())  # refuse a dirty or stale tree before anything else
    plan = versions.plan(Path.cwd(), component or None, channel, bump or None)
    if json:
        ui.print_json(plan.to_json())
    else:
        ui.render_version_plan(plan)
    if dry_run or not (plan.releasing or plan.repairs):
        return
    ui.confirm_or_refuse("Write the changelog and manifest, commit and tag?", yes)
    applied = versions.apply(plan, push=push)
    ui.render_version_applied(applied, quiet=json)


@task
def manifest_schema(c):
    """Write releases/manifest.schema.json from the manifest model (the tests check it is current)."""
    from orchestrator.adapters.files import write_atomic
    from orchestrator.core.manifest import json_schema
    from orchestrator.paths import RELEASES

    write_atomic(RELEASES / "manifest.schema.json", json_schema())
    print("wrote releases/manifest.schema.json")
