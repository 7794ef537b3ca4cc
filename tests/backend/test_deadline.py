"""The turn's deadline: the Lambda's remaining time, capped by AppSync's limit, minus a reserve."""

import time
from types import SimpleNamespace

import pytest

from backend import deadline, runtime


def lambda_context(seconds: float):
    return SimpleNamespace(get_remaining_time_in_millis=lambda: int(seconds * 1000))


@pytest.mark.parametrize(
    ("context", "reserve", "expected"),
    [
        (lambda_context(29), 5, 24),  # the function's Timeout is 29 s
        (lambda_context(60), 5, 25),  # AppSync answers the caller after 30 s whatever Lambda allows
        (None, 5, 25),  # no context (local AppSync, tests): AppSync's limit
        (lambda_context(3), 5, 0),  # too late already: the guided flow answers at once
    ],
)
def test_the_model_gets_what_is_left_after_the_reserve(context, reserve, expected):
    left = deadline.for_turn(context, reserve=reserve).remaining()
    assert expected - 0.5 <= left <= expected


def test_the_reserve_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CHAT_GUIDED_RESERVE_SECONDS", "2")
    assert 7.5 <= deadline.for_turn(lambda_context(10)).remaining() <= 8


def test_a_deadline_allows_a_call_only_with_enough_time_left():
    soon = deadline.Deadline(time.monotonic() + 0.5)
    assert soon.allows(0.1) and not soon.allows(1)


def test_bedrock_read_timeouts_are_bounded_by_the_time_left(monkeypatch):
    # Whole seconds, at least 1: the agent starts no call with less than MIN_CALL_SECONDS left.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    runtime.reset()
    try:
        default = runtime.bedrock()
        assert default.meta.config.read_timeout == 12
        assert runtime.bedrock(read_timeout=30) is default
        assert runtime.bedrock(read_timeout=3.7).meta.config.read_timeout == 3
        assert runtime.bedrock(read_timeout=0.2).meta.config.read_timeout == 1
    finally:
        runtime.reset()
