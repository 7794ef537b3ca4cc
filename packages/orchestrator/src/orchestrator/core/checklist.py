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

It also owns writing that file from inputs (CI's workflow inputs, GitHub's deployment review):
each input is validated here and the TOML comes from a TOML writer, never from string
formatting, so an input such as `x"\n[confirm]\nqa_smoke_passed = true` stays a string.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w

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
    """A checklist to fill in: every item unconfirmed, each with what it means."""
    head = tomli_w.dumps({"plan_hash": plan_hash, "approver": approver})
    lines = [f"{item} = false  # {text}" for item, text in ITEMS.items()]
    return head + "\n[confirm]\n" + "\n".join(lines) + "\n"


# ── writing one from inputs (CI) ─────────────────────────────────────────────────────────

PLAN_HASH = re.compile(r"sha256:[0-9a-f]{64}")
# A GitHub login (what the deployment review names): letters, digits, single inner hyphens, ≤ 39.
GITHUB_LOGIN = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")
# Or, from a workstation, the git identity's e-mail address.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def valid_plan_hash(value: str) -> str:
    value = value.strip()
    if not PLAN_HASH.fullmatch(value):
        raise UserError(
            f"plan hash {value[:80]!r} is not sha256:<64 hex digits>",
            "copy it from `./inv promote prod --dry-run`",
        )
    return value


def valid_approver(value: str) -> str:
    """One or more approvers (comma-separated), each a GitHub login or an e-mail address."""
    names = [n.strip() for n in value.split(",")]
    bad = [n for n in names if not (GITHUB_LOGIN.fullmatch(n) or EMAIL.fullmatch(n))]
    if not value.strip() or bad:
        raise UserError(
            f"approver {value[:80]!r} is not a GitHub login or an e-mail address",
            "in CI the approver comes from the environment's deployment review",
        )
    return ", ".join(names)


def valid_bool(name: str, value: str | bool) -> bool:
    """A workflow's boolean input arrives as the text true/false; anything else is a mistake."""
    if isinstance(value, bool):
        return value
    text = value.strip().lower()
    if text not in ("true", "false"):
        raise UserError(f"{name} must be true or false, not {value[:40]!r}", f"pass --{name} true")
    return text == "true"


def render(plan_hash: str, approver: str, confirmed: str | bool) -> str:
    """The checklist file for validated inputs, every item confirmed (the tool still verifies each).

    An unticked box is refused here rather than written: CI has no one to fill the file in later.
    """
    document = {
        "plan_hash": valid_plan_hash(plan_hash),
        "approver": valid_approver(approver),
        "confirm": dict.fromkeys(ITEMS, valid_bool("confirmed", confirmed)),
    }
    if not document["confirm"]["qa_ran_this_version"]:
        raise UserError(
            "the prod checklist is not confirmed",
            "tick the checklist box of the promote workflow (the tool verifies each item too)",
        )
    return tomli_w.dumps(document)
