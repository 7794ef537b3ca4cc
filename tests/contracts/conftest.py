"""Contract fixtures: the IAM call recorder on boto3's default session.

The recorder is installed before the scenario makes its clients (a botocore client copies its
session's handlers when it is created); the scenario drops cached clients after installing.
"""

from __future__ import annotations

import pytest

from backend.functions import FUNCTIONS
from orchestrator.quality.iam_calls import Recorder, handler_entry_points


@pytest.fixture
def recorder():
    """Record every AWS call of this test, attributed to the Lambda handler on the stack."""
    rec = Recorder(handler_entry_points(FUNCTIONS)).install()
    try:
        yield rec
    finally:
        rec.uninstall()
