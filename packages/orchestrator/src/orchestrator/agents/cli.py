"""What `./inv agent ACTION` runs and prints: one call per action, one dict per answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from orchestrator.agents import files, pipeline

ACTIONS = ("export", "import", "rollback", "tools")


def run(root: Path, action: str, env: str, agent: str = "", **kw) -> dict:
    if action == "export":
        done = pipeline.export(root, env, agent)
        return {"action": "export", **done.to_json()}
    if action == "tools":
        return {"action": "tools", "changed": regenerate_tools(root, agent)}
    dry_run, push, echo, on_event, confirm = (
        kw.get("dry_run", False),
        kw.get("push", False),
        kw["echo"],
        kw["on_event"],
        kw["confirm"],
    )
    if action == "import":
        plan, outcome = pipeline.run_import(
            root, env, agent, dry_run, push, kw.get("resume"), echo, on_event, confirm
        )
    else:
        plan, outcome = pipeline.run_rollback(
            root, env, agent, kw.get("to", ""), dry_run, push, echo, on_event, confirm
        )
    journal = outcome.journal if outcome else None
    skipped = plan.get("skipped", []) if plan else pipeline.emulator_skips()
    return {
        "skipped": skipped,
        "action": action,
        "env": env,
        "plan": plan,
        "applied": bool(journal and journal.status == "done"),
        "journal": journal.id if journal else None,
        "version": journal.outputs("agent-alias").get("version") if journal else None,
    }


def regenerate_tools(root: Path, agent: str = "") -> list[str]:
    """Rewrite action-group.yaml from the backend's tool models (after a tool changed)."""
    changed = []
    for name in [files.check_name(root, agent)] if agent else files.names(root):
        d = files.read(root, name)
        changed += [
            f"{name}/{f}"
            for f in files.write(root, d.model_copy(update={"action_group": files.generated_action_group()}))
        ]
    return changed


def render(result: dict, echo: Callable[[str], None]) -> None:
    """Human output; every part the emulator lacks is said, never dropped."""
    plan = result.get("plan") if "plan" in result else result
    if result.get("action") == "export":
        echo(
            f"exported {result['agent']} ({result['digest']}): "
            + (", ".join(result["changed"]) or "no change")
        )
    elif result.get("action") == "tools":
        echo("regenerated: " + (", ".join(result["changed"]) or "nothing changed"))
    elif plan is None:
        echo("nothing to do: the environment's agent already is this definition (no new version)")
    else:
        echo(plan["summary"])
        for change in plan.get("breaking", []):
            echo(f"  BREAKING (tool schema): {change} — say so in the changelog (feat!: / BREAKING CHANGE:)")
        for line in plan.get("diff", []):
            echo(f"  {line}")
        for step in plan["steps"]:
            echo(f"  step: {step}")
        if result.get("version"):
            echo(f"  alias {plan['alias']} → version {result['version']}")
    for skipped in result.get("skipped", []):
        echo(f"  skipped (emulator): {skipped}")
