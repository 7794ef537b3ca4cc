"""The IAM contract (issue 11): every AWS call our code makes is allowed, on AWS, by the role
that makes it in production — for dev, qa and prod (each colour). moto does not evaluate IAM.

Why a self-driven scenario, not an aggregate of the whole test run: the contract must hold
whatever subset of tests runs, in any order and under xdist (where each worker sees only its
share of calls). So each test here drives a representative scenario itself under the recorder
(tests/contracts/iam_scenarios.py), with the names production uses — the Lambda environment
variables come out of the resolved template — and evaluates every call against the role's
policies from infra/, resolved for that environment. Grants no call needed are printed (not
failed): the least-privilege scan of issue #12 decides about them.
"""

from __future__ import annotations

import warnings

import pytest
from iam_scenarios import lambda_work

from orchestrator.quality import iam_contract, iam_principals

# Used by the Lambda service for the function (its log stream, its X-Ray segments), never by
# our code: the recorder cannot see them, so they are not reported as unused.
LAMBDA_SERVICE_ACTIONS = (
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
)

DEPLOYMENTS = [d for env in ("dev", "qa", "prod") for d in iam_principals.app_deployments(env)]


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: d.label)
def test_every_lambda_call_is_allowed_by_its_role(deployment, aws, recorder, monkeypatch, capsys):
    environment = deployment.functions["chat"].environment
    for name, fn in deployment.functions.items():
        # one set of names per stack; a function with other names would need its own run
        assert fn.environment == environment, f"{name} has other Lambda variables than chat"
    for key, value in {**environment, "DISABLE_IA_TTL_SECONDS": "0"}.items():
        monkeypatch.setenv(key, value)

    lambda_work(environment)

    made = {c.principal for c in recorder.calls}
    assert set(deployment.functions) <= made, f"the scenario exercised only {sorted(made)}"
    report = iam_contract.check(
        deployment.label,
        recorder.calls,
        deployment.functions,
        deployment.scope,
        service_actions=LAMBDA_SERVICE_ACTIONS,
    )
    if report.unused:
        with capsys.disabled():
            print(f"\n[{deployment.label}] grants no recorded call needed:\n  " + "\n  ".join(report.unused))
        warnings.warn(f"{deployment.label}: {len(report.unused)} unused grant(s)", stacklevel=1)
    assert report.ok, report.summary()
