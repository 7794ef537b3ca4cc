"""What runs where and the switches that act on it: status, reconcile, smoke, the AI switch, admins, seed, unlock."""

from __future__ import annotations

from invoke import Exit, task

from tasks._refusals import refusals, run_engine_command
from tasks.infra import _ENGINE_HELP


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


@task(help={"dry-run": "show what would be seeded, change nothing", **_ENGINE_HELP})
@refusals
def seed(c, env, dry_run=False, json=False, push=False, resume=""):
    """Seed an environment: qa's demo tenants (infra/seed/demo.toml) and every env's smoke tenant. Idempotent."""
    from orchestrator.board import seed as seeding

    run_engine_command(
        seeding.run,
        env,
        json,
        dry_run=dry_run,
        push=push,
        resume=resume or None,
    )
