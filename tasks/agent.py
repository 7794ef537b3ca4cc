"""The Bedrock agent as code: export, import, rollback."""

from __future__ import annotations

from invoke import task

from tasks._refusals import refusals


@task(
    positional=["action"],
    help={
        "action": "export (live → infra/agents/), import (infra/agents/ → ENV), rollback, or tools",
        "env": "the environment (dev, qa, prod; local = the embedded AWS)",
        "agent": "the folder under infra/agents/ (default: the environment's [ai] agent)",
        "to": "rollback: the version to route the alias to (default: the one before)",
        "dry-run": "import/rollback: print the plan and the diff against the live agent; change nothing",
        "json": "print only JSON on stdout",
        "yes": "do not ask for confirmation",
        "push": "push the manifest commit",
        "resume": "import: resume this unfinished import id",
    },
)
@refusals
def agent(c, action, env="", agent="", to="", dry_run=False, json=False, yes=False, push=False, resume=""):
    """Carry a Bedrock agent between git and an environment: export, import, rollback (or regenerate tools)."""
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.agents import cli
    from orchestrator.errors import UserError

    if action not in cli.ACTIONS:
        raise UserError(f"unknown agent action {action!r}", f"use one of: {', '.join(cli.ACTIONS)}")
    if action != "tools" and not env:
        raise UserError(f"./inv agent {action} needs --env ENV", "e.g. ./inv agent export --env dev")
    if action in ("import", "rollback") and not dry_run:
        ui.sandbox_banner()

    def say_err(text: str) -> None:
        ui.err_console.print(text, markup=False, soft_wrap=True)

    result = cli.run(
        Path.cwd(),
        action,
        env,
        agent,
        to=to,
        dry_run=dry_run,
        push=push,
        resume=resume or None,
        echo=say_err,
        on_event=ui.render_step_event,
        confirm=lambda p: (
            cli.render({"plan": p}, say_err),
            ui.confirm_or_refuse(f"{action} agent in {env}?", yes),
        ),
    )
    if json:
        ui.print_json(result)
    else:
        cli.render(result, print)  # plain: diff lines hold brackets rich would read as markup
