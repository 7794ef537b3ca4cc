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


def print_json(data) -> None:
    """JSON alone on stdout (for scripts); everything else goes to stderr."""
    import json
    import sys

    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")


err_console = Console(stderr=True, highlight=False)


def confirm_or_refuse(question: str, yes: bool) -> None:
    """--yes skips the question; without a terminal (and without --yes) refuse rather than hang."""
    import sys

    from rich.prompt import Confirm

    from orchestrator.errors import UserError

    if yes:
        return
    if not sys.stdin.isatty():
        raise UserError("no terminal to confirm on", "pass --yes to go ahead without a prompt")
    if not Confirm.ask(question, console=err_console, default=False):
        raise UserError("not confirmed", "nothing was changed")


def render_version_plan(plan) -> None:
    table = Table(title=f"inv version — channel {plan.channel}", show_edge=False)
    for col in ("component", "current", "next", "bump", "commits"):
        table.add_column(col)
    for name, p in plan.components.items():
        d = p.decision
        commits = "\n".join(
            f"{c.commit.short_sha} {c.type or ''}{'!' if c.breaking else ''}: {c.subject}" for c in d.commits
        )
        table.add_row(
            name,
            str(d.current or "—"),
            f"[bold green]{d.next}[/]" if d.next else f"[dim]{d.reason}[/]",
            (d.bump.label if d.bump else "") or ("first" if d.current is None else ""),
            commits,
        )
    err_console.print(table)
    for tag, sha in plan.repairs:
        err_console.print(f"[yellow]repair:[/] tag {tag} is missing; it will be created at {sha[:7]}")
    if not plan.releasing and not plan.repairs:
        err_console.print("Nothing to release.")


def render_version_applied(applied, quiet: bool = False) -> None:
    if quiet:
        return
    if applied.commit:
        err_console.print(f"[green]committed[/] {applied.commit[:7]}")
    for tag in applied.tags:
        err_console.print(f"[green]tagged[/] {tag}")
    if applied.pushed_to:
        err_console.print(f"[green]pushed[/] branch and tags to {applied.pushed_to} (atomic)")
    elif applied.tags:
        err_console.print("[dim]not pushed (use --push)[/]")


def sandbox_banner() -> None:
    """Say loudly when the target is an emulator, never real AWS."""
    from orchestrator.local import sandbox

    if sandbox.active():
        err_console.print(f"[black on yellow] SANDBOX [/] {sandbox.endpoint()}")


def render_release_plan(plan: dict | None) -> None:
    if plan is None:
        err_console.print("Nothing to release.")
        return
    table = Table(title=f"release to {plan['env']} — channel {plan['channel']}", show_edge=False)
    table.add_column("component")
    table.add_column("current")
    table.add_column("next")
    for name, comp in plan["components"].items():
        table.add_row(name, comp.get("current") or "—", f"[bold green]{comp['version']}[/]")
    err_console.print(table)
    if plan["channels"]:
        err_console.print("channels: " + ", ".join(f"{c} → {v}" for c, v in plan["channels"].items()))
    if plan["invalidate"]:
        err_console.print("invalidate: " + " ".join(plan["invalidate"]))
    err_console.print("steps: " + " → ".join(plan["steps"]))


_STATE_STYLE = {"skipped": "dim", "present": "cyan", "running": "bold", "done": "green"}


def render_step_event(event) -> None:
    if event.state == "running":
        err_console.print(f"[bold]→ {event.step}[/]: {event.text}")
    elif event.state == "done":
        err_console.print(f"[green]✓ {event.step}[/]")
    elif event.state == "skipped":
        err_console.print(f"[dim]✓ {event.step} (journaled, skipped)[/]")
    else:
        err_console.print(f"[cyan]✓ {event.step}[/] (already in place)")


def render_outcome(outcome, json: bool = False) -> None:
    j = outcome.journal
    if json:
        print_json(
            {
                "release": None
                if j is None
                else {
                    "id": j.id,
                    "plan": j.plan,
                    "plan_hash": j.plan_hash,
                    "resumed": outcome.resumed,
                    "warnings": warnings(j),
                }
            }
        )
        return
    if j is None:
        err_console.print("Nothing to release.")
        return
    versions = ", ".join(f"{n} {c['version']}" for n, c in j.plan["components"].items())
    err_console.print(
        f"[bold green]released[/] {versions} to {j.env} ({j.id}{', resumed' if outcome.resumed else ''})"
    )
    for line in warnings(j):
        err_console.print(f"[yellow]{line}[/]")


def render_channel_plan(plan: dict | None) -> None:
    if plan is None:
        err_console.print("Nothing to do: the channel already points there.")
        return
    moves = ", ".join(
        f"{c}: {plan['details']['from'].get(c) or '—'} → {v}" for c, v in plan["channels"].items()
    )
    err_console.print(f"{plan['kind']} in {plan['env']}: {moves}")
    err_console.print("invalidate: " + " ".join(plan["invalidate"]))


# ── the release board: status, reconcile, smoke, ia, unlock ─────────────────────────────────


def render_status(board) -> None:
    """One block per environment; drift in bold red, never hidden (the exit code stays 0)."""
    for row in board:
        title = f"[bold]{row.env}[/]"
        if not row.reachable:
            title += f"  [yellow](real system not read: {row.problem})[/]"
        err_console.print(title)
        b = row.backend
        colour = f" ({b.manifest_colour})" if b.manifest_colour else ""
        live = f", live colour {b.live_colour}" if b.live_colour else ""
        stacks = f", stacks carry {', '.join(b.stacks)}" if b.stacks else (f", {b.note}" if b.note else "")
        err_console.print(f"  backend: {b.manifest or '—'}{colour}{live}{stacks}")
        if row.sentry:
            err_console.print(f"  sentry: {row.sentry}")
        if row.channels:
            table = Table(show_edge=False, box=None, padding=(0, 2))
            for col in ("channel", "manifest", "S3 pointer"):
                table.add_column(col)
            for ch in row.channels:
                table.add_row(
                    f"  {ch.channel}", ch.manifest or "—", ch.pointer or ("?" if row.reachable else "")
                )
            err_console.print(table)
        else:
            err_console.print("  channels: none")
        if row.canary:
            err_console.print(
                f"  canary routing: {_canary_line(row.canary)}", highlight=False, soft_wrap=True
            )
        if row.drift:
            err_console.print(f"  [bold white on red] DRIFT [/] [bold red]{len(row.drift)} difference(s)[/]")
            for d in row.drift:
                err_console.print(f"  [bold red]✗ {d.describe()}[/]")
            if any(d.what == "channel" and d.manifest for d in row.drift):
                err_console.print(f"  [dim]→ ./inv reconcile {row.env} puts the pointers back[/]")
        elif row.reachable:
            err_console.print("  [green]no drift[/]")
        if row.lock:
            err_console.print(
                f"  [yellow]locked[/] by {row.lock['holder']} ({row.lock['operation']}) until {row.lock['until']}"
            )
        for j in row.unfinished:
            err_console.print(
                f"  [yellow]unfinished {j['kind']}[/] {j['id']} by {j['by']} since {j['started_at']}"
                f" (done: {', '.join(j['steps_done']) or 'nothing'}) → {_resume_hint(j, row.env)}"
            )
        for e in row.events:
            what = e.get("version") or ", ".join(
                f"{k} {v}" for k, v in (e["details"].get("versions") or {}).items()
            )
            err_console.print(f"  [dim]{e['at']}  {e['action']:<16} {what}  by {e['by']}[/]")


def render_reconcile(plan, dry_run: bool) -> None:
    if not plan.moves:
        err_console.print(f"{plan.env}: channel pointers already match the manifest")
    for channel, version in sorted(plan.moves.items()):
        verb = "would put" if dry_run else "put"
        err_console.print(f"{verb} {channel} back to {version}")
    if plan.invalidate:
        err_console.print(("would invalidate " if dry_run else "invalidated ") + " ".join(plan.invalidate))
    for note in plan.left_alone:
        err_console.print(f"[yellow]left alone:[/] {note}")


def render_smoke(report) -> None:
    for line in report.checked:
        err_console.print(f"[green]✓[/] {line}")
    for line in getattr(report, "skipped", []):
        err_console.print(f"[yellow]skipped:[/] {line}")
    for line in report.problems:
        err_console.print(f"[bold red]✗ {line}[/]")
    verdict = "[bold green]smoke passed[/]" if report.ok else "[bold red]smoke FAILED[/]"
    err_console.print(f"{verdict} via {report.via}")


def render_ia(flip, dry_run: bool) -> None:
    mode = "guided flow (AI off)" if flip.state == "off" else "AI agent (AI on)"
    for name, before in flip.parameters.items():
        arrow = "would set" if dry_run else "set"
        err_console.print(f"{name}: {before or '(missing)'} → {arrow} {flip.value}")
    err_console.print(f"{flip.env}: {mode}" + ("" if flip.changed else " (already so)"))


def _canary_line(c: dict) -> str:
    where = "" if c["source"] == "cdn" else " (from the manifest; the CDN could not be read)"
    if c["state"] != "active":
        return f"nobody ({c['state']}){where}"
    return (
        f"{c['version']} for {c['tenants']} tenant(s) + {c['percent']:g} % since {c['since']} (active){where}"
    )


def _resume_hint(j: dict, env: str) -> str:
    if j.get("resume"):  # the engine's, naming a command that exists (engine.operation.resume_hint)
        return j["resume"] + (f" (or --abandon {j['id']} --reason …)" if j["kind"] == "release" else "")
    if j["kind"] == "release":
        return f"./inv release --resume {j['id']} --env {env} (or --abandon {j['id']} --reason …)"
    return f"run the same ./inv {j['kind']} command again: it resumes {j['id']}"


def render_operation(result: dict) -> None:
    """One line for an engine command's result (the dict its --json prints)."""
    if result.get("dry_run"):
        plan = result.get("plan")
        summary = (plan or {}).get("summary") if isinstance(plan, dict) else None
        err_console.print(f"dry run: {summary or plan or 'nothing to do'}", highlight=False, soft_wrap=True)
        if result.get("locked_by"):
            err_console.print(f"[yellow]locked by {result['locked_by']}[/] — a real run would be refused now")
        return
    if not result.get("journal"):
        err_console.print("nothing to do")
        return
    how = ", resumed" if result.get("resumed") else ""
    err_console.print(
        f"[bold green]done[/] {result['plan'].get('summary', result['kind'])} ({result['journal']}{how})",
        highlight=False,
        soft_wrap=True,
    )


def render_lease(env: str, lease) -> None:
    if lease is None:
        err_console.print(f"{env} is not locked")
    else:
        err_console.print(f"{env} is locked by {lease.describe()}")


def render_promotion_plan(plan: dict | None) -> None:
    if plan is None:
        err_console.print("Nothing to promote: the target already runs those versions.")
        return
    from orchestrator.core.release_plan import plan_hash

    what = ", ".join(f"{n} {c['version']}" for n, c in plan["components"].items())
    err_console.print(f"promote {what}: {plan['from']} → {plan['env']}")
    if plan.get("routing"):
        err_console.print(plan["summary"])
    err_console.print("steps: " + " → ".join(plan["steps"]))
    err_console.print(f"plan hash: [bold]{plan_hash(plan)}[/]")


def warnings(journal) -> list[str]:
    """What a step let pass with a warning (Sentry unreachable), in step order."""
    return [
        f"warning: {w}" for s in journal.plan.get("steps", []) if (w := journal.outputs(s).get("warning"))
    ]


def publish_summary(kind: str, outcome) -> None:
    """In GitHub Actions, the run's Markdown summary ($GITHUB_STEP_SUMMARY); elsewhere nothing."""
    from orchestrator import github

    journal = outcome.journal if outcome else None
    if journal is None:
        github.publish(github.Summary(title=kind, outcome="nothing to do"))
        return
    plan = journal.plan
    github.publish(
        github.Summary(
            title=f"{kind} {journal.env}",
            outcome=f"done ({journal.id}{', resumed' if outcome.resumed else ''})",
            env=journal.env,
            plan=list(plan["steps"]),
            versions={n: c["version"] for n, c in plan.get("components", {}).items()},
            channels=plan.get("channels", {}),
            invalidations=plan.get("invalidate", []),
            notes=[f"plan hash {journal.plan_hash}"]
            + ([plan["approval"]] if plan.get("approval") else [])
            + warnings(journal),
        )
    )


def render_canary_plan(plan: dict | None) -> None:
    if plan is None:
        err_console.print("Nothing to do: the canary is already routed that way.")
        return
    err_console.print(plan["summary"])
    if plan.get("details", {}).get("reason"):
        err_console.print(f"reason: {plan['details']['reason']}")
    err_console.print("invalidate: " + " ".join(plan["invalidate"]))
    err_console.print("steps: " + " → ".join(plan["steps"]))


def render_canary_status(st: dict) -> None:
    if st["state"] != "active":
        err_console.print(
            f"{st['env']}: no active canary ({st['state']}); everyone runs stable {st['stable']}"
        )
    else:
        who = ", ".join(st["tenants"]) or "no listed tenant"
        err_console.print(
            f"{st['env']}: canary [bold]{st['version']}[/] for {who} + {st['percent']:g} % of tenants "
            f"(stable {st['stable']}) since {st['since']}"
        )
    if st.get("last_event"):
        e = st["last_event"]
        err_console.print(f"last: {e['action']} at {e['at']} by {e['by']}")
    h = st.get("health")
    if h:
        c, s = h["canary"], h["stable"]
        err_console.print(
            f"health since {h['window'][0]}: {h['verdict']['outcome']} — {h['verdict']['reason']} "
            f"(canary {c['errors']}/{c['boots']}, stable {s['errors']}/{s['boots']} errors/boots)"
        )
    elif st["state"] == "active":
        err_console.print("health: not judged (no metrics read)")
