"""Applies a plan's steps in order: check the real system, act, verify, journal.

A step whose work is already visible in the real system is not redone, so a crash at any
point — before or after the journal write — resumes to the same end state.

For the crash tests, BOOKINGCHAT_CRASH_AT=<when>:<step> kills the process (os._exit, as
kill -9 would) at that boundary; <when> is `applied` (acted, not yet journaled) or
`journaled`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from orchestrator.engine.journal import Journal
from orchestrator.errors import UserError

CRASH_ENV = "BOOKINGCHAT_CRASH_AT"


class Step(Protocol):
    name: str

    def describe(self, ctx: Any) -> str: ...
    def done(self, ctx: Any) -> bool: ...  # checks the real system
    def apply(self, ctx: Any) -> dict | None: ...  # idempotent; returns outputs for the journal
    def verify(self, ctx: Any) -> None: ...  # raises with a clear reason


class StepFailed(UserError):
    """AWS said no (after botocore's retries of transient errors): exit 1, with how to resume."""

    exit_code = 1


@dataclass(frozen=True)
class Event:
    step: str
    state: str  # skipped (journaled) | present (found done) | running | done
    text: str


def _crash_point(when: str, step: str) -> None:
    if os.environ.get(CRASH_ENV) == f"{when}:{step}":
        os._exit(137)


def run(
    steps: list[Step],
    journal: Journal,
    ctx: Any,
    on_event: Callable[[Event], None] = lambda e: None,
    check: Callable[[], None] = lambda: None,
) -> None:
    """`check` raises when the run must stop before its next step (its lease was lost)."""
    for step in steps:
        check()
        text = step.describe(ctx)
        if journal.is_done(step.name):
            on_event(Event(step.name, "skipped", text))
            continue
        try:
            if step.done(ctx):
                on_event(Event(step.name, "present", text))
                outputs = None
            else:
                on_event(Event(step.name, "running", text))
                outputs = step.apply(ctx)
            _crash_point("applied", step.name)
            step.verify(ctx)
        except (ClientError, BotoCoreError) as err:
            raise StepFailed(
                f"step {step.name} failed: {err}",
                f"nothing after it ran; fix the cause, then run the same command again to resume {journal.id}",
            ) from err
        journal.record(step.name, outputs)
        on_event(Event(step.name, "done", text))
        _crash_point("journaled", step.name)
    journal.finish()
