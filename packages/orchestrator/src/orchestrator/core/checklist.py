"""The prod checklist: what a release manager confirms, and what the tool verifies itself. Pure.

The checklist file (TOML) binds an approval to one plan:

    plan_hash = "sha256:…"          # printed by `./inv promote prod --dry-run`
    approver = "ana@example.com"
    [confirm]
    qa_ran_this_version = true
    qa_smoke_passed = true
    no_qa_alarm_firing = true
    changelog_entry_present = true
    no_graphql_break = true
    no_stateful_resource_replaced = true

Every item must be confirmed by the human AND hold in the facts the tool gathered.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from orchestrator.errors import UserError

ITEMS = {
    "qa_ran_this_version": "qa ran this exact version",
    "qa_smoke_passed": "qa's smoke test passed for it",
    "no_qa_alarm_firing": "no alarm is firing in qa",
    "changelog_entry_present": "the changelog has an entry for it",
    "no_graphql_break": "no GraphQL break for live widgets",
    "no_stateful_resource_replaced": "no stateful resource is replaced or removed",
}


@dataclass(frozen=True)
class Checklist:
    plan_hash: str
    approver: str
    confirmed: dict[str, bool]


def parse(path: Path) -> Checklist:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(
            f"checklist {path} does not exist", "write it (see docs/deployment/README.md)"
        ) from None
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"checklist {path}: {err}", "fix the TOML syntax") from None
    unknown = set(data.get("confirm", {})) - set(ITEMS)
    if unknown:
        raise UserError(
            f"checklist {path}: unknown item(s) {', '.join(sorted(unknown))}", f"items: {', '.join(ITEMS)}"
        )
    if (
        not isinstance(data.get("plan_hash"), str)
        or not isinstance(data.get("approver"), str)
        or not data["approver"]
    ):
        raise UserError(f"checklist {path} needs plan_hash and approver", "copy the plan hash from --dry-run")
    return Checklist(
        data["plan_hash"], data["approver"], {k: data.get("confirm", {}).get(k) is True for k in ITEMS}
    )


def failures(checklist: Checklist, plan_hash: str, facts: dict[str, str | None]) -> list[str]:
    """Reasons the checklist does not hold. `facts`: item → None when verified, else why not."""
    problems = []
    if checklist.plan_hash != plan_hash:
        problems.append(f"the checklist approves plan {checklist.plan_hash}, but this plan is {plan_hash}")
    for item, text in ITEMS.items():
        if not checklist.confirmed[item]:
            problems.append(f"not confirmed: {text} ({item})")
        if facts.get(item, "not verified") is not None:
            problems.append(f"{text}: {facts.get(item, 'not verified')}")
    return problems


def template(plan_hash: str, approver: str) -> str:
    lines = [f'plan_hash = "{plan_hash}"', f'approver = "{approver}"', "", "[confirm]"]
    lines += [f"{item} = false  # {text}" for item, text in ITEMS.items()]
    return "\n".join(lines) + "\n"
