"""The platform on one machine: local-dev and the rehearsal of the whole ladder."""

from __future__ import annotations

from invoke import Exit, task

from tasks._refusals import refusals


@task(
    help={
        "aws-port": "port of the embedded AWS (default 4566)",
        "graphql-port": "port of the local AppSync (default 4000)",
        "cdn-port": "port of the local CDN and demo pages (default 8080)",
        "widget-dev": "also run the widget's Vite dev server (hot reload) against the local GraphQL",
        "dynamodb": "embedded (default) or docker (amazon/dynamodb-local, when a Docker engine answers)",
        "sentry-dsn": "the widget reports its errors to this DSN (default: none, the SDK is never loaded)",
    }
)
@refusals
def local_dev(
    c, aws_port=4566, graphql_port=4000, cdn_port=8080, widget_dev=False, dynamodb="embedded", sentry_dsn=""
):
    """The whole platform on this machine: embedded AWS, local GraphQL, local CDN, demo pages."""
    from orchestrator.errors import UserError
    from orchestrator.local import dev as ld

    if dynamodb not in ("embedded", "docker"):
        raise UserError(f"unknown --dynamodb {dynamodb!r}", "use embedded or docker")
    ports = {"aws_port": int(aws_port), "graphql_port": int(graphql_port), "cdn_port": int(cdn_port)}
    ld.run_interactive(ld.Options(**ports, widget_dev=widget_dev, dynamodb=dynamodb, sentry_dsn=sentry_dsn))


@task(help={"keep": "keep the throwaway clone and say where", "json": "print only the summary as JSON"})
@refusals
def rehearse(c, keep=False, json=False):
    """The whole ladder (set up, release, promote, the canary ladder, rollbacks) in a throwaway clone + AWS."""
    from orchestrator import ui
    from orchestrator.local import rehearse as rh

    def progress(step):
        if step.result == "running":
            ui.err_console.print(f"[dim]→ {step.step}: {step.what}…[/]", highlight=False)

    summary = rh.run(keep=keep, on_step=progress)
    if json:
        ui.print_json(summary.to_json())
    else:
        rh.render(summary, ui.console)
    if summary.exit_code:
        raise Exit(code=summary.exit_code)
