"""The canary health judge: minimum sample, both margins, the confidence bound, bad data."""

from __future__ import annotations

import pytest

from orchestrator import environments
from orchestrator.core.canary_judge import Arm, Thresholds, judge

T = Thresholds(min_boots=800, max_increase_pp=0.5, max_ratio=1.5)


def test_too_few_boots_is_inconclusive_never_fail_even_when_every_boot_failed():
    v = judge(Arm(boots=100, errors=100), Arm(boots=10_000, errors=100), T)
    assert v.outcome == "inconclusive" and "need 800" in v.reason


def test_a_clearly_worse_canary_fails_with_the_numbers():
    v = judge(Arm(boots=2000, errors=60), Arm(boots=50_000, errors=500), T)  # 3 % vs 1 %
    assert v.outcome == "fail"
    assert v.canary_rate == pytest.approx(0.03) and v.stable_rate == pytest.approx(0.01)
    assert v.lower_bound > 0 and "3.00% vs stable 1.00%" in v.reason


def test_an_equal_canary_passes():
    assert judge(Arm(1000, 10), Arm(50_000, 500), T).outcome == "pass"


def test_worse_by_both_margins_and_significant_fails():
    assert judge(Arm(2000, 22), Arm(50_000, 200), T).outcome == "fail"  # 1.1 % vs 0.4 %


@pytest.mark.parametrize(
    ("canary", "stable", "why"),
    [
        (Arm(2000, 218), Arm(50_000, 5000), "+0.9 pp but only ×1.09"),
        (Arm(2000, 6), Arm(50_000, 50), "×3 but only +0.2 pp"),
        (Arm(800, 14), Arm(800, 8), "+0.75 pp and ×1.75 but the lower bound is below 0 (noise)"),
    ],
)
def test_worse_by_one_margin_or_within_noise_is_not_a_failure(canary, stable, why):
    assert judge(canary, stable, T).outcome == "pass", why


@pytest.mark.parametrize(
    "canary", [None, Arm(None, 3), Arm(1000, None), Arm(-1, 0), Arm(10, 10_000)], ids=str
)
def test_missing_or_impossible_counts_are_an_error_not_zero(canary):
    assert judge(canary, Arm(10_000, 10), T).outcome == "error"
    assert judge(Arm(10_000, 10), canary, T).outcome == "error"


def test_thresholds_come_from_each_environment():
    prod = Thresholds.from_env(environments.load("prod"))
    dev = Thresholds.from_env(environments.load("dev"))
    assert prod.min_boots == 800 and dev.min_boots == 50
    assert prod.max_ratio == 1.5 and prod.z == pytest.approx(1.645)
