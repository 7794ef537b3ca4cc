"""The agent folders under `infra/agents/<name>/`: read them into a definition, write one back.

agent.yaml (model, TTL, guardrail, overridden prompts), instructions.<lang>.md and
action-group.yaml. The writer is the only spelling of these files, so an export of an
unchanged agent rewrites the same bytes. action-group.yaml is generated from the tools'
pydantic models (backend.agent.function_schema): `check_tools` refuses a file that has
drifted from them, so there is one definition of each tool, not two.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from orchestrator.adapters import files as fs
from orchestrator.core import agent_definition as ad
from orchestrator.errors import UserError

AGENTS = Path("infra/agents")
ACTION_GROUP_NAME = "booking-tools"
ACTION_GROUP_DESCRIPTION = (
    "The booking tools; they run in the chat Lambda (return of control) with the caller's tenant."
)

_HEADER = {
    "agent.yaml": (
        '# A Bedrock agent, reviewed like code (docs/deployment/README.md "The agent").\n'
        "# Written by `./inv agent export`; `./inv agent import --env ENV` makes an environment's agent this.\n"
        "# guardrail: {identifier, version}; prompt_overrides: promptConfigurations with promptCreationMode OVERRIDDEN.\n"
    ),
    "action-group.yaml": (
        "# GENERATED from the tools' pydantic models in packages/backend/src/backend/agent.py — edit those.\n"
        "# Any change to a tool's schema is a breaking change of the agent (say so in the commit).\n"
    ),
}


def folder(root: Path, name: str) -> Path:
    return root / AGENTS / name


def names(root: Path) -> list[str]:
    base = root / AGENTS
    return sorted(p.name for p in base.iterdir() if (p / "agent.yaml").is_file()) if base.is_dir() else []


def check_name(root: Path, name: str) -> str:
    known = names(root)
    if name not in known:
        raise UserError(f"no agent {name!r} under {AGENTS}/", f"known agents: {', '.join(known) or 'none'}")
    return name


def generated_action_group() -> ad.ActionGroup:
    """The action group as the backend's tool models define it (the single source of truth)."""
    from backend.agent import function_schema

    return ad.ActionGroup(
        name=ACTION_GROUP_NAME,
        description=ACTION_GROUP_DESCRIPTION,
        functions=[ad.Function.model_validate(f) for f in function_schema()],
    )


def _load_yaml(path: Path) -> dict:
    text = fs.read_text(path, default="")
    if not text.strip():
        raise UserError(f"{path} is missing or empty", "restore it from git, or run ./inv agent export")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise UserError(f"{path}: not valid YAML ({err})".replace("\n", " "), "fix the file") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping", "fix the file")
    return data


def read(root: Path, name: str) -> ad.Definition:
    base = folder(root, check_name(root, name))
    instructions = {
        lang: fs.read_text(base / f"instructions.{lang}.md", default="")
        for lang in ad.LANGUAGES
        if (base / f"instructions.{lang}.md").is_file()
    }
    return ad.parse(
        _load_yaml(base / "agent.yaml"), instructions, _load_yaml(base / "action-group.yaml"), str(base)
    )


def render(d: ad.Definition) -> dict[str, str]:
    """File name → text: the one spelling of a definition on disk."""

    def dump(data: dict) -> str:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)

    out = {
        "agent.yaml": _HEADER["agent.yaml"] + dump(ad.agent_yaml(d)),
        "action-group.yaml": _HEADER["action-group.yaml"] + dump(ad.action_group_yaml(d)),
    }
    out.update({f"instructions.{lang}.md": text for lang, text in d.instructions.items()})
    return out


def write(root: Path, d: ad.Definition) -> list[str]:
    """Write the folder; return the files whose bytes changed (and remove stale instruction files)."""
    base = folder(root, d.name)
    base.mkdir(parents=True, exist_ok=True)
    changed = []
    for file, text in render(d).items():
        if fs.read_text(base / file, default=None) != text:
            fs.write_atomic(base / file, text)
            changed.append(file)
    for stale in base.glob("instructions.*.md"):
        if stale.name not in render(d):
            stale.unlink()
            changed.append(stale.name)
    return changed


def check_tools(d: ad.Definition, source: str) -> None:
    """Refuse an action group that is not the backend's tools: the two engines must agree."""
    wanted = generated_action_group()
    if d.action_group != wanted:
        lines = ad.diff(d.model_copy(update={"action_group": wanted}), d, source)
        shown = "; ".join(line for line in lines if line[:1] in "+-" and line[:3] not in ("+++", "---"))[:400]
        raise UserError(
            f"{source}: the action group differs from backend.agent's tool models ({shown})",
            "change the tools in packages/backend/src/backend/agent.py, then ./inv agent tools to regenerate",
        )
