"""Errors a user can fix become one red line, a hint and exit code 2 (no traceback)."""

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
