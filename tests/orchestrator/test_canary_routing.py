"""The canary routing decision (core/canary.py) and the vector file the loader shares with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestrator.core import canary as cn
from orchestrator.errors import UserError

VECTORS = json.loads((Path(__file__).parents[2] / "widget/test/canary-vectors.json").read_text())
SRI = "sha384-" + "A" * 64


def active(**kw):
    return cn.routing_object(
        env="prod", state="active", stable="1.4.0", version="1.5.0", integrity=SRI, updated="t", **kw
    )


@pytest.mark.parametrize("vector", VECTORS["hash"], ids=lambda v: v.get("text", v.get("tenant")))
def test_hashes_match_the_shared_vectors(vector):
    if "text" in vector:
        assert cn.fnv1a32(vector["text"].encode()) == vector["fnv1a32"]
    else:
        assert cn.bucket(vector["salt"], vector["tenant"]) == vector["bucket"]
        assert cn.tenant_digest(vector["salt"], vector["tenant"]) == vector["digest"]


def test_fnv1a32_is_the_published_function():
    # Reference values of FNV-1a 32 (http://www.isthe.com/chongo/tech/comp/fnv/): not our own output.
    assert cn.fnv1a32(b"") == 0x811C9DC5
    assert cn.fnv1a32(b"a") == 0xE40C292C
    assert cn.fnv1a32(b"foobar") == 0xBF9CF968


@pytest.mark.parametrize("vector", VECTORS["decisions"], ids=lambda v: v["name"])
def test_decisions_match_the_shared_vectors(vector):
    got = cn.decide(vector["routing"], vector["tenant"], vector["channel"], vector["own"])
    assert (got["version"] if got else None) == vector["expect"]


def test_the_vectors_cover_both_outcomes_of_every_rule():
    names = {v["name"]: v["expect"] for v in VECTORS["decisions"]}
    assert names["listed tenant on latest"] == "1.5.0"
    assert names["pinned version directory is never routed"] is None
    assert all(v is None for n, v in names.items() if n.startswith("malformed"))
    half = [v for n, v in names.items() if n.startswith("50%")]
    assert 10 < sum(v is not None for v in half) < 30  # a 50 % split of 40 tenants is roughly even


def test_a_listed_tenant_gets_the_canary_app_with_its_integrity():
    assert cn.decide(active(tenants=["salon-luna"]), "salon-luna", "latest", "1.4.0") == {
        "version": "1.5.0",
        "integrity": SRI,
    }


def test_the_public_object_never_carries_raw_tenant_ids():
    text = json.dumps(active(tenants=["salon-luna"]))
    assert "salon-luna" not in text


def test_raising_the_percentage_only_adds_tenants():
    tenants = [f"t{i}" for i in range(500)]
    inside = {
        bp: {t for t in tenants if cn.decide(active(percent_bp=bp), t, "latest", "1.4.0")}
        for bp in (500, 2500, 5000)
    }
    assert inside[500] <= inside[2500] <= inside[5000]
    assert 0.4 < len(inside[5000]) / len(tenants) < 0.6


def test_percentages_and_tenant_lists_are_validated():
    assert cn.parse_percent("25") == 2500
    assert cn.parse_percent("0.01") == 1
    for bad in ("101", "-1", "abc", "0.001", "nan"):
        with pytest.raises(UserError):
            cn.parse_percent(bad)
    assert cn.parse_tenants(" b, a ,a") == ["a", "b"]
    with pytest.raises(UserError, match="not a tenant id"):
        cn.parse_tenants("ok,<script>")


def test_an_active_object_needs_a_real_sri():
    with pytest.raises(ValueError):
        cn.routing_object(env="p", state="active", stable="1", version="1.5.0", integrity="x", updated="t")
