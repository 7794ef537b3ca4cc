"""The stacks: bootstrap, validate, deploy, backend rollback, retiring a colour, teardown."""

from __future__ import annotations

from invoke import Exit, task

from tasks._refusals import refusals, run_engine_command


@task(help={"oidc": "also deploy the account's github-oidc stack (owner/repo from the env's [github])"})
@refusals
def bootstrap(c, env, oidc=False):
    """An environment's prerequisites: the artifact bucket (and the GitHub OIDC stack). Idempotent."""
    from orchestrator import ui
    from orchestrator.deploy import rollout

    rollout.bootstrap(env, oidc=oidc, echo=ui.err_console.print)


@task(positional=["env"], help={"env": "one environment (default: every one)", "no-checkov": "skip checkov"})
@refusals
def validate(c, env="", no_checkov=False):
    """cfn-lint with each environment's parameters, checkov, and our own template rules."""
    from orchestrator import ui
    from orchestrator.quality import validate as v

    findings = v.validate([env] if env else None, with_checkov=not no_checkov)
    for finding in findings:
        ui.console.print(f"[red]✗[/] {finding}", highlight=False)
    ui.console.print(f"validate: {len(findings)} finding(s)" if findings else "validate: clean")
    if findings:
        raise Exit(code=1)


@task(
    help={
        "version": "the backend version this deploy records (default: a digest of the templates)",
        "allow-data-loss": "let a change set replace/remove a table, pool or bucket (never in prod)",
        "dry-run": "create and show the change sets, then stop",
        "json": "print the result as JSON on stdout",
    }
)
@refusals
def deploy(c, env, version="", allow_data_loss=False, dry_run=False, json=False):
    """Package and deploy an environment's stacks (prod: blue/green through the API domain)."""
    from orchestrator.deploy import backend_commands

    run_engine_command(
        backend_commands.deploy,
        env,
        json,
        version=version,
        allow_data_loss=allow_data_loss,
        dry_run=dry_run,
    )


_ENGINE_HELP = {
    "dry-run": "show the plan, change nothing",
    "json": "print the result as JSON on stdout",
    "push": "push the manifest commit that records it",
    "resume": "resume this unfinished operation id (see ./inv status)",
}


@task(help={"to": "the recorded version to go back to (default: the previous one)", **_ENGINE_HELP})
@refusals
def rollback_backend(c, env, to="", dry_run=False, json=False, push=False, resume=""):
    """Prod: switch back to the previous colour. Elsewhere: redeploy an earlier release by digest. Recorded."""
    from orchestrator.deploy import backend_commands

    run_engine_command(
        backend_commands.rollback_backend,
        env,
        json,
        to=to,
        dry_run=dry_run,
        push=push,
        resume=resume or None,
    )


@task(help=_ENGINE_HELP)
@refusals
def retire_colour(c, env, dry_run=False, json=False, push=False, resume=""):
    """After the bake: delete the colour that is not live (never the live one)."""
    from orchestrator.deploy import backend_commands

    run_engine_command(
        backend_commands.retire_colour,
        env,
        json,
        dry_run=dry_run,
        push=push,
        resume=resume or None,
    )


@task(
    help={
        "include-data": "also delete the data stack (its table and user pool are retained)",
        "allow-prod": "needed to tear down prod",
        "confirm": "the typed confirmation, bookingchat-<env> (asked for when missing)",
        **_ENGINE_HELP,
    }
)
@refusals
def teardown(
    c, env, include_data=False, allow_prod=False, confirm="", dry_run=False, json=False, push=False, resume=""
):
    """Delete an environment's stacks in reverse order; prod and data need flags and a confirmation."""
    import sys

    from orchestrator.deploy import backend_commands

    if (env == "prod" or include_data) and not confirm and not dry_run and sys.stdin.isatty():
        confirm = input(f"type bookingchat-{env} to confirm: ").strip()
    run_engine_command(
        backend_commands.teardown,
        env,
        json,
        include_data=include_data,
        allow_prod=allow_prod,
        confirm=confirm,
        dry_run=dry_run,
        push=push,
        resume=resume or None,
    )
