"""The release board (`./inv status`): what the manifest says each environment runs, and DRIFT —
where the real S3 channel pointers or the deployed stacks say otherwise.

Per environment: the backend version and live colour, each channel's widget version, the last
events, unfinished releases (journals), the lock. Drift is data, not a failure: the command
exits 0 and prints it loudly; `./inv reconcile ENV` puts the pointers back.

What "the stacks carry": every deploy leaves `deployments/<env>/<version>.json` in the
artifact bucket (rollout.py) naming the content-addressed code keys and schema it deployed;
the (live) app stack's parameters name the code keys it runs. The versions whose record matches
the stack's parameters are the versions the stacks carry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from orchestrator import environments
from orchestrator.adapters import cdn
from orchestrator.core import manifest as mf
from orchestrator.engine import lease as lock
from orchestrator.engine import manifest_store, target
from orchestrator.engine.journal import unfinished
from orchestrator.engine.operation import resume_hint
from orchestrator.errors import UserError
from orchestrator.release.channel_steps import pointer_key
from orchestrator.release.widget_steps import LOADER

CHANNELS = ("latest", "stable", "beta", "alpha", "canary")


@dataclass(frozen=True)
class Drift:
    what: str  # "channel" | "backend" | "colour" | "agent"
    name: str  # the channel, or "backend"/"colour"
    manifest: str | None
    real: str | None
    reason: str

    def describe(self) -> str:
        return f"{self.name}: manifest says {self.manifest or '—'}, really {self.real or '—'} ({self.reason})"


@dataclass
class ChannelState:
    channel: str
    manifest: str | None  # version the manifest records
    pointer: str | None  # version the S3 pointer says (metadata `version`)
    pointer_sha256: str | None


@dataclass
class BackendState:
    manifest: str | None
    manifest_colour: str | None
    stacks: list[str] = field(default_factory=list)  # versions whose deploy record the app stack matches
    live_colour: str | None = None
    stack: str | None = None  # the app stack looked at
    note: str = ""


@dataclass
class EnvStatus:
    env: str
    backend: BackendState
    channels: list[ChannelState]
    events: list[dict]
    unfinished: list[dict]
    lock: dict | None
    drift: list[Drift]
    reachable: bool = True
    problem: str = ""  # why the real system could not be read (no credentials, not deployed…)
    sentry: str = ""  # whether the environment reports to Sentry (its [sentry] settings)
    # The canary routing: {state, version, tenants (count), percent, since, source}; None when none.
    canary: dict | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        data["drift"] = [{**asdict(d), "text": d.describe()} for d in self.drift]
        return data


# ── reading the real system ──────────────────────────────────────────────────────────────


def pointer_state(widget_bucket: str, channel: str) -> tuple[str | None, str | None] | None:
    """(version, sha256) a channel pointer carries; None when the pointer does not exist.

    A pointer written by hand (no metadata) is hashed, so other bytes still show as drift.
    """
    head = cdn.head(widget_bucket, pointer_key(channel))
    if head is None:
        return None
    sha = head.sha256 or hashlib.sha256(cdn.get_bytes(widget_bucket, pointer_key(channel))).hexdigest()
    return head.version, sha


def expected_loader_sha(manifest: mf.Manifest, version: str) -> str | None:
    release = manifest.component("widget").releases.get(version)
    artifact = release.artifacts.get(LOADER) if release else None
    return artifact.sha256 if artifact else None


def channel_drift(
    manifest: mf.Manifest, env: str, widget_bucket: str
) -> tuple[list[ChannelState], list[Drift]]:
    recorded = dict(manifest.environments.get(env, mf.Environment()).channels)
    states, drift = [], []
    for channel in CHANNELS:
        want = recorded.get(channel)
        real = pointer_state(widget_bucket, channel)
        version, sha = real if real else (None, None)
        if want is None and real is None:
            continue
        states.append(ChannelState(channel, want, version, sha))
        if want is None:
            drift.append(Drift("channel", channel, None, version or "?", "pointer not in the manifest"))
        elif real is None:
            drift.append(Drift("channel", channel, want, None, "pointer missing"))
        elif version != want:
            drift.append(Drift("channel", channel, want, version or "?", "points at another version"))
        elif (expected := expected_loader_sha(manifest, want)) and sha != expected:
            drift.append(Drift("channel", channel, want, version, "serves other bytes than released"))
    return states, drift


def _deploy_records(bucket: str, env: str) -> dict[str, dict]:
    records = {}
    pages = cdn.s3().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"deployments/{env}/")
    for page in pages:
        for obj in page.get("Contents", []):
            record = json.loads(cdn.get_bytes(bucket, obj["Key"]))
            records[record["version"]] = record
    return records


def carried_versions(params: dict[str, str], records: dict[str, dict]) -> list[str]:
    """Versions whose deploy record names exactly the code keys and schema the stack runs. Pure."""
    from orchestrator.deploy.rollout import FUNCTION_PARAMS

    found = []
    for version, record in records.items():
        arts = record.get("artifacts", {})
        code_ok = all(params.get(param) == arts.get(name) for name, param in FUNCTION_PARAMS.items())
        schema = arts.get("schema")
        schema_ok = not schema or params.get("SchemaS3Location", "").endswith(f"/{schema}")
        if code_ok and schema_ok:
            found.append(version)
    return sorted(found)


def backend_state(
    manifest: mf.Manifest, env_name: str, tgt: target.Target
) -> tuple[BackendState, list[Drift]]:
    from orchestrator.adapters import aws
    from orchestrator.deploy import rollout
    from orchestrator.local import sandbox

    recorded = manifest.environments.get(env_name, mf.Environment()).backend
    state = BackendState(
        manifest=recorded.version if recorded else None, manifest_colour=recorded.colour if recorded else None
    )
    env = environments.load(env_name)
    cfn = aws.client("cloudformation")
    if env.blue_green:
        state.live_colour = sandbox.live_colour(env_name) if sandbox.active() else rollout.live_colour(tgt)
        state.stack = env.stack_name(f"app-{state.live_colour}") if state.live_colour else None
    else:
        state.stack = env.stack_name("app")
    params = None
    if state.stack:
        try:
            desc = cfn.describe_stacks(StackName=state.stack)["Stacks"][0]
            params = {p["ParameterKey"]: p.get("ParameterValue", "") for p in desc.get("Parameters", [])}
        except ClientError as err:
            if "does not exist" not in str(err):
                raise
    drift: list[Drift] = []
    if params is None:
        state.note = f"{state.stack or 'no live app stack'} is not deployed"
        if state.manifest:
            drift.append(Drift("backend", "backend", state.manifest, None, "no app stack deployed"))
        return state, drift
    state.stacks = carried_versions(params, _deploy_records(tgt.artifact_bucket, env_name))
    if state.manifest and state.manifest not in state.stacks:
        real = ", ".join(state.stacks) or "code no deploy record names"
        drift.append(Drift("backend", "backend", state.manifest, real, f"{state.stack} runs other code"))
    elif not state.manifest and state.stacks:
        drift.append(Drift("backend", "backend", None, state.stacks[-1], "deployed but not in the manifest"))
    if env.blue_green and state.manifest_colour and state.live_colour != state.manifest_colour:
        drift.append(
            Drift("colour", "colour", state.manifest_colour, state.live_colour, "another colour is live")
        )
    return state, drift


def canary_state(manifest: mf.Manifest, env: str, widget_bucket: str | None) -> dict | None:
    """The environment's canary for the board: the routing object on the CDN (what loaders really
    read), or — when the bucket cannot be read — the manifest's newest canary command."""
    from orchestrator.core import canary as cn
    from orchestrator.release import canary as canary_release

    if widget_bucket is None:
        last = canary_release.last_canary_event(manifest, env)
        named = (last.details.get("canary") or {}) if last else {}
        if not named:
            return None
        active = named.get("state") == "active"
        return {
            "state": named.get("state", "?"),
            "version": named.get("version") if active else None,
            "tenants": len(named.get("tenants", [])) if active else 0,
            "percent": named.get("percent", 0) if active else 0,
            "since": last.at.isoformat() if active else None,
            "source": "manifest",
        }
    current = canary_release.read_routing(widget_bucket)
    if current is None:
        return None
    active = cn.active_canary(current)
    return {
        "state": canary_release._state(current, active),
        "version": active["version"] if active else None,
        "tenants": len(active["tenants"]) if active else 0,
        "percent": active["percent_bp"] / 100 if active else 0,
        "since": active.get("since") if active else None,
        "source": "cdn",
    }


# ── the board ────────────────────────────────────────────────────────────────────────────


def _events(manifest: mf.Manifest, env: str, last: int) -> list[dict]:
    mine = [e for e in manifest.events if e.env == env]
    return [e.model_dump(mode="json") for e in mine[-last:]]


def env_status(manifest: mf.Manifest, env: str, tgt: target.Target | None, last: int = 5) -> EnvStatus:
    """One environment's row of the board. `tgt` None: the real system could not be reached."""
    recorded = manifest.environments.get(env, mf.Environment())
    backend = BackendState(
        manifest=recorded.backend.version if recorded.backend else None,
        manifest_colour=recorded.backend.colour if recorded.backend else None,
    )
    status = EnvStatus(
        env=env,
        backend=backend,
        channels=[ChannelState(c, v, None, None) for c, v in sorted(recorded.channels.items())],
        events=_events(manifest, env, last),
        unfinished=[],
        lock=None,
        drift=[],
        reachable=tgt is not None,
    )
    if tgt is None:
        status.canary = canary_state(manifest, env, None)
        return status
    status.channels, status.drift = channel_drift(manifest, env, tgt.widget_bucket)
    status.canary = canary_state(manifest, env, tgt.widget_bucket)
    status.backend, backend_drift = backend_state(manifest, env, tgt)
    status.drift += backend_drift
    status.unfinished = [
        {
            "id": j.id,
            "kind": j.kind,
            "by": j.by,
            "started_at": j.started_at,
            "steps_done": sorted(j.steps),
            "resume": resume_hint(j.kind, j.id, env, j.request),
        }
        for j in unfinished(tgt.artifact_bucket, env)
    ]
    held = lock.read(tgt.artifact_bucket, env)
    status.lock = asdict(held) if held else None
    return status


def agent_drift(root: Path, manifest: mf.Manifest, env: str) -> list[Drift]:
    """The environment's agents against the manifest and git (infra/agents/)."""
    from orchestrator.agents import pipeline

    try:
        found = pipeline.drift(root, manifest, env)
    except (ClientError, BotoCoreError) as err:
        return [Drift("agent", "agents", None, None, f"could not read the agents: {err.__class__.__name__}")]
    return [Drift("agent", f"agent {d.agent}", _short(d.recorded), _short(d.live), d.reason) for d in found]


def _short(digest: str | None) -> str | None:
    return digest[:19] if digest else None


def collect(
    root: Path,
    envs: list[str] | None = None,
    last: int = 5,
    resolve: Callable[[str], target.Target] = target.resolve,
) -> list[EnvStatus]:
    """The board for each environment (default: every environment the manifest or config names)."""
    manifest = manifest_store.load(root)
    if not envs:
        known = [e for e in environments.names() if e != "local"]
        envs = known + sorted(e for e in manifest.environments if e not in known)
    board = []
    for env in envs:
        try:
            tgt = resolve(env)
        except UserError as err:
            row = env_status(manifest, env, None, last)
            row.problem = err.message
        except (ClientError, BotoCoreError) as err:
            row = env_status(manifest, env, None, last)
            row.problem = f"{err.__class__.__name__}: {err}"
        else:
            row = env_status(manifest, env, tgt, last)
            row.drift += agent_drift(root, manifest, env)
        row.sentry = sentry_state(env)
        board.append(row)
    return board


def sentry_state(env: str) -> str:
    """ "off", or "on (…)" and, when this machine could not tell Sentry, which SENTRY_* is missing."""
    import os

    from orchestrator.observability import settings as sentry_settings

    try:
        s = sentry_settings.settings(environments.load(env))
    except UserError:
        return ""  # an environment the manifest names but the config does not
    try:
        sentry_settings.preflight(s, os.environ)
    except UserError as err:
        return f"{s.describe()}; {err.message.split(' but ', 1)[-1]} here"
    return s.describe()
