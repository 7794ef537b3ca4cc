"""`canary watch`: its arguments, its decisions, and the ladder loop driven by a fake clock.

The loop takes a clock, a sleep, a metrics reader and the actions as parameters; here the reader
returns counts from a table and the actions are recorded, so a whole ladder runs in milliseconds.
The real reader (CloudWatch) and the real actions (engine plans) are in
tests/release/test_canary_watch_ladder.py.
"""

from __future__ import annotations

import pytest

from orchestrator.core import canary_watch as cw
from orchestrator.core.canary_judge import Arm, Thresholds, Verdict
from orchestrator.errors import UserError
from orchestrator.release import canary_watch as loop

T = Thresholds(min_boots=100, max_increase_pp=0.5, max_ratio=1.5)
STEPS = [500, 2500, 5000, 10_000]


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("90s", 90), ("1h30m", 5400), ("2H", 7200)])
def test_durations_parse(text, seconds):
    assert cw.parse_duration(text, "bake") == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "not a duration"), ("30", "not a duration"), ("30 min", "not a duration"), ("-5m", "not a duration"),
     ("m30", "not a duration"), ("0s", "out of range"), ("48h", "out of range")],
)  # fmt: skip
def test_bad_durations_are_refused_naming_the_option(text, message):
    with pytest.raises(UserError, match=message) as err:
        cw.parse_duration(text, "bake")
    assert "--bake" in str(err.value)


def test_steps_parse_to_basis_points_and_must_rise_within_range():
    assert cw.parse_steps("5,25,50,100") == STEPS
    assert cw.parse_steps("0.5, 1%") == [50, 100]
    for bad, message in (("5,x", "not a list"), ("25,5", "does not rise"), ("5,5", "does not rise"),
                         ("0,50", "out of range"), ("50,150", "out of range"), ("", "not a list")):  # fmt: skip
        with pytest.raises(UserError, match=message):
            cw.parse_steps(bad)


def test_next_step_is_the_first_above_the_share_now():
    assert cw.next_step(0, STEPS) == 500
    assert cw.next_step(1000, STEPS) == 2500  # a canary started at 10 % joins the ladder above it
    assert cw.next_step(10_000, STEPS) is None


PASS, FAIL = Verdict("pass", "healthy"), Verdict("fail", "canary is worse: 3% vs 1%")
INCONCLUSIVE, ERROR = Verdict("inconclusive", "too few boots"), Verdict("error", "canary: no data")


@pytest.mark.parametrize(
    ("verdict", "bp", "baked", "waited", "promote", "expected"),
    [
        (FAIL, 500, False, 60, False, ("abort", None, 1)),  # a fail aborts mid-bake
        (ERROR, 500, True, 1800, False, ("stop", None, 1)),
        (PASS, 500, False, 600, False, ("wait", None, 0)),  # a pass counts only once baked
        (PASS, 500, True, 1800, False, ("set", 2500, 0)),
        (PASS, 10_000, True, 1800, False, ("ready", None, 0)),
        (PASS, 10_000, True, 1800, True, ("promote", None, 0)),
        (INCONCLUSIVE, 500, True, 1800, False, ("wait", None, 0)),
        (INCONCLUSIVE, 500, True, 5400, False, ("stop", None, 1)),  # gave up after max_wait
    ],
)
def test_decisions(verdict, bp, baked, waited, promote, expected):
    d = cw.decide(verdict, bp, STEPS, baked, waited, max_wait=5400, promote=promote)
    assert (d.action, d.percent_bp, d.exit_code) == expected
    if d.action == "ready":
        assert d.reason.startswith("ready to promote")


# ── the loop ────────────────────────────────────────────────────────────────────────────────


class Clock:
    def __init__(self):
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


def status(percent=5.0, state="active"):
    return {"state": state, "version": "1.1.0", "stable": "1.0.0", "percent": percent}


def drive(counts, *, percent=5.0, bake="10m", interval="5m", promote=False, max_wait=""):
    """counts(percent_bp) → (canary Arm, stable Arm); returns the watch and the actions taken."""
    clock, acted = Clock(), []
    state = {"bp": round(percent * 100)}

    def reader(canary, stable, start, end):
        assert (canary, stable) == ("1.1.0", "1.0.0") and start < end
        return counts(state["bp"])

    def act(action, pct, reason, numbers):
        acted.append((action, pct, reason, numbers))
        if action == "set":
            state["bp"] = round(float(pct) * 100)

    w = loop.watch(
        None, "dev", bake, "5,25,50,100", interval, max_wait, promote,
        status=status(percent), thresholds=T, reader=reader, act=act,
        clock=clock, sleep=clock.sleep, echo=lambda s: None,
    )  # fmt: skip
    return w, acted


HEALTHY = (Arm(1000, 10), Arm(10_000, 100))


def test_a_healthy_canary_climbs_every_step_then_is_ready_to_promote():
    w, acted = drive(lambda bp: HEALTHY)
    assert [(a, p) for a, p, *_ in acted] == [("set", "25"), ("set", "50"), ("set", "100")]
    assert (w.result, w.exit_code, w.percent_bp) == ("ready", 0, 10_000)
    assert w.reason.startswith("ready to promote")
    # two checks per 10-minute bake at a 5-minute interval: wait, then act
    assert [c["decision"] for c in w.checks] == ["wait", "set"] * 3 + ["wait", "ready"]


def test_with_promote_the_last_step_promotes():
    w, acted = drive(lambda bp: HEALTHY, promote=True)
    assert acted[-1][0] == "promote" and w.result == "promoted"


def test_a_worse_canary_at_25_percent_is_aborted_at_once_with_the_numbers():
    def counts(bp):
        return HEALTHY if bp < 2500 else (Arm(1000, 80), Arm(10_000, 100))  # 8 % vs 1 %

    w, acted = drive(counts)
    action, pct, reason, numbers = acted[-1]
    assert (action, pct) == ("abort", None) and w.result == "aborted" and w.exit_code == 1
    assert "canary is worse" in reason and "8.00% vs stable 1.00%" in reason
    assert numbers["canary"] == {"version": "1.1.0", "boots": 1000, "errors": 80}
    assert numbers["stable"] == {"version": "1.0.0", "boots": 10_000, "errors": 100}
    assert numbers["percent"] == 25 and numbers["verdict"]["outcome"] == "fail"
    assert w.checks[-1]["decision"] == "abort" and len(w.checks) == 3  # abort on the first check at 25 %


def test_too_little_traffic_holds_then_gives_up_without_touching_the_canary():
    w, acted = drive(lambda bp: (Arm(10, 0), Arm(10_000, 100)), max_wait="30m")
    assert acted == [] and w.result == "stopped" and w.exit_code == 1
    assert "no conclusion after 30 min" in w.reason and w.percent_bp == 500


def test_a_missing_metric_stops_naming_it():
    w, acted = drive(lambda bp: (Arm(None, None), Arm(10_000, 100)))
    assert acted == [] and (w.result, w.exit_code) == ("stopped", 1)
    assert "canary: no data" in w.reason


def test_no_active_canary_is_refused():
    with pytest.raises(UserError, match="no active canary"):
        loop.watch(
            None, "dev", "10m", status=status(state="aborted"), thresholds=T,
            reader=None, act=None, sleep=lambda s: None,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"bake": "30s"}, "--bake"), ({"bake": "soon"}, "--bake"), ({"interval": "2h"}, "--interval"),
     ({"steps": "50,25"}, "does not rise"), ({"max_wait": "1m"}, "--max-wait")],
)  # fmt: skip
def test_bad_arguments_are_refused_before_any_read(kwargs, message):
    def reader(*a):
        raise AssertionError("read before the arguments were checked")

    args = {"bake": "30m", "steps": "5,25,50,100", "interval": "60s", "max_wait": "", **kwargs}
    with pytest.raises(UserError, match=message):
        loop.watch(None, "dev", **args, status=status(), thresholds=T, reader=reader, act=None)
