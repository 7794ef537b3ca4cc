"""The repo itself: every check (`./inv test`), the locks, the manifest schema, an environment's config."""

from __future__ import annotations

from invoke import Exit, task

from tasks._refusals import refusals


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

    from orchestrator import ui
    from orchestrator.quality import checks

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


@task
def manifest_schema(c):
    """Write releases/manifest.schema.json from the manifest model (the tests check it is current)."""
    from orchestrator.adapters.files import write_atomic
    from orchestrator.core.manifest import json_schema
    from orchestrator.paths import RELEASES

    write_atomic(RELEASES / "manifest.schema.json", json_schema())
    print("wrote releases/manifest.schema.json")


@task(help={"json": "print as JSON"})
@refusals
def config(c, env, json=False):
    """Every setting of an environment, and where its value came from."""
    from rich.table import Table

    from orchestrator import environments, ui

    rows = environments.load(env).as_rows()
    if json:
        ui.print_json({k: {"value": v, "source": s} for k, v, s in rows})
        return
    table = Table(title=f"{env} configuration", show_edge=False)
    for column in ("key", "value", "from"):
        table.add_column(column)
    for key, value, source in rows:
        table.add_row(key, repr(value), source)
    ui.console.print(table)
