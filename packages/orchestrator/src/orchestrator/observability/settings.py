"""Whether an environment reports to Sentry, and whether the SENTRY_* connection is there.

Per environment (infra/environments/*.toml `[sentry]`): on/off, the SSM parameter holding the
DSN, sample rates. Per machine (CI: the GitHub environment's secrets): SENTRY_URL, SENTRY_ORG,
SENTRY_PROJECT, SENTRY_AUTH_TOKEN, the variables sentry-cli reads. Sentry on without them is a
refusal in preflight (exit 2), before anything changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from orchestrator.environments import Environment
from orchestrator.errors import UserError

REQUIRED = ("SENTRY_ORG", "SENTRY_PROJECT", "SENTRY_AUTH_TOKEN")  # SENTRY_URL defaults to sentry.io


@dataclass(frozen=True)
class SentrySettings:
    env: str
    enabled: bool
    dsn_parameter: str
    widget_sample_rate: float
    backend_sample_rate: float

    def describe(self) -> str:
        if not self.enabled:
            return "off"
        return f"on (DSN in SSM {self.dsn_parameter}, widget {self.widget_sample_rate:g}, backend {self.backend_sample_rate:g})"


def settings(env: Environment) -> SentrySettings:
    rates = {k: float(env[f"sentry.{k}"]) for k in ("widget_sample_rate", "backend_sample_rate")}
    for key, rate in rates.items():
        if not 0.0 <= rate <= 1.0:
            raise UserError(
                f"infra/environments/{env.name}.toml: sentry.{key} must be between 0.0 and 1.0, got {rate}",
                "a share of errors: 1.0 sends every one",
            )
    return SentrySettings(
        env=env.name,
        enabled=bool(env["sentry.enabled"]),
        dsn_parameter=env["sentry.dsn_parameter"] or f"/bookingchat/{env.name}/SENTRY_DSN",
        **rates,
    )


def preflight(s: SentrySettings, environ: Mapping[str, str]) -> None:
    """Refuse (exit 2) when the environment reports to Sentry but the connection is not set."""
    if not s.enabled:
        return
    missing = [k for k in REQUIRED if not environ.get(k)]
    if missing:
        raise UserError(
            f"Sentry is on for {s.env} but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set",
            "set them (in CI: the GitHub environment's secrets), "
            f"or set [sentry] enabled = false in infra/environments/{s.env}.toml",
        )
