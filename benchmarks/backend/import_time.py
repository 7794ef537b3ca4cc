"""Cold-start proxy: how long importing each Lambda handler module takes, in fresh interpreters.

    .venv/bin/python benchmarks/backend/import_time.py [--runs 7]

Each run starts a new Python, imports the handler module and reports the import time and which
heavy libraries came along (none should: clients, powertools and dateparser load on first use).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from backend.functions import FUNCTIONS

PROBE = """
import json, sys, time
t = time.perf_counter()
import {module}
ms = (time.perf_counter() - t) * 1000
heavy = [m for m in ("boto3", "botocore", "aws_lambda_powertools", "dateparser") if m in sys.modules]
print(json.dumps({{"ms": ms, "heavy": heavy}}))
"""

FIRST_USE = """
import json, time
t = time.perf_counter()
import boto3, aws_lambda_powertools.metrics, aws_lambda_powertools.logging, dateparser
print(json.dumps({"ms": (time.perf_counter() - t) * 1000}))
"""


def measure(code: str, runs: int) -> list[dict]:
    out = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        out.append(json.loads(proc.stdout))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'function':<12} {'median ms':>10} {'min ms':>8}  heavy imports at import time")
    for name, handler in sorted(FUNCTIONS.items()):
        samples = measure(PROBE.format(module=handler.rsplit(".", 1)[0]), args.runs)
        ms = [s["ms"] for s in samples]
        print(f"{name:<12} {statistics.median(ms):>10.1f} {min(ms):>8.1f}  {samples[0]['heavy'] or 'none'}")
    first = [s["ms"] for s in measure(FIRST_USE, args.runs)]
    print(
        f"{'(first use)':<12} {statistics.median(first):>10.1f} {min(first):>8.1f}  boto3 + powertools + dateparser"
    )


if __name__ == "__main__":
    main()
