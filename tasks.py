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
            word = "refused" if err.exit_code == 2 else "failed"
            console.print(f"[bold red]{word}:[/] {err.message}", highlight=False, soft_wrap=True)
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


# ── the backend ─────────────────────────────────────────────────────────────────────────


@task(
    help={
        "function": "authorizer, chat, bookings or admin (SAM names like ChatAgentFunction work too)",
        "event": "an event file: a path, or a file name in packages/backend/events/",
        "sam": "hand over to `sam local invoke` (needs sam and a Docker engine)",
    }
)
@refusals
def invoke(c, function, event="", sam=False):
    """Run one Lambda handler locally with an event, against the embedded AWS (never real AWS)."""
    import json as _json

    from orchestrator import ui
    from orchestrator.errors import UserError
    from orchestrator.local import invoke as local_invoke

    try:
        fn = local_invoke.resolve_function(function)
        if sam:
            raise Exit(code=local_invoke.sam_invoke(fn, local_invoke.resolve_event(event or fn)))
        run = local_invoke.invoke(
            fn,
            event or fn,
            on_endpoint=lambda endpoint, throwaway: ui.err_console.print(
                f"[bold yellow]SANDBOX[/] {endpoint}"
                + (" (throwaway, demo tenants seeded)" if throwaway else "")
            ),
        )
    except local_invoke.InvokeRefused as err:
        raise UserError(err.message, err.hint) from None
    print(_json.dumps(run.error or run.result, indent=2, ensure_ascii=False, default=str))
    if run.error:
        raise Exit(code=1)


@task(help={"arch": "x86_64 (default, or $BACKEND_ARCH) or arm64", "out": "output folder"})
@refusals
def package_backend(c, arch="", out="build/backend"):
    """Build one deterministic zip per Lambda function (+ .sha256) with its Lambda-platform deps."""
    from pathlib import Path

    from orchestrator.deploy.packaging import package_backend as build
    from orchestrator.paths import ROOT

    build(ROOT / out if not Path(out).is_absolute() else Path(out), arch=arch or None)


@task(help={"version": "the widget version to stamp (default $WIDGET_VERSION, else 0.0.0-dev)"})
@refusals
def build_widget(c, version=""):
    """Build the widget once into widget/build/ (loader, app, UMD, maps, build-info.json)."""
    import os

    import semver

    from orchestrator.adapters.npm import run_script
    from orchestrator.errors import UserError

    version = version or os.environ.get("WIDGET_VERSION", "") or "0.0.0-dev"
    if not semver.Version.is_valid(version):
        raise UserError(f"{version!r} is not a semantic version", "give one like 1.4.0 or 1.5.0-beta.2")
    run_script("build:widget", env={**os.environ, "WIDGET_VERSION": version})


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

    from orchestrator import ui
    from orchestrator.release import version as versions

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


# ── the release pipeline ─────────────────────────────────────────────────────────────────


@task(
    help={
        "env": "the environment to release to (dev by default)",
        "channel": "stable, beta or alpha; in CI the branch decides (releases/components.toml [branches])",
        "component": "only these components (comma-separated)",
        "bump": "major, minor or patch instead of what the commits say",
        "dry-run": "print the plan; change nothing (no credentials needed)",
        "json": "print only JSON on stdout",
        "yes": "do not ask for confirmation",
        "push": "push the release commit and tags atomically at the end",
        "no-wait": "do not wait for the CloudFront invalidation to complete",
        "resume": "resume this unfinished release id (see ./inv status)",
        "abandon": "close this unfinished release id without finishing it (needs --reason)",
        "reason": "why it is abandoned (recorded in its journal)",
    }
)
@refusals
def release(
    c,
    env="dev",
    channel="",
    component="",
    bump="",
    dry_run=False,
    json=False,
    yes=False,
    push=False,
    no_wait=False,
    resume="",
    abandon="",
    reason="",
):
    """Release: versions, changelog, build once, publish, deploy, move channels, invalidate, smoke, tag."""
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.ci import default_channel
    from orchestrator.release import release as rel

    if abandon:
        closed = rel.abandon(Path.cwd(), env, abandon, reason)
        if json:
            ui.print_json(closed)
        else:
            ui.err_console.print(f"abandoned {abandon}: {reason}")
            ui.err_console.print(
                f"live now: {closed['live_channels']} (steps that had run: {closed['steps_done']})"
            )
        return

    req = rel.Request(
        env=env,
        channel=channel or default_channel(),
        component=component or None,
        bump=bump or None,
        push=push,
    )
    if dry_run:
        plan = rel.plan(Path.cwd(), req)
        ui.print_json({"plan": plan}) if json else ui.render_release_plan(plan)
        return
    ui.sandbox_banner()
    outcome = rel.run(
        Path.cwd(),
        req,
        resume=resume or None,
        wait=not no_wait,
        echo=ui.err_console.print,
        on_event=ui.render_step_event,
        confirm=lambda plan: (ui.render_release_plan(plan), ui.confirm_or_refuse("Release this plan?", yes)),
    )
    ui.render_outcome(outcome, json=json)
    ui.publish_summary("release", outcome)


# ── the release board: status, reconcile, smoke, ia, unlock ─────────────────────────────────


@task(help={"env": "one environment (default: every one)", "json": "print as JSON", "last": "events shown"})
@refusals
def status(c, env="", json=False, last=5):
    """The release board: backend, colours, channels, events, unfinished releases and DRIFT (exit 0)."""
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.board import status as board

    rows = board.collect(Path.cwd(), [env] if env else None, last=int(last))
    if json:
        ui.print_json({"environments": [r.to_json() for r in rows]})
    else:
        ui.sandbox_banner()
        ui.render_status(rows)


@task(
    help={
        "dry-run": "show which pointers would be put back; change nothing",
        "yes": "do not ask for confirmation",
        "json": "print the result as JSON",
        "no-wait": "do not wait for the CloudFront invalidation",
        "push": "push the manifest commit",
    }
)
@refusals
def reconcile(c, env, dry_run=False, yes=False, json=False, no_wait=False, push=False):
    """Put an environment's channel pointers back to what the manifest says (one invalidation)."""
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.board import reconcile as rec

    ui.sandbox_banner()
    if not dry_run:
        preview = rec.run(Path.cwd(), env, dry_run=True)
        if preview.moves:
            ui.render_reconcile(preview, dry_run=True)
            ui.confirm_or_refuse(f"Put {env}'s pointers back?", yes)
    result = rec.run(Path.cwd(), env, dry_run=dry_run, wait=not no_wait, push=push, echo=ui.err_console.print)
    ui.print_json(result.to_json()) if json else ui.render_reconcile(result, dry_run)


@task(
    help={
        "json": "print the result as JSON",
        "no-record": "do not record the smoke event in the manifest",
        "push": "push the manifest commit",
    }
)
@refusals
def smoke(c, env, json=False, no_record=False, push=False):
    """Smoke-test an environment: CDN files vs the manifest's digests, GraphQL health, tenantConfig, a chat."""
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.board import smoke as smoke_test

    ui.sandbox_banner()
    result = smoke_test.run(Path.cwd(), env, record=not no_record, push=push)
    ui.print_json(result.to_json()) if json else ui.render_smoke(result.report)
    if not result.report.ok:
        raise Exit(code=1)


@task(
    positional=["state", "env"],
    help={
        "state": "off (guided flow, DISABLE_IA=true) or on",
        "dry-run": "show, change nothing",
        "push": "push",
    },
)
@refusals
def ia(c, state, env, dry_run=False, json=False, push=False):
    """The AI safety switch: `./inv ia off ENV` → DISABLE_IA=true (guided flow); `on` → false."""
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.board import ai_switch as switch

    ui.sandbox_banner()
    result = switch.flip(Path.cwd(), env, state, dry_run=dry_run, push=push)
    ui.print_json(result.to_json()) if json else ui.render_ia(result, dry_run)


@task(
    positional=["env"],
    help={
        "tenant": "the tenant id the admin administers (e.g. acme-dental)",
        "email": "the admin's email: their username; Cognito mails them a temporary password",
        "no-invite": "create the user without Cognito's invitation mail",
        "json": "print as JSON",
    },
)
@refusals
def admin_create(c, env, tenant="", email="", no_invite=False, json=False):
    """Make EMAIL an admin of TENANT in ENV: the Cognito user (declared attributes only) + its admin record."""
    from orchestrator import ui
    from orchestrator.board import admins

    ui.sandbox_banner()
    made = admins.create(env, tenant, email, invite=not no_invite)
    if json:
        ui.print_json(made.__dict__)
    else:
        word = "created" if made.created else "already existed; admin record written"
        ui.console.print(
            f"[green]{made.email}[/] {word} — admin of {made.tenant_id} in {env}", highlight=False
        )


@task(
    positional=["env", "journal_id"],
    help={"reason": "why (recorded in its journal)", "json": "print the closed journal as JSON"},
)
@refusals
def abandon(c, env, journal_id, reason="", json=False):
    """Close an unfinished operation (deploy, promote, seed…) without finishing it, so it blocks nothing."""
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.adapters import git as gitx
    from orchestrator.engine import operation, target

    closed = operation.abandon(
        target.place(env), env, journal_id, gitx.who(gitx.open_repo(Path.cwd())), reason
    )
    if json:
        ui.print_json(
            {"abandoned": closed.id, "kind": closed.kind, "reason": reason, "steps": list(closed.steps)}
        )
    else:
        ui.err_console.print(
            f"abandoned {closed.kind} {closed.id} (steps that had run: {list(closed.steps) or 'none'})"
        )


@task(
    help={"yes": "do not ask for confirmation", "force": "break a lease that has not expired (its run stops)"}
)
@refusals
def unlock(c, env, yes=False, force=False):
    """Break an environment's stale lease (shows who holds it, asks first; a live one needs --force)."""
    from orchestrator import ui
    from orchestrator.engine import lease as lock
    from orchestrator.engine import target

    place = target.place(env)
    held = lock.read_held(place.artifact_bucket, env)
    ui.render_lease(env, held.lease if held else None)
    if held is None:
        return
    ui.confirm_or_refuse(f"Break {env}'s lease held by {held.lease.holder}?", yes)
    lock.break_lease(place.artifact_bucket, env, held, force=force)  # only the lease shown, by its ETag
    ui.err_console.print(f"{env}: lease broken")


# ── infrastructure: stacks, validate, deploy, blue/green, rollback, teardown ──────────────


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
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.deploy import backend_commands

    result = backend_commands.deploy(
        Path.cwd(),
        env,
        version=version,
        allow_data_loss=allow_data_loss,
        dry_run=dry_run,
        echo=ui.err_console.print,
        on_event=ui.render_step_event,
    )
    ui.print_json(result) if json else ui.render_operation(result)


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
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.deploy import backend_commands

    result = backend_commands.rollback_backend(
        Path.cwd(),
        env,
        to=to,
        dry_run=dry_run,
        push=push,
        resume=resume or None,
        echo=ui.err_console.print,
        on_event=ui.render_step_event,
    )
    ui.print_json(result) if json else ui.render_operation(result)


@task(help=_ENGINE_HELP)
@refusals
def retire_colour(c, env, dry_run=False, json=False, push=False, resume=""):
    """After the bake: delete the colour that is not live (never the live one)."""
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.deploy import backend_commands

    result = backend_commands.retire_colour(
        Path.cwd(),
        env,
        dry_run=dry_run,
        push=push,
        resume=resume or None,
        echo=ui.err_console.print,
        on_event=ui.render_step_event,
    )
    ui.print_json(result) if json else ui.render_operation(result)


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
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.deploy import backend_commands

    if (env == "prod" or include_data) and not confirm and not dry_run and sys.stdin.isatty():
        confirm = input(f"type bookingchat-{env} to confirm: ").strip()
    result = backend_commands.teardown(
        Path.cwd(),
        env,
        include_data=include_data,
        allow_prod=allow_prod,
        confirm=confirm,
        dry_run=dry_run,
        push=push,
        resume=resume or None,
        echo=ui.err_console.print,
        on_event=ui.render_step_event,
    )
    ui.print_json(result) if json else ui.render_operation(result)


@task(help={"dry-run": "show what would be seeded, change nothing", **_ENGINE_HELP})
@refusals
def seed(c, env, dry_run=False, json=False, push=False, resume=""):
    """Seed an environment: qa's demo tenants (infra/seed/demo.toml) and every env's smoke tenant. Idempotent."""
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.board import seed as seeding

    result = seeding.run(
        Path.cwd(),
        env,
        dry_run=dry_run,
        push=push,
        resume=resume or None,
        echo=ui.err_console.print,
        on_event=ui.render_step_event,
    )
    ui.print_json(result) if json else ui.render_operation(result)


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
    """The whole ladder (set up, release, promote qa/prod, both rollbacks) in a throwaway clone + AWS."""
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


@task(
    help={
        "env": "the environment (prod by default)",
        "channel": "latest (= stable, the default), beta, alpha or canary",
        "to": "the version to go back to (default: the channel's previous good version)",
        "dry-run": "show what would move; change nothing",
        "json": "print only JSON on stdout",
        "yes": "do not ask for confirmation",
        "push": "push the manifest commit",
        "no-wait": "do not wait for the invalidation",
        "resume": "resume this unfinished rollback id",
    }
)
@refusals
def rollback_widget(
    c,
    env="prod",
    channel="latest",
    to="",
    dry_run=False,
    json=False,
    yes=False,
    push=False,
    no_wait=False,
    resume="",
):
    """Point a channel back at the previous good widget version: one copy, one invalidation, recorded."""
    _move_channel("rollback-widget", env, channel, to or None, "", dry_run, json, yes, push, no_wait, resume)


@task(
    positional=["channel", "version"],
    help={
        "env": "the environment",
        "reason": "why (recorded in the manifest)",
        "dry-run": "show what would move; change nothing",
        "json": "print only JSON on stdout",
        "yes": "do not ask for confirmation",
        "push": "push the manifest commit",
        "no-wait": "do not wait for the invalidation",
    },
)
@refusals
def set_channel(
    c, channel, version, env, reason="", dry_run=False, json=False, yes=False, push=False, no_wait=False
):
    """Point CHANNEL (e.g. canary, for chosen tenants) at an existing widget VERSION in one environment."""
    _move_channel("set-channel", env, channel, version, reason, dry_run, json, yes, push, no_wait, "")


def _move_channel(kind, env, channel, to, reason, dry_run, json, yes, push, no_wait, resume):
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.release import rollback

    if not dry_run:
        ui.sandbox_banner()
    plan, outcome = rollback.run(
        Path.cwd(),
        kind,
        env,
        channel,
        to=to,
        reason=reason,
        dry_run=dry_run,
        push=push,
        wait=not no_wait,
        resume=resume or None,
        echo=ui.err_console.print,
        on_event=ui.render_step_event,
        confirm=lambda p: (ui.render_channel_plan(p), ui.confirm_or_refuse(f"{kind}?", yes)),
    )
    if json:
        ui.print_json({"plan": plan, "journal": outcome.journal.id if outcome and outcome.journal else None})
    elif outcome is None or outcome.journal is None:
        ui.render_channel_plan(plan)
    if not dry_run:
        ui.publish_summary(kind, outcome)


@task(
    positional=["version"],
    help={
        "reason": "why it must never be served again",
        "push": "push the manifest commit",
        "yes": "do not ask",
        "dry-run": "check the version and say which channels still serve it; change nothing",
        "json": "print the result as JSON on stdout",
    },
)
@refusals
def yank(c, version, reason="", yes=False, push=False, dry_run=False, json=False):
    """Yank a widget VERSION: never promoted, rolled back or pointed to again (nothing is deleted)."""
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.release.yank import yank as do_yank

    if not dry_run:
        ui.confirm_or_refuse(f"Yank widget {version}?", yes)
    still = do_yank(Path.cwd(), version, reason, push=push, dry_run=dry_run)
    if json:
        ui.print_json({"version": version, "yanked": not dry_run, "still_served_by": still})
        return
    ui.err_console.print(f"[yellow]{'would yank' if dry_run else 'yanked'}[/] widget {version}")
    if still:
        ui.err_console.print(
            f"still served by {', '.join(still)} — roll those back with ./inv rollback-widget"
        )


@task(
    positional=["env"],
    help={
        "env": "qa or prod (the ladder is dev → qa → prod)",
        "version": "what to promote, e.g. widget=1.4.0,backend=2.1.0 (default: what the previous environment runs)",
        "approve": "the manual approval (in CI: given by the GitHub environment's reviewers)",
        "approver": "who approved (default: the git identity); in CI the environment's reviewer",
        "review": "CI: a file with GitHub's deployment review JSON; the approver is ENV's reviewer",
        "checklist": "prod: the checklist file bound to the plan hash (see --dry-run)",
        "dry-run": "print the plan and its hash; change nothing",
        "checklist-template": "with --dry-run: print a checklist to fill in for this plan",
        "json": "print only JSON on stdout",
        "yes": "do not ask for confirmation",
        "push": "push the manifest commit",
        "no-wait": "do not wait for the invalidation",
        "resume": "resume this unfinished promotion id",
        "canary": "route only N % of tenants to the promoted widget (latest does not move; ./inv canary-promote later)",
        "canary-tenants": "route only these tenants to the promoted widget, e.g. salon-luna (with or without --canary)",
    },
)
@refusals
def promote(
    c,
    env,
    version="",
    approve=False,
    approver="",
    review="",
    checklist="",
    dry_run=False,
    checklist_template=False,
    json=False,
    yes=False,
    push=False,
    no_wait=False,
    resume="",
    canary="",
    canary_tenants="",
):
    """Promote the same bytes and templates to qa or prod: approval, checklist, blue/green, recorded."""
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.adapters import git as gitx
    from orchestrator.core import checklist as cl
    from orchestrator.core.release_plan import plan_hash
    from orchestrator.release import promote as prom

    if review:
        from orchestrator.adapters import files
        from orchestrator.core import approvals

        approver = approvals.environment_approver(files.read_text(Path(review), default="[]"), env)
    if not dry_run:
        ui.sandbox_banner()
    plan, outcome = prom.run(
        Path.cwd(),
        env,
        version,
        prom.Approval(
            approve=approve,
            checklist=Path(checklist) if checklist else None,
            approver=cl.valid_approver(approver) if approver else None,
        ),
        dry_run=dry_run,
        push=push,
        wait=not no_wait,
        resume=resume or None,
        echo=ui.err_console.print,
        on_event=ui.render_step_event,
        confirm=lambda p: (ui.render_promotion_plan(p), ui.confirm_or_refuse(f"Promote to {env}?", yes)),
        canary={"percent": canary, "tenants": canary_tenants} if canary or canary_tenants else None,
    )
    if dry_run and checklist_template and plan:
        print(cl.template(plan_hash(plan), gitx.who(gitx.open_repo(Path.cwd()))), end="")
    elif json:
        ui.print_json({"plan": plan, "plan_hash": plan_hash(plan) if plan else None})
    elif outcome is None or outcome.journal is None:
        ui.render_promotion_plan(plan)
    if not dry_run:
        ui.publish_summary("promote", outcome)


@task(
    help={
        "out": "the checklist file to write (then: ./inv promote prod --checklist FILE)",
        "plan-hash": "the plan hash printed by `./inv promote prod --dry-run` (sha256:<64 hex>)",
        "confirmed": "true when every item was checked (the tool verifies each one too)",
        "approver": "who approved: a GitHub login or an e-mail address",
        "review": "instead of --approver: a file with GitHub's deployment review JSON for this run",
        "environment": "with --review: the GitHub environment whose approval counts (default prod)",
    }
)
@refusals
def checklist(c, out, plan_hash, confirmed="false", approver="", review="", environment="prod"):
    """Write the prod checklist from validated inputs with a TOML writer (CI never `printf`s one)."""
    from pathlib import Path

    from orchestrator.adapters import files
    from orchestrator.core import approvals
    from orchestrator.core import checklist as cl
    from orchestrator.errors import UserError

    if bool(approver) == bool(review):
        raise UserError("give exactly one of --approver and --review", "in CI: --review FILE")
    if review:
        text = files.read_text(Path(review), default="")
        if not text:
            raise UserError(f"deployment review {review} is missing or empty", approvals.HINT)
        approver = approvals.environment_approver(text, environment)
    files.write_atomic(Path(out), cl.render(plan_hash, approver, confirmed))
    print(approver)


# ── Bedrock agents as code (infra/agents/; docs/deployment/README.md "The agent") ───────────


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


# ── canary: a widget version for chosen tenants (issue 13) ──────────────────────────────
# One task per action (`canary-start VERSION`, not `canary start VERSION`): Invoke requires every
# positional argument, so one `canary ACTION [VERSION]` task cannot take `status` without a version.

_CANARY_HELP = {
    "env": "the environment",
    "tenants": "tenant ids that get the canary, e.g. salon-luna,demo-clinic",
    "percent": "the share of all tenants, 0–100 (a stable hash of the tenant id picks them)",
    "reason": "why (recorded in the manifest)",
    "dry-run": "show the plan; change nothing",
    "json": "print only JSON on stdout",
    "yes": "do not ask for confirmation",
    "push": "push the manifest commit",
    "no-wait": "do not wait for the invalidation",
}


@task(positional=["version"], help={"version": "the released widget version", **_CANARY_HELP})
@refusals
def canary_start(
    c, version, env, tenants=None, percent="", reason="", dry_run=False, json=False, yes=False, push=False,
    no_wait=False,
):  # fmt: skip
    """Route chosen tenants (--tenants) and/or N % of tenants (--percent) to widget VERSION's app."""
    _canary("start", env, version, tenants, percent, reason, dry_run, json, yes, push, no_wait)


@task(help=_CANARY_HELP)
@refusals
def canary_set(
    c, env, tenants=None, percent="", reason="", dry_run=False, json=False, yes=False, push=False,
    no_wait=False,
):  # fmt: skip
    """Change the active canary's tenant list (replaces it) and/or percentage (e.g. raise it step by step)."""
    _canary("set", env, None, tenants, percent, reason, dry_run, json, yes, push, no_wait)


_CANARY_END_HELP = {k: v for k, v in _CANARY_HELP.items() if k not in ("tenants", "percent")}


@task(help=_CANARY_END_HELP)
@refusals
def canary_promote(c, env, reason="", dry_run=False, json=False, yes=False, push=False, no_wait=False):
    """The canary version becomes stable/latest for everyone (channel move + invalidation, recorded)."""
    _canary("promote", env, None, None, "", reason, dry_run, json, yes, push, no_wait)


@task(help=_CANARY_END_HELP)
@refusals
def canary_abort(c, env, reason="", dry_run=False, json=False, yes=False, push=False, no_wait=False):
    """Everyone back on stable at once (the routing object says nobody; invalidated; recorded)."""
    _canary("abort", env, None, None, "", reason, dry_run, json, yes, push, no_wait)


@task(help={"env": "the environment", "json": "print only JSON on stdout"})
@refusals
def canary_status(c, env, json=False):
    """The environment's canary: version, tenants, percentage, since when (from the CDN and the manifest)."""
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.release import canary as cn

    st = cn.status(Path.cwd(), env)
    if json:
        ui.print_json(st)
    else:
        ui.render_canary_status(st)


def _canary(action, env, version, tenants, percent, reason, dry_run, json, yes, push, no_wait):
    from pathlib import Path

    from orchestrator import ui
    from orchestrator.release import canary as cn

    if not dry_run:
        ui.sandbox_banner()
    plan, outcome = cn.run(
        Path.cwd(),
        action,
        env,
        version=version,
        tenants=tenants,
        percent=percent or None,
        reason=reason,
        dry_run=dry_run,
        push=push,
        wait=not no_wait,
        echo=ui.err_console.print,
        on_event=ui.render_step_event,
        confirm=lambda p: (ui.render_canary_plan(p), ui.confirm_or_refuse(f"{p['kind']}?", yes)),
    )
    if json:
        ui.print_json({"plan": plan, "journal": outcome.journal.id if outcome and outcome.journal else None})
    elif outcome is None or outcome.journal is None:
        ui.render_canary_plan(plan)
    if not dry_run:
        ui.publish_summary(plan["kind"] if plan else f"canary-{action}", outcome)
