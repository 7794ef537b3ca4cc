"""Errors a GraphQL caller can act on.

A handler raises one of these; AppSync shows `errorType` (the class name) and the message, and
the local AppSync server does the same. Anything else is logged with its traceback and reaches
the caller only as `InternalError` with the request id — never a stack trace.
"""


class GraphQLUserError(Exception):
    """Base class: the message is safe to show to the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def error_type(self) -> str:
        return type(self).__name__


class BadInput(GraphQLUserError):
    """Malformed or out-of-range arguments (a past date, text too long, a malformed id)."""


class NotFound(GraphQLUserError):
    """An unknown service, booking or conversation — including another tenant's."""


class Unauthorized(GraphQLUserError):
    """The identity does not allow this operation."""


class SlotTaken(GraphQLUserError):
    """The slot was booked by someone else first."""


class InternalError(GraphQLUserError):
    """An unexpected failure; details are in the logs under the request id."""
