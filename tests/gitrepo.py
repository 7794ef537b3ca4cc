"""Real git repositories in temp folders, shaped like the monorepo (shared by the test folders)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import forked
import git

MONOREPO = Path(__file__).resolve().parents[1]
INVOKE = Path(sys.executable).parent / "invoke"


class Repo:
    def __init__(self, path: Path):
        self.path = path
        self.git = git.Repo.init(path, initial_branch="main")
        with self.git.config_writer() as cw:
            cw.set_value("user", "name", "Test Releaser")
            cw.set_value("user", "email", "releaser@example.com")

    def commit(self, message: str, path: str = "widget/src/app.js", content: str | None = None) -> str:
        file = self.path / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(
            content if content is not None else f"{message}\n{file.read_text() if file.exists() else ''}"
        )
        self.git.index.add([path])
        return self.git.index.commit(message).hexsha

    def inv(self, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        """Run `inv` as a user would, from inside this repo, without a terminal: Invoke's own
        entry point (.venv/bin/invoke) in a process of its own, forked from this one so it does
        not import everything again (tests/forked.py)."""
        env = env if env is not None else {k: v for k, v in os.environ.items() if k != "GITHUB_ACTOR"}
        return forked.run(INVOKE, ["--search-root", str(MONOREPO), *args], env, cwd=self.path)

    def plan_json(self, *args: str) -> dict:
        result = self.inv("version", "--dry-run", "--json", *args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def tags(self) -> list[str]:
        return sorted(t.name for t in self.git.tags)

    def manifest(self) -> dict:
        return json.loads((self.path / "releases/manifest.json").read_text())
