"""The release manifest (`releases/manifest.json`): model, parsing, formatting, transitions. Pure.

It is the single source of truth for what exists and what is where: each component's releases,
each environment's backend and channel map, yanked versions, and an append-only event log.
Every read validates it; a malformed manifest is one error line naming the JSON path.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from semver import Version

from orchestrator.errors import UserError

SCHEMA_VERSION = 1
CHANNELS = ("alpha", "beta", "canary", "stable", "latest")


def _semver(value: str) -> str:
    Version.parse(value)  # raises ValueError with a clear message
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Artifact(_Model):
    """One built file, content-addressed."""

    key: str = Field(description="object key in the artifact bucket (content-addressed)")
    sha256: str
    bytes: int
    sha384: str | None = Field(default=None, description="SRI digest, 'sha384-<base64>'")


class Release(_Model):
    version: str
    tag: str
    git_sha: str = Field(description="the commit that was released (before the release commit)")
    date: datetime
    changelog: str = Field(default="", description="this version's CHANGELOG.md section")
    artifacts: dict[str, Artifact] = Field(default_factory=dict)
    graphql_operations: dict[str, str] = Field(
        default_factory=dict, description="widget only: operation name -> document it sends"
    )

    _check_version = field_validator("version")(_semver)


class Yank(_Model):
    at: datetime
    by: str
    reason: str = ""


class Component(_Model):
    releases: dict[str, Release] = Field(default_factory=dict)
    yanked: dict[str, Yank] = Field(default_factory=dict)

    def versions(self) -> list[Version]:
        return sorted(Version.parse(v) for v in self.releases)


class BackendDeployment(_Model):
    version: str
    colour: Literal["blue", "green"] | None = None
    at: datetime
    template_digests: dict[str, str] = Field(default_factory=dict)


class AgentDeployment(_Model):
    """A Bedrock agent as an environment runs it: the definition digest and the version its alias serves."""

    digest: str = Field(description="sha256 of the normalized definition in infra/agents/<name>/")
    alias: str = Field(description="the environment's alias name")
    version: str | None = Field(
        default=None, description="the agent version the alias routes to (None: the emulator cuts none)"
    )
    alias_arn: str = Field(default="", description="the alias the chat Lambda invokes ([ai] engine = agent)")
    git_sha: str = ""
    at: datetime


class Environment(_Model):
    backend: BackendDeployment | None = None
    agents: dict[str, AgentDeployment] = Field(default_factory=dict, description="agent name → deployment")
    channels: dict[Literal["alpha", "beta", "canary", "stable", "latest"], str] = Field(default_factory=dict)


class Event(_Model):
    at: datetime
    by: str
    action: str = Field(description="version, release, promote, rollback-widget, set-channel, yank, …")
    env: str | None = None
    component: str | None = None
    version: str | None = None
    plan_hash: str | None = None
    approval: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class Manifest(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    components: dict[str, Component] = Field(default_factory=dict)
    environments: dict[str, Environment] = Field(default_factory=dict)
    events: list[Event] = Field(default_factory=list)

    def component(self, name: str) -> Component:
        return self.components.get(name, Component())


# ── reading and writing ──────────────────────────────────────────────────────────────────


def json_path(loc: tuple) -> str:
    """pydantic's error location as a JSON path: ('components', 'widget', 'releases') → $.components.widget.releases"""
    path = "$"
    for part in loc:
        if part == "[key]":  # pydantic marks a bad dict key this way; the key itself is already named
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            path += f".{part}"
        else:
            path += f"[{json.dumps(part)}]"
    return path


def parse(text: str, source: str = "releases/manifest.json") -> Manifest:
    """Validate manifest JSON text; every problem is a UserError naming the place."""
    hint = "fix the file (or restore it from git: `git checkout -- releases/manifest.json`)"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise UserError(f"{source}:{err.lineno}:{err.colno}: not valid JSON ({err.msg})", hint) from None
    try:
        return Manifest.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
        where = json_path(first["loc"])
        raise UserError(f"{source}: {where}: {first['msg']}{more}", hint) from None


def dumps(manifest: Manifest) -> str:
    """Stable formatting: sorted keys, two-space indent, trailing newline (small, mergeable diffs)."""
    data = manifest.model_dump(mode="json", exclude_defaults=False)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def json_schema() -> str:
    return json.dumps(Manifest.model_json_schema(), indent=2, sort_keys=True) + "\n"


# ── transitions (return a new manifest) ─────────────────────────────────────────────────────


def with_release(manifest: Manifest, component: str, release: Release) -> Manifest:
    comp = manifest.component(component)
    comp = comp.model_copy(update={"releases": {**comp.releases, release.version: release}})
    return manifest.model_copy(update={"components": {**manifest.components, component: comp}})


def with_event(manifest: Manifest, event: Event) -> Manifest:
    return manifest.model_copy(update={"events": [*manifest.events, event]})


def with_release_details(
    manifest: Manifest,
    component: str,
    version: str,
    artifacts: dict[str, Artifact],
    graphql_operations: dict[str, str],
) -> Manifest:
    comp = manifest.component(component)
    release = comp.releases[version].model_copy(
        update={"artifacts": artifacts, "graphql_operations": graphql_operations}
    )
    return with_release(manifest, component, release)


def with_channels(manifest: Manifest, env: str, channels: dict[str, str]) -> Manifest:
    current = manifest.environments.get(env, Environment())
    updated = current.model_copy(update={"channels": {**current.channels, **channels}})
    return manifest.model_copy(update={"environments": {**manifest.environments, env: updated}})


def with_backend(manifest: Manifest, env: str, deployment: BackendDeployment) -> Manifest:
    current = manifest.environments.get(env, Environment())
    updated = current.model_copy(update={"backend": deployment})
    return manifest.model_copy(update={"environments": {**manifest.environments, env: updated}})


def with_agent(manifest: Manifest, env: str, name: str, deployment: AgentDeployment) -> Manifest:
    current = manifest.environments.get(env, Environment())
    updated = current.model_copy(update={"agents": {**current.agents, name: deployment}})
    return manifest.model_copy(update={"environments": {**manifest.environments, env: updated}})


def agent_history(manifest: Manifest, env: str, name: str) -> list[dict]:
    """The versions (with digests) an environment's agent alias served, oldest first (event log)."""
    history: list[dict] = []
    for event in manifest.events:
        served = (event.details.get("agents") or {}).get(name) if event.env == env else None
        if served and served.get("version") and (not history or history[-1]["version"] != served["version"]):
            history.append(served)
    return history


def with_yank(manifest: Manifest, component: str, version: str, yank: Yank) -> Manifest:
    comp = manifest.component(component)
    comp = comp.model_copy(update={"yanked": {**comp.yanked, version: yank}})
    return manifest.model_copy(update={"components": {**manifest.components, component: comp}})


def channel_history(manifest: Manifest, env: str, channel: str) -> list[str]:
    """Versions a channel of an environment pointed at, oldest first (from the event log)."""
    history: list[str] = []
    for event in manifest.events:
        if event.env == env and channel in (event.details.get("channels") or {}):
            version = event.details["channels"][channel]
            if not history or history[-1] != version:
                history.append(version)
    return history
