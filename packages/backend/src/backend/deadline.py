"""The time budget of one request: when the chat turn must stop asking the model.

AppSync gives a resolver 30 s and the functions time out at 29 s (infra/app/functions.yaml);
the guided flow and the final writes must still fit after the model gave up. So a turn's
deadline is the Lambda's remaining time (from its context, when there is one), capped by
AppSync's limit, minus a reserve for answering without the model. Pure apart from the clock.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

APPSYNC_LIMIT_SECONDS = 30.0
DEFAULT_RESERVE_SECONDS = 5.0  # guided flow (a few DynamoDB calls), conversation and usage writes


@dataclass(frozen=True)
class Deadline:
    at: float  # time.monotonic() value

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def allows(self, seconds: float) -> bool:
        """True while at least `seconds` are left (enough for one more useful call)."""
        return self.remaining() >= seconds


def reserve_seconds() -> float:
    return float(os.environ.get("CHAT_GUIDED_RESERVE_SECONDS", DEFAULT_RESERVE_SECONDS))


def for_turn(context=None, *, reserve: float | None = None) -> Deadline:
    """The deadline for the model part of a turn that starts now."""
    budget = APPSYNC_LIMIT_SECONDS
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining_ms):
        budget = min(budget, remaining_ms() / 1000)
    budget -= reserve_seconds() if reserve is None else reserve
    return Deadline(time.monotonic() + max(0.0, budget))
