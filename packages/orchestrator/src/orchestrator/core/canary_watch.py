"""`canary watch` decisions: its arguments, and what to do with one verdict of the health judge.

Pure: text and verdicts in, decisions out (the loop that sleeps, reads CloudWatch and calls the
canary commands is `release/canary_watch.py`). After Argo Rollouts' analysis runs and Flagger
(/work/shared/anchors/canary-and-sentry.md A4/A5):

- a `fail` aborts at once, even mid-bake (each check reads the window since the step began);
- a `pass` counts only once the step has baked its full time: then the next step, or, at the last
  step, "ready to promote" (or the promotion with --promote);
- `inconclusive` (too few boots) holds the step: never promote, never abort on too little data,
  and stop (exit 1, the canary left where it is) after `max_wait` without a conclusion;
- `error` (a metric returned nothing) stops at once, naming it: a missing metric is not zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orchestrator.core.canary_judge import Verdict
from orchestrator.errors import UserError

_UNITS = {"s": 1, "m": 60, "h": 3600}
_DURATION = re.compile(r"(\d+)([smh])")
MAX_BAKE = 24 * 3600  # CloudWatch keeps 1-minute data 15 days; a day per step is already long


def parse_duration(text: str, what: str, minimum: int = 1, maximum: int = MAX_BAKE) -> int:
    """'30m', '90s', '1h30m' → seconds; anything else is a UserError naming the option."""
    raw = (text or "").strip().lower()
    parts = _DURATION.findall(raw)
    if not raw or not parts or "".join(n + u for n, u in parts) != raw:
        raise UserError(
            f"--{what} {text!r} is not a duration", "write it like 30m, 90s or 1h30m (units s, m, h)"
        )
    seconds = sum(int(n) * _UNITS[u] for n, u in parts)
    if not minimum <= seconds <= maximum:
        raise UserError(
            f"--{what} {text!r} is out of range", f"give between {minimum} s and {maximum // 3600} h"
        )
    return seconds


def parse_steps(text: str) -> list[int]:
    """'5,25,50,100' → basis points [500, 2500, 5000, 10000]: rising, each in (0, 100] %."""
    items = [s.strip().removesuffix("%") for s in (text or "").split(",")]
    try:
        values = [float(s) for s in items]
    except ValueError:
        raise UserError(
            f"--steps {text!r} is not a list of percentages", "write it like 5,25,50,100"
        ) from None
    bps = [round(v * 100) for v in values]
    if not bps or any(not 0 < bp <= 10_000 for bp in bps):
        raise UserError(f"--steps {text!r} is out of range", "each step is a percentage above 0, up to 100")
    if any(b <= a for a, b in zip(bps, bps[1:], strict=False)):
        raise UserError(f"--steps {text!r} does not rise", "list the percentages in rising order")
    return bps


def next_step(current_bp: int, steps: list[int]) -> int | None:
    """The first step above the canary's share now; None once it is at (or past) the last one."""
    return next((s for s in steps if s > current_bp), None)


@dataclass(frozen=True)
class Decision:
    action: str  # wait | set | ready | promote | abort | stop
    reason: str
    percent_bp: int | None = None  # for `set`
    exit_code: int = 0  # for the actions that end the watch


def decide(
    verdict: Verdict,
    current_bp: int,
    steps: list[int],
    baked: bool,
    waited: int,
    max_wait: int,
    promote: bool = False,
) -> Decision:
    """One check's verdict → what to do. `baked`: the step has run its bake time; `waited`: seconds
    since the step began (its bake included); `max_wait`: when an inconclusive step gives up."""
    if verdict.outcome == "error":
        return Decision("stop", f"cannot judge the canary: {verdict.reason}", exit_code=1)
    if verdict.outcome == "fail":
        return Decision("abort", verdict.reason, exit_code=1)
    if not baked:
        return Decision("wait", f"baking: {verdict.reason}")
    if verdict.outcome == "inconclusive":
        if waited >= max_wait:
            return Decision(
                "stop",
                f"no conclusion after {waited // 60} min: {verdict.reason}; the canary stays where it is",
                exit_code=1,
            )
        return Decision("wait", f"holding: {verdict.reason}")
    nxt = next_step(current_bp, steps)
    if nxt is not None:
        return Decision("set", verdict.reason, percent_bp=nxt)
    if promote:
        return Decision("promote", verdict.reason)
    return Decision("ready", f"ready to promote: {verdict.reason}")
