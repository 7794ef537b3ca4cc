"""The canary health judge: is the canary's client error rate worse than stable's, over one window?

Pure: counts in, verdict out. `canary watch` (not built yet) will feed it boots and errors per
widget version from the metrics and act on the verdict. Four outcomes, after Argo Rollouts and
Kayenta (docs: /work/shared/anchors/canary-and-sentry.md A4/A5):

- `error`: a count is missing or impossible (a metric that returned nothing is not zero; Flagger
  rolled back on "no values found", fluxcd/flagger#1035) — the watcher counts these and stops;
- `inconclusive`: either arm has fewer boots than the environment's minimum — hold: never
  promote, never abort on too little data;
- `fail`: the canary is worse by BOTH an absolute margin (percentage points) and a ratio, and the
  one-sided lower confidence bound of (canary − stable) is above 0 — abort;
- `pass`: enough data and not worse by those rules — the watcher may raise the percentage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Arm:
    boots: int | None  # app boots of this version in the window (the denominator)
    errors: int | None  # client errors + failed chat turns of this version in the window


@dataclass(frozen=True)
class Thresholds:
    min_boots: int = 800  # per arm; ~800 canary boots detect a doubling of a 1 % rate (80 % power)
    max_increase_pp: float = 0.5  # worse by more than this many percentage points …
    max_ratio: float = 1.5  # … and by more than this factor
    z: float = 1.645  # one-sided 95 %

    @classmethod
    def from_env(cls, env: Any) -> Thresholds:
        """From an `environments.Environment` ([canary] in infra/environments/*.toml)."""
        return cls(
            min_boots=int(env["canary.min_boots"]),
            max_increase_pp=float(env["canary.max_increase_pp"]),
            max_ratio=float(env["canary.max_ratio"]),
            z=float(env["canary.z"]),
        )


@dataclass(frozen=True)
class Verdict:
    outcome: str  # pass | fail | inconclusive | error
    reason: str
    canary_rate: float | None = None
    stable_rate: float | None = None
    lower_bound: float | None = None  # of canary_rate − stable_rate

    def as_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "reason": self.reason,
            "canary_rate": self.canary_rate,
            "stable_rate": self.stable_rate,
            "lower_bound": self.lower_bound,
        }


def _bad(arm: Arm | None) -> str | None:
    if arm is None or arm.boots is None or arm.errors is None:
        return "no data"
    if arm.boots < 0 or arm.errors < 0:
        return "negative counts"
    if arm.errors > arm.boots * 50:  # a visitor's boot can fail many turns, not thousands
        return f"{arm.errors} errors for {arm.boots} boots"
    return None


def judge(canary: Arm | None, stable: Arm | None, t: Thresholds) -> Verdict:
    for name, arm in (("canary", canary), ("stable", stable)):
        if problem := _bad(arm):
            return Verdict("error", f"{name}: {problem}")
    if canary.boots < t.min_boots or stable.boots < t.min_boots:
        return Verdict(
            "inconclusive",
            f"too few boots (canary {canary.boots}, stable {stable.boots}; need {t.min_boots} each)",
        )
    # errors per boot may exceed 1; the normal approximation then uses the rate capped at 1.
    pc, ps = canary.errors / canary.boots, stable.errors / stable.boots
    qc, qs = min(pc, 1.0), min(ps, 1.0)
    se = math.sqrt(qc * (1 - qc) / canary.boots + qs * (1 - qs) / stable.boots)
    lower = (pc - ps) - t.z * se
    numbers = f"canary {pc:.2%} vs stable {ps:.2%} (lower bound of the difference {lower:+.2%})"
    worse = (pc - ps) * 100 > t.max_increase_pp and pc > t.max_ratio * ps and lower > 0
    if worse:
        return Verdict("fail", f"canary is worse: {numbers}", pc, ps, lower)
    return Verdict("pass", f"healthy: {numbers}", pc, ps, lower)
