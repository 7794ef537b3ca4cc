"""A no-op `./inv deploy dev`: how long a deploy takes when nothing changed.

    .venv/bin/python benchmarks/deploy/noop_deploy.py [--repo PATH] [--runs 5]

Starts one embedded AWS (moto, in this process), runs `./inv bootstrap dev` and a first
`./inv deploy dev` in `--repo` (default: this checkout; any other checkout of the repo, e.g. an
older commit in a git worktree, to compare), then times `--runs` more deploys with nothing to do,
each a fresh process as a user would run it. Prints the median and every run; `--json` for raw data.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(HERE / "packages" / "orchestrator" / "src"))

from orchestrator.local import embedded_aws  # noqa: E402


def run(repo: Path, env: dict, *args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(repo / "inv"), *args], cwd=repo, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(
            f"./inv {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", type=Path, default=HERE)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    repo = args.repo.resolve()
    aws = embedded_aws.start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | aws.env
        run(repo, env, "--list")  # the wrapper installs what is missing: not part of a deploy
        run(repo, env, "bootstrap", "dev")
        first = run(repo, env, "deploy", "dev")
        runs = [run(repo, env, "deploy", "dev") for _ in range(args.runs)]
    finally:
        aws.stop()
    result = {
        "repo": str(repo),
        "first_deploy_s": round(first, 2),
        "noop_runs_s": [round(r, 2) for r in runs],
        "noop_median_s": round(statistics.median(runs), 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"first deploy {result['first_deploy_s']} s; no-op deploy median {result['noop_median_s']} s "
            f"(runs: {', '.join(map(str, result['noop_runs_s']))})"
        )


if __name__ == "__main__":
    main()
