"""Environment configuration: `infra/environments/<env>.toml` over `base.toml`.

`base.toml` declares every key with its default; an environment file may only override them.
An unknown key, a wrong type or an unknown environment is a refusal, never a silent default.
Each value remembers where it came from, so `./inv config ENV` can say so.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestrator.errors import UserError
from orchestrator.paths import INFRA

ENV_DIR = INFRA / "environments"
BASE = "base"
PREFIX = "bookingchat"
STACKS = ("data", "app", "edge", "monitoring")
COLOURS = ("blue", "green")


@dataclass(frozen=True)
class Value:
    value: Any
    source: str  # e.g. "infra/environments/base.toml"


@dataclass(frozen=True)
class Environment:
    """One environment's resolved settings (dotted keys such as `deploy.blue_green`)."""

    name: str
    values: dict[str, Value]

    def __getitem__(self, key: str) -> Any:
        return self.values[key].value

    @property
    def is_prod(self) -> bool:
        return self.name == "prod"

    @property
    def blue_green(self) -> bool:
        return bool(self["deploy.blue_green"])

    @property
    def region(self) -> str:
        return self["aws.region"]

    def stack_name(self, stack: str) -> str:
        return f"{PREFIX}-{self.name}-{stack}"

    def app_stacks(self) -> list[str]:
        """The app stack names: one, or one per colour when blue/green."""
        if self.blue_green:
            return [self.stack_name(f"app-{c}") for c in COLOURS]
        return [self.stack_name("app")]

    def artifact_bucket(self, account: str) -> str:
        return f"{PREFIX}-{self.name}-artifacts-{account}"

    def limit_params(self) -> dict[str, str]:
        """The app stack's parameters for the public key's limits ([limits] in the toml)."""
        return {
            "WafRequestsPer5Min": str(self["limits.waf_requests_per_5min"]),
            "QueryDepthLimit": str(self["limits.query_depth"]),
            "ResolverCountLimit": str(self["limits.resolver_count"]),
            "AuthorizerConcurrency": str(self["limits.authorizer_concurrency"]),
            "ChatConcurrency": str(self["limits.chat_concurrency"]),
        }

    def as_rows(self) -> list[tuple[str, Any, str]]:
        return [(k, v.value, v.source) for k, v in sorted(self.values.items())]


def names(env_dir: Path = ENV_DIR) -> list[str]:
    """Every environment that has a file (base.toml is not an environment)."""
    return sorted(p.stem for p in env_dir.glob("*.toml") if p.stem != BASE)


def _flatten(data: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        return _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as err:
        raise UserError(f"{_rel(path)} is not valid TOML: {err}", "fix the file and run again") from None


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(INFRA.parent))
    except ValueError:
        return str(path)


def load(name: str, env_dir: Path = ENV_DIR) -> Environment:
    """Resolve one environment: base values, overridden by the environment's own file."""
    known = names(env_dir)
    if name not in known:
        raise UserError(f"unknown environment {name!r}", f"choose one of: {', '.join(known)}")
    base_path, env_path = env_dir / f"{BASE}.toml", env_dir / f"{name}.toml"
    values = {k: Value(v, _rel(base_path)) for k, v in _read(base_path).items()}
    for key, value in _read(env_path).items():
        if key not in values:
            raise UserError(
                f"{_rel(env_path)}: unknown key {key!r}",
                f"declare it in {_rel(base_path)} first, or fix the spelling",
            )
        default = values[key].value
        if type(value) is not type(default):
            raise UserError(
                f"{_rel(env_path)}: {key} must be a {type(default).__name__}, got {value!r}",
                f"the default in {_rel(base_path)} is {default!r}",
            )
        values[key] = Value(value, _rel(env_path))
    env = Environment(name, values)
    if env.blue_green and not env["api.domain"]:
        raise UserError(f"{name}: blue/green needs api.domain", f"set [api] domain in {_rel(env_path)}")
    if env["identity.admin_mfa"] not in ADMIN_MFA:
        raise UserError(
            f"{_rel(env_path)}: identity.admin_mfa must be one of {', '.join(ADMIN_MFA)}, "
            f"got {env['identity.admin_mfa']!r}",
            "ON (TOTP required) for qa and prod, OPTIONAL for dev",
        )
    return env


ADMIN_MFA = ("ON", "OPTIONAL")  # Cognito MfaConfiguration; OFF is never offered for admins


def check_account(env: Environment, account: str) -> None:
    """Refuse credentials for another account, and prod without a pinned account (AWS only)."""
    pinned = env["aws.account"]
    if pinned and pinned != account:
        raise UserError(
            f"{env.name} lives in account {pinned}, but the credentials are for {account}",
            f"assume {env.name}'s deploy role (or switch profile)",
        )
    if env.is_prod and not pinned:
        raise UserError(
            f"{env.name} has no aws.account pinned",
            f"set [aws] account in infra/environments/{env.name}.toml",
        )
