"""What every step sees: the repo, the target environment, the plan and its journal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestrator.engine.journal import Journal
from orchestrator.engine.target import Target


@dataclass
class Ctx:
    root: Path
    target: Target  # without CDN fields for the commands that need none (deploy, teardown, ia, seed…)
    plan: dict
    journal: Journal
    push: bool = False
    wait: bool = True
    echo: Callable[[str], None] = field(default=lambda text: None)
    source: Target | None = None  # promotion: the environment the bytes come from
    lease: Any = None  # lock.Holding: the environment's lease, renewed while the steps run
