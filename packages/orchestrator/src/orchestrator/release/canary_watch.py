"""`inv canary-watch`: bake each step, judge the canary against stable, raise, promote or abort by itself.

The loop only reads (CloudWatch, the routing object) and decides (core/canary_watch.py with the
judge of core/canary_judge.py); every change it makes is one of the canary commands of
release/canary.py — `set`, `abort`, `promote` — each its own engine plan (lease, journal,
record). The canary's state lives in the routing object, so a watch that dies is resumed by
running it again: it starts from the percentage the object carries now.

Every check reads WidgetBoots / WidgetErrors of the canary and the stable version over the same
window — since the current step began — from the per-version dimension set the backend publishes
(backend.observability.widget_dimensions). The clock, the sleep, the metrics reader and the
actions are parameters, so a test drives a whole ladder in milliseconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from orchestrator.core import canary_watch as cw
from orchestrator.core.canary_judge import Arm, Thresholds, judge
from orchestrator.errors import UserError

# (canary version, stable version, window start, window end) → (canary arm, stable arm)
Reader = Callable[[str, str, datetime, datetime], tuple[Arm, Arm]]
# (action, percent or None, reason, numbers) → None; performs `canary set|abort|promote`
Act = Callable[[str, str | None, str, dict], None]


def queries(env: str, canary: str, stable: str) -> tuple[str, dict[str, tuple[str, dict[str, str]]]]:
    """(namespace, {query id: (metric, dimensions)}): the series the watcher reads, named exactly as
    the backend publishes them (tests/contracts/test_metrics_contract.py holds the two together)."""
    from backend import observability as obs

    return obs.NAMESPACE, {
        f"{arm}{name}": (metric.value, obs.widget_dimensions(env, version))
        for arm, version in (("canary", canary), ("stable", stable))
        for name, metric in (("Boots", obs.Metric.WIDGET_BOOTS), ("Errors", obs.Metric.WIDGET_ERRORS))
    }


def cloudwatch_reader(env: str) -> Reader:
    """Sums of the widget counters per version from CloudWatch (GetMetricData)."""
    from orchestrator.adapters import metrics

    def read(canary: str, stable: str, start: datetime, end: datetime) -> tuple[Arm, Arm]:
        namespace, wanted = queries(env, canary, stable)
        got = metrics.sums(namespace, wanted, start, end)

        def arm(prefix: str) -> Arm:
            boots, errors = got[f"{prefix}Boots"], got[f"{prefix}Errors"]
            return Arm(None if boots is None else int(boots), None if errors is None else int(errors))

        return arm("canary"), arm("stable")

    return read


@dataclass
class Watch:
    env: str
    version: str
    stable: str
    steps: list[int]
    percent_bp: int
    checks: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    result: str = ""  # promoted | ready | aborted | stopped
    reason: str = ""
    exit_code: int = 0

    def to_json(self) -> dict:
        return {
            "env": self.env,
            "version": self.version,
            "stable": self.stable,
            "steps": [s / 100 for s in self.steps],
            "percent": self.percent_bp / 100,
            "result": self.result,
            "reason": self.reason,
            "exit_code": self.exit_code,
            "checks": self.checks,
            "actions": self.actions,
        }


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def engine_actions(root: Path, env: str, push: bool, tgt, echo, on_event) -> Act:
    """The real actions: release/canary.py's own plans, recorded in the manifest like a hand-run one."""
    from orchestrator.release import canary

    def act(action: str, percent: str | None, reason: str, numbers: dict) -> None:
        canary.run(
            root, action, env, percent=percent, reason=reason, push=push, echo=echo, on_event=on_event,
            tgt=tgt, details={"watch": numbers},
        )  # fmt: skip

    return act


def watch(
    root: Path,
    env: str,
    bake: str = "30m",
    steps: str = "5,25,50,100",
    interval: str = "60s",
    max_wait: str = "",
    promote: bool = False,
    *,
    status: dict,
    thresholds: Thresholds,
    reader: Reader,
    act: Act,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    echo: Callable[[str], None] = print,
) -> Watch:
    """Run the ladder from the canary's `status` (release.canary.status) until it ends."""
    bake_s = cw.parse_duration(bake, "bake", minimum=60)  # CloudWatch's period: at least a minute
    interval_s = cw.parse_duration(interval, "interval", maximum=bake_s)
    wait_s = cw.parse_duration(max_wait, "max-wait", minimum=bake_s) if max_wait else 3 * bake_s
    ladder = cw.parse_steps(steps)
    if status.get("state") != "active" or not status.get("version"):
        raise UserError(
            f"{env} has no active canary ({status.get('state')})",
            f"start one first: ./inv canary-start VERSION --env {env} --percent {ladder[0] / 100:g}",
        )
    if not status.get("stable"):
        raise UserError(
            f"{env} has no stable widget to compare the canary with", "promote one to stable first"
        )
    w = Watch(env, status["version"], status["stable"], ladder, round(status["percent"] * 100))
    echo(
        f"watching canary {w.version} against stable {w.stable} in {env}: bake {bake_s // 60} min per step, "
        f"steps {', '.join(f'{s / 100:g} %' for s in ladder)}, now {w.percent_bp / 100:g} %"
    )
    step_started = clock()
    while True:
        sleep(interval_s)
        now = clock()
        elapsed = now - step_started
        canary_arm, stable_arm = reader(w.version, w.stable, _at(step_started), _at(now))
        verdict = judge(canary_arm, stable_arm, thresholds)
        decision = cw.decide(verdict, w.percent_bp, ladder, elapsed >= bake_s, int(elapsed), wait_s, promote)
        numbers = {
            "percent": w.percent_bp / 100,
            "window": [_iso(step_started), _iso(now)],
            "canary": {"version": w.version, "boots": canary_arm.boots, "errors": canary_arm.errors},
            "stable": {"version": w.stable, "boots": stable_arm.boots, "errors": stable_arm.errors},
            "verdict": verdict.as_dict(),
        }
        w.checks.append({**numbers, "decision": decision.action})
        echo(f"{w.percent_bp / 100:g} %, {int(elapsed) // 60} min: {decision.action} — {decision.reason}")
        if decision.action == "wait":
            continue
        if decision.action == "set":
            percent = f"{decision.percent_bp / 100:g}"
            act("set", percent, f"canary watch: {decision.reason}", numbers)
            w.actions.append({"action": "set", "percent": decision.percent_bp / 100, "at": _iso(now)})
            w.percent_bp, step_started = decision.percent_bp, clock()
            continue
        if decision.action in ("abort", "promote"):
            act(decision.action, None, f"canary watch: {decision.reason}", numbers)
            w.actions.append({"action": decision.action, "at": _iso(now)})
        w.result = {"abort": "aborted", "promote": "promoted", "ready": "ready", "stop": "stopped"}[
            decision.action
        ]
        w.reason, w.exit_code = decision.reason, decision.exit_code
        return w


def health(
    status: dict, env: str, reader: Reader | None = None, now: float | None = None, max_age: int = 24 * 3600
) -> dict | None:
    """`canary-status`'s health line: the judge over the window since the routing last changed
    (at most `max_age`), with the numbers; None without an active canary."""
    from orchestrator import environments

    if status.get("state") != "active" or not status.get("version") or not status.get("stable"):
        return None
    end = time.time() if now is None else now
    changed = status.get("updated") or status.get("since")
    try:
        start = datetime.fromisoformat(str(changed).replace("Z", "+00:00")).timestamp()
    except ValueError:
        start = end - max_age
    start = min(max(start, end - max_age), end - 60)
    canary_arm, stable_arm = (reader or cloudwatch_reader(env))(
        status["version"], status["stable"], _at(start), _at(end)
    )
    verdict = judge(canary_arm, stable_arm, Thresholds.from_env(environments.load(env)))
    return {
        "window": [_iso(start), _iso(end)],
        "canary": {"version": status["version"], "boots": canary_arm.boots, "errors": canary_arm.errors},
        "stable": {"version": status["stable"], "boots": stable_arm.boots, "errors": stable_arm.errors},
        "verdict": verdict.as_dict(),
    }


def _at(t: float) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def run(
    root: Path,
    env: str,
    bake: str = "30m",
    steps: str = "5,25,50,100",
    interval: str = "60s",
    max_wait: str = "",
    promote: bool = False,
    dry_run: bool = False,
    push: bool = False,
    echo: Callable[[str], None] = print,
    on_event=lambda e: None,
    tgt=None,
    reader: Reader | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> Watch:
    """The command: arguments checked before anything is read (exit 2), then the ladder.

    --dry-run reads and judges but changes nothing: each decision is printed as "would …" and the
    ladder goes on as if it had been taken."""
    from orchestrator import environments
    from orchestrator.engine import target
    from orchestrator.release import canary

    cw.parse_duration(bake, "bake", minimum=60)  # refuse bad arguments before reaching AWS
    cw.parse_steps(steps)
    tgt = tgt or target.resolve(env)
    if dry_run:

        def act(action, percent, reason, numbers):
            echo(f"would run canary {action}{f' --percent {percent}' if percent else ''} ({reason})")
    else:
        act = engine_actions(root, env, push, tgt, echo, on_event)
    return watch(
        root, env, bake, steps, interval, max_wait, promote,
        status=canary.status(root, env, tgt=tgt),
        thresholds=Thresholds.from_env(environments.load(env)),
        reader=reader or cloudwatch_reader(env),
        act=act, clock=clock, sleep=sleep, echo=echo,
    )  # fmt: skip
