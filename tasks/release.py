"""Versions, releases, promotions, channel moves, yanks, the prod checklist, abandoning an operation."""

from __future__ import annotations

from invoke import task

from tasks._refusals import refusals


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
