"""What every step sees: the repo, the target environment, the plan and its journal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator.engine.journal import Journal
from orchestrator.engine.target import Target


@dataclass
class Ctx:
    root: Path
    target: Target
    plan: dict
    journal: Journal
    push: bool = False
    wait: bool = True
    echo: Callable[[str], None] = field(default=lambda text: None)
    source: Target | None = None  # promotion: the environment the bytes come from
