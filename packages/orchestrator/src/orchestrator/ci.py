"""What differs when the orchestrator runs in GitHub Actions."""

from __future__ import annotations

import os

from orchestrator import components
from orchestrator.paths import COMPONENTS


def in_ci() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def default_channel() -> str:
    """In CI the branch picks the channel (main → stable, next → beta, alpha → alpha); else stable."""
    branch = os.environ.get("GITHUB_REF_NAME", "")
    if in_ci() and branch:
        return components.load(COMPONENTS).branches.get(branch, "stable")
    return "stable"
