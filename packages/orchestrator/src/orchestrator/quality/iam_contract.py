"""The IAM contract: every recorded call is allowed by the role that makes it in production.

Pure: recorded calls + the principals' policies in, a `Report` out. A call fails the contract
when the evaluator says anything but ALLOWED (a conditional grant is not a pass), when the
mapper cannot name its actions ("add a mapping"), or when nobody can be held responsible for
it (unattributed). Grants that no call needed are reported, not failed: some are used by the
AWS service on the function's behalf (its logs, its traces), and a later least-privilege scan
decides about the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from orchestrator.quality.iam_actions import Need, Unmapped, needs, with_change_set_stacks
from orchestrator.quality.iam_calls import SETUP, Call
from orchestrator.quality.iam_policy import Decision, Policy, action_matches, evaluate
from orchestrator.quality.iam_principals import Principal
from orchestrator.quality.iam_templates import Scope


@dataclass
class Report:
    label: str
    failures: list[str] = field(default_factory=list)
    decisions: dict[str, list[tuple[Need, Decision]]] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        head = f"IAM contract ({self.label}): {len(self.failures)} call(s) not allowed in production"
        return "\n".join([head, *(f"  - {f}" for f in self.failures)])


def _unused(principal: Principal, used: list[tuple[Need, Decision]], ignore: Iterable[str]) -> list[str]:
    out = []
    for policy in principal.policies:
        for sid, st in Policy(policy.name, policy.document).statements():
            if st.get("Effect") != "Allow" or "Action" not in st:
                continue
            actions = [st["Action"]] if isinstance(st["Action"], str) else st["Action"]
            for pattern in actions:
                if any(action_matches(pattern, a) for a in ignore):
                    continue
                if not any(sid in d.allowed_by and action_matches(pattern, n.action) for n, d in used):
                    out.append(f"{principal.role}: {sid} grants {pattern}, which no recorded call needed")
    return out


def check(
    label: str,
    calls: Iterable[Call],
    principals: Mapping[str, Principal],
    scope: Scope,
    *,
    service_actions: Iterable[str] = (),
) -> Report:
    """Hold `calls` to `principals` (recorded principal name → production principal).

    `service_actions` are granted for the AWS service itself (e.g. Lambda's own log writes):
    never reported unused.
    """
    report = Report(label)
    seen: set[tuple] = set()
    for call in with_change_set_stacks(list(calls)):
        if call.principal == SETUP:
            continue
        if call.principal is None:
            report.failures.append(
                f"unattributed call {call.service}.{call.operation}: run it inside acting_as(...)"
            )
            continue
        principal = principals.get(call.principal)
        if principal is None:
            report.failures.append(f"{call}: no production principal is known for {call.principal!r}")
            continue
        try:
            wanted = needs(call, scope)
        except Unmapped as err:
            report.failures.append(f"{call}: {err}")
            continue
        for need in wanted:
            decision = evaluate(principal.policies, need.action, need.resource, dict(need.context))
            report.decisions.setdefault(call.principal, []).append((need, decision))
            key = (call.principal, need)
            if not decision.verdict.allowed and key not in seen:
                seen.add(key)
                report.failures.append(f"{principal.role} ({call.service}.{call.operation}): {decision}")
    for name, principal in principals.items():
        report.unused += _unused(principal, report.decisions.get(name, []), service_actions)
    return report
