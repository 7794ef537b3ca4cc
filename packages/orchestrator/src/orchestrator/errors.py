"""The one exception type for problems a user can fix.

`tasks/` turns it into one red line plus a hint and exit code 2. Anything else is a bug
and keeps its traceback.
"""


class UserError(Exception):
    """A refusal: bad input, a failed preflight, a missing approval."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message
