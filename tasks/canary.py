"""A widget version for chosen tenants: canary start, set, status, promote, abort."""

from __future__ import annotations

from invoke import task

from tasks._refusals import refusals

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
    from orchestrator.release import canary_watch

    st = cn.status(Path.cwd(), env)
    # The judge over the window since the routing last changed (CloudWatch; same as canary-watch).
    st["health"] = canary_watch.health(st, env)
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


@task(
    help={
        "env": "the environment",
        "bake": "how long each step bakes before it may be raised, e.g. 30m, 1h (default 30m)",
        "steps": "the percentages to raise the canary through, rising (default 5,25,50,100)",
        "interval": "how often to read the metrics during a bake, e.g. 60s (a worse canary aborts at once)",
        "max-wait": "how long a step may stay inconclusive (too few boots) before the watch gives up "
        "(default 3 × bake)",
        "promote": "at the last step, promote the canary instead of stopping at 'ready to promote'",
        "dry-run": "read and judge, change nothing (print what would be done)",
        "json": "print only JSON on stdout",
        "push": "push each manifest commit",
    }
)
@refusals
def canary_watch(
    c, env, bake="30m", steps="5,25,50,100", interval="60s", max_wait="", promote=False, dry_run=False,
    json=False, push=False,
):  # fmt: skip
    """Bake, judge the canary's client error rate against stable's, raise it step by step or abort by itself."""
    from pathlib import Path

    from orchestrator import github, ui
    from orchestrator.release import canary_watch as cw

    if not dry_run:
        ui.sandbox_banner()
    w = cw.run(
        Path.cwd(), env, bake=bake, steps=steps, interval=interval, max_wait=max_wait, promote=promote,
        dry_run=dry_run, push=push, echo=ui.err_console.print, on_event=ui.render_step_event,
    )  # fmt: skip
    if json:
        ui.print_json(w.to_json())
    else:
        ui.err_console.print(f"canary watch {env}: {w.result} — {w.reason}")
    notes = [
        f"{c['percent']:g} % {c['window'][1]}: canary {c['canary']['errors']}/{c['canary']['boots']} vs "
        f"stable {c['stable']['errors']}/{c['stable']['boots']} errors/boots → {c['decision']}"
        for c in w.checks[-20:]
    ]
    github.publish(
        github.Summary(title=f"canary-watch {env}", outcome=f"{w.result}: {w.reason}", env=env, notes=notes)
    )
    if w.exit_code:
        raise SystemExit(w.exit_code)
