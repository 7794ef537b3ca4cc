"""What to do with a stack, given its CloudFormation status: one table, one screen (pure).

Borrowed from Sceptre's `launch`, and stricter: stacks that never got created are deleted and
created again (outside prod), a failed update rollback is continued on the root stack, and a
stack that is busy is waited for, never overlapped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Action(Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE_THEN_CREATE = "delete, then create"
    CONTINUE_ROLLBACK = "continue the update rollback, then update"
    WAIT = "wait until it settles"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str
    hint: str = ""


# A stack in one of these never held resources: nothing is lost by deleting it.
NEVER_CREATED = {"REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE", "CREATE_FAILED"}
UPDATABLE = {
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
    "IMPORT_COMPLETE",
    "IMPORT_ROLLBACK_COMPLETE",
}


def decide(status: str | None, *, prod: bool) -> Decision:
    """Map a stack status (None = no such stack) to the one action a deploy takes."""
    if status is None or status == "DELETE_COMPLETE":
        return Decision(Action.CREATE, "the stack does not exist")
    if status in UPDATABLE:
        return Decision(Action.UPDATE, f"the stack is {status}")
    if status in NEVER_CREATED:
        if prod:
            return Decision(
                Action.REFUSE,
                f"the stack is {status}: it never got created, and prod stacks are not deleted by a deploy",
                "look at its events, delete it by hand (aws cloudformation delete-stack), then deploy again",
            )
        return Decision(Action.DELETE_THEN_CREATE, f"the stack is {status}: it never got created")
    if status == "UPDATE_ROLLBACK_FAILED":
        return Decision(Action.CONTINUE_ROLLBACK, "the last update could not roll back")
    if status.endswith("_IN_PROGRESS"):
        return Decision(Action.WAIT, f"the stack is {status}: another operation is running")
    if status == "UPDATE_FAILED":
        return Decision(
            Action.REFUSE,
            "the stack is UPDATE_FAILED (rollback was disabled)",
            "fix the cause, then roll it back: aws cloudformation rollback-stack --stack-name …",
        )
    return Decision(
        Action.REFUSE,
        f"the stack is {status}",
        "look at its events; a failed delete needs `./inv teardown` or a manual delete-stack with RetainResources",
    )


# Event reasons that only point at another failure: never the root cause.
_ECHOES = (
    "Embedded stack",
    "Resource creation cancelled",
    "Resource update cancelled",
    "The following resource(s) failed",
)


def root_cause(events: list[dict]) -> dict | None:
    """The first real failure among a deploy's events, from any nested stack.

    `events` are CloudFormation stack events (each with StackName, LogicalResourceId,
    ResourceStatus, ResourceStatusReason, Timestamp), root and nested stacks mixed. The
    root stack only says "Embedded stack … was not successfully created"; the cause is the
    earliest failure that is not such an echo.
    """
    failed = [
        e
        for e in events
        if e.get("ResourceStatus", "").endswith("_FAILED")
        and not any(echo in (e.get("ResourceStatusReason") or "") for echo in _ECHOES)
    ]
    return min(failed, key=lambda e: e["Timestamp"]) if failed else None
