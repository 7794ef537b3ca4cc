"""The prod checklist is bound to `plan_hash`: a canary promotion's plan must hash the same when it
is planned again under the lease a moment after the dry run that printed the hash.

`promote prod --canary …` plans carry the routing object with the time it was planned (`updated`,
the canary's `since`); everything else in it — version, SRI, tenants, percentage, state — is what
the approver signs, so changing any of it changes the hash."""

from __future__ import annotations

from orchestrator.core import canary as cn
from orchestrator.core.release_plan import plan_hash

SRI = "sha384-" + "A" * 64


def canary_plan(at: str, **routing) -> dict:
    args = {"version": "1.1.1", "integrity": SRI, "percent_bp": 0, "tenants": ["peluqueria-lola"]}
    obj = cn.routing_object(env="prod", state="active", stable="1.1.0", updated=at, **{**args, **routing})
    return {"kind": "promote", "env": "prod", "components": {"widget": {"version": "1.1.1"}}, "routing": obj}


def test_a_canary_promotion_planned_again_a_moment_later_has_the_same_hash():
    dry_run = canary_plan("2026-11-30T14:00:00Z")
    under_the_lease = canary_plan("2026-11-30T14:00:07Z")
    assert dry_run["routing"] != under_the_lease["routing"]  # the stamps differ …
    assert plan_hash(dry_run) == plan_hash(under_the_lease)  # … the approval does not


def test_what_the_routing_does_is_still_bound():
    base = plan_hash(canary_plan("2026-11-30T14:00:00Z"))
    for change in ({"percent_bp": 1000}, {"tenants": ["acme-dental"]}, {"version": "1.1.2"}):
        assert plan_hash(canary_plan("2026-11-30T14:00:00Z", **change)) != base, change


def test_the_plan_itself_is_not_changed_by_hashing():
    plan = canary_plan("2026-11-30T14:00:00Z")
    before = repr(plan)
    plan_hash(plan)
    assert repr(plan) == before and plan["routing"]["updated"] == "2026-11-30T14:00:00Z"
