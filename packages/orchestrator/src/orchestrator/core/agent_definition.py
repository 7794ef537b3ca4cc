"""A Bedrock agent as code: the normalized definition, its digest, its diff, and the API bodies. Pure.

The definition is what git holds under `infra/agents/<name>/` (agent.yaml, instructions.<lang>.md,
action-group.yaml) and what `export` reads back from the live agent: no ids, ARNs, timestamps,
statuses, client tokens or account numbers, prompts only where OVERRIDDEN, functions and
parameters sorted. So exporting twice gives the same bytes, and the digest of the normalized
definition names an agent release. The environment-specific values (agent name, role ARN) are
added only when a body for the API is made.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from orchestrator.errors import UserError

LANGUAGES = ("en", "es")
ACTION_GROUP_EXECUTOR = "RETURN_CONTROL"  # the tools run in the chat Lambda, with the caller's tenant
# The one instruction Bedrock holds is the languages' files joined under these markers, so an
# export can split it back into the same files (and a console edit lands in the right one).
_MARKER = "<!-- instructions:{lang} -->"
_MARKER_RE = re.compile(r"^<!-- instructions:([a-z]{2}) -->$", re.M)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Guardrail(_Model):
    identifier: str = Field(description="guardrail id (the same name in every environment's account)")
    version: str = "DRAFT"


class Parameter(_Model):
    type: Literal["string", "number", "integer", "boolean", "array"]
    description: str = ""
    required: bool = False


class Function(_Model):
    name: str
    description: str = ""
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    requireConfirmation: Literal["ENABLED", "DISABLED"] = "DISABLED"  # noqa: N815 — the API's name


class ActionGroup(_Model):
    name: str
    description: str = ""
    state: Literal["ENABLED", "DISABLED"] = "ENABLED"
    executor: Literal["RETURN_CONTROL"] = ACTION_GROUP_EXECUTOR
    functions: list[Function]


class Definition(_Model):
    """Everything that makes the agent behave as it does, in every environment alike."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,40}$")
    description: str = ""
    foundation_model: str
    idle_session_ttl_seconds: int = Field(default=600, ge=60, le=3600)
    instructions: dict[str, str] = Field(description="language → instruction text")
    guardrail: Guardrail | None = None
    prompt_overrides: list[dict[str, Any]] = Field(
        default_factory=list, description="promptConfigurations whose promptCreationMode is OVERRIDDEN"
    )
    action_group: ActionGroup


# ── files ↔ definition ────────────────────────────────────────────────────────────────────


def parse(agent_yaml: dict, instructions: dict[str, str], action_group: dict, source: str) -> Definition:
    """The definition from the parsed files; a bad file is one UserError naming the field."""
    try:
        return normalize(
            Definition.model_validate(
                {**agent_yaml, "instructions": instructions, "action_group": action_group}
            )
        )
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UserError(
            f"{source}: {where}: {first['msg']}", "fix the agent's files under infra/agents/"
        ) from None


def agent_yaml(d: Definition) -> dict:
    """agent.yaml's content: the definition minus the instructions and the action group (own files)."""
    data = d.model_dump(mode="json", exclude={"instructions", "action_group"})
    return {k: v for k, v in data.items() if v not in (None, [], "") or k == "description"}


def action_group_yaml(d: Definition) -> dict:
    return d.action_group.model_dump(mode="json")


def normalize(d: Definition) -> Definition:
    """One spelling per meaning: sorted functions and parameters, instructions without trailing blanks."""
    group = d.action_group.model_copy(
        update={
            "functions": [
                f.model_copy(update={"parameters": dict(sorted(f.parameters.items()))})
                for f in sorted(d.action_group.functions, key=lambda f: f.name)
            ]
        }
    )
    texts = {lang: text.strip() + "\n" for lang, text in sorted(d.instructions.items())}
    prompts = sorted(
        (p for p in d.prompt_overrides if p.get("promptCreationMode") == "OVERRIDDEN"),
        key=lambda p: str(p.get("promptType")),
    )
    return d.model_copy(update={"action_group": group, "instructions": texts, "prompt_overrides": prompts})


def canonical(d: Definition) -> str:
    return json.dumps(
        normalize(d).model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def digest(d: Definition) -> str:
    """`sha256:<hex>` of the canonical JSON: the same definition has the same digest anywhere."""
    return "sha256:" + hashlib.sha256(canonical(d).encode()).hexdigest()


def diff(desired: Definition | None, live: Definition | None, label: str = "live") -> list[str]:
    """A unified diff, live → desired, of the definitions as sorted indented JSON (empty: same)."""

    def lines(d: Definition | None) -> list[str]:
        if d is None:
            return []
        return json.dumps(
            normalize(d).model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False
        ).splitlines()

    return list(difflib.unified_diff(lines(live), lines(desired), label, "git", lineterm="", n=2))


def tool_schema_breaks(old: list[Function], new: list[Function]) -> list[str]:
    """What a tool-schema change breaks for an agent already in use (changelog: breaking)."""
    before, after = {f.name: f for f in old}, {f.name: f for f in new}
    breaks = [f"tool {name} removed" for name in sorted(before.keys() - after.keys())]
    for name in sorted(before.keys() & after.keys()):
        a, b = before[name].parameters, after[name].parameters
        breaks += [f"{name}.{p} removed" for p in sorted(a.keys() - b.keys())]
        breaks += [f"{name}.{p} added as required" for p in sorted(b.keys() - a.keys()) if b[p].required]
        breaks += [
            f"{name}.{p} changed ({a[p].type}{'!' if a[p].required else ''} → {b[p].type}{'!' if b[p].required else ''})"
            for p in sorted(a.keys() & b.keys())
            if a[p].type != b[p].type or (b[p].required and not a[p].required)
        ]
    return breaks


# ── the instruction Bedrock holds ───────────────────────────────────────────────────────────


def compose_instruction(instructions: dict[str, str]) -> str:
    return "\n\n".join(
        f"{_MARKER.format(lang=lang)}\n{text.strip()}" for lang, text in sorted(instructions.items())
    )


def split_instruction(text: str) -> dict[str, str]:
    """Back into the languages' texts; an instruction without markers (typed in the console) is `en`."""
    parts = _MARKER_RE.split(text or "")
    if len(parts) == 1:
        return {"en": text.strip() + "\n"}
    return {lang: body.strip() + "\n" for lang, body in zip(parts[1::2], parts[2::2], strict=True)}


# ── API bodies (desired → bedrock-agent) and responses (live → definition) ─────────────────


def agent_body(d: Definition, agent_name: str, role_arn: str) -> dict:
    """CreateAgent/UpdateAgent parameters. UpdateAgent replaces the whole agent: everything is sent."""
    body: dict[str, Any] = {
        "agentName": agent_name,
        "foundationModel": d.foundation_model,
        "instruction": compose_instruction(d.instructions),
        "idleSessionTTLInSeconds": d.idle_session_ttl_seconds,
        "agentResourceRoleArn": role_arn,
    }
    if d.description:  # the API refuses an empty description (min length 1)
        body["description"] = d.description
    if d.guardrail:
        body["guardrailConfiguration"] = {
            "guardrailIdentifier": d.guardrail.identifier,
            "guardrailVersion": d.guardrail.version,
        }
    if d.prompt_overrides:
        body["promptOverrideConfiguration"] = {"promptConfigurations": list(d.prompt_overrides)}
    return body


def action_group_body(d: Definition) -> dict:
    """CreateAgentActionGroup/UpdateAgentActionGroup parameters for the DRAFT version."""
    group = d.action_group
    return {
        "agentVersion": "DRAFT",
        "actionGroupName": group.name,
        **({"description": group.description} if group.description else {}),
        "actionGroupState": group.state,
        "actionGroupExecutor": {"customControl": group.executor},
        "functionSchema": {"functions": [_without_empty(f.model_dump(mode="json")) for f in group.functions]},
    }


def _without_empty(data):
    """The API refuses empty descriptions (min length 1): leave them out instead."""
    if isinstance(data, dict):
        return {k: _without_empty(v) for k, v in data.items() if v != ""}
    return data


def from_live(name: str, agent: dict, action_group: dict | None, fallback_group: ActionGroup) -> Definition:
    """The definition of a live agent (GetAgent + GetAgentActionGroup responses), normalized.

    `action_group` None: it could not be read (the emulator serves no action groups) — the
    one in git stands in, and the caller says so.
    """
    # GetAgent returns every prompt type, defaults included: only the overridden ones are ours.
    prompts = [
        p
        for p in (agent.get("promptOverrideConfiguration") or {}).get("promptConfigurations", [])
        if p.get("promptCreationMode") == "OVERRIDDEN"
    ]
    guard = agent.get("guardrailConfiguration") or {}
    group = fallback_group
    if action_group is not None:
        executor = action_group.get("actionGroupExecutor") or {}
        group = ActionGroup(
            name=action_group["actionGroupName"],
            description=action_group.get("description", ""),
            state=action_group.get("actionGroupState", "ENABLED"),
            executor=executor.get("customControl", "RETURN_CONTROL"),
            functions=[
                Function(
                    name=f["name"],
                    description=f.get("description", ""),
                    parameters={
                        p: Parameter(
                            type=v["type"],
                            description=v.get("description", ""),
                            required=v.get("required", False),
                        )
                        for p, v in (f.get("parameters") or {}).items()
                    },
                    requireConfirmation=f.get("requireConfirmation", "DISABLED"),
                )
                for f in (action_group.get("functionSchema") or {}).get("functions", [])
            ],
        )
    return normalize(
        Definition(
            name=name,
            description=agent.get("description", ""),
            foundation_model=agent["foundationModel"],
            idle_session_ttl_seconds=agent.get("idleSessionTTLInSeconds", 600),
            instructions=split_instruction(agent.get("instruction", "")),
            guardrail=Guardrail(
                identifier=guard["guardrailIdentifier"], version=guard.get("guardrailVersion", "DRAFT")
            )
            if guard.get("guardrailIdentifier")
            else None,
            prompt_overrides=prompts,
            action_group=group,
        )
    )


def action_group_update(live_group: dict) -> dict:
    """Ids an UpdateAgentActionGroup needs from GetAgentActionGroup's answer.

    Get returns `parentActionSignature`; create/update take `parentActionGroupSignature`
    (a known round-trip trap): our group has none, and a live one that has it is not ours.
    """
    out = {"actionGroupId": live_group["actionGroupId"]}
    if live_group.get("parentActionSignature"):
        out["parentActionGroupSignature"] = live_group["parentActionSignature"]
    return out
