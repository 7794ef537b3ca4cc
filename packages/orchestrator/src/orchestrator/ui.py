"""Rich rendering of plans, progress and results; kept apart from logic."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

console = Console(highlight=False)


def render_check_results(results) -> None:
    table = Table(title="./inv test", show_edge=False)
    table.add_column("check")
    table.add_column("result")
    table.add_column("seconds", justify="right")
    for r in results:
        table.add_row(r.check.name, "[green]passed[/]" if r.ok else "[bold red]FAILED[/]", f"{r.seconds:.1f}")
    console.print(table)
    failed = [r.check.name for r in results if not r.ok]
    passed = len(results) - len(failed)
    # A plain closing line any CI reader understands.
    console.print(f"checks: {passed} passed, {len(failed)} failed")
