"""What every task shares: user errors as one red line and exit 2; an engine command run and rendered."""

from __future__ import annotations

import functools

from invoke import Exit


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
            word = "refused" if err.exit_code == 2 else "failed"
            console.print(f"[bold red]{word}:[/] {err.message}", highlight=False, soft_wrap=True)
            if err.hint:
                console.print(f"[dim]→ {err.hint}[/]", highlight=False, soft_wrap=True)
            raise Exit(code=err.exit_code) from None

    return wrapper


def run_engine_command(command, env: str, json: bool, **options):
    """Run one engine command (deploy, rollback-backend, seed, …) on this repository and render it.

    Progress goes to stderr step by step; the result is printed as JSON (`--json`) or rendered.
    """
    from pathlib import Path

    from orchestrator import ui

    result = command(Path.cwd(), env, echo=ui.err_console.print, on_event=ui.render_step_event, **options)
    ui.print_json(result) if json else ui.render_operation(result)
    return result
