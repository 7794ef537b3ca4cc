"""Who runs a command, as leases, journals and manifest events name them: the GitHub actor in CI,
else git's user.email, else the OS user. Without GitPython: a deploy that records nothing
should not pay its ~0.1 s import to learn a name."""

from __future__ import annotations

import getpass
import os
import subprocess
from pathlib import Path


def who(root: Path | str | None = None) -> str:
    if os.environ.get("GITHUB_ACTOR"):
        return os.environ["GITHUB_ACTOR"]
    if root is not None:
        try:
            done = subprocess.run(
                ["git", "config", "--get", "user.email"], cwd=root, capture_output=True, text=True
            )
            if done.returncode == 0 and done.stdout.strip():
                return done.stdout.strip()
        except OSError:  # no git on PATH: the OS user names the caller
            pass
    return getpass.getuser()
